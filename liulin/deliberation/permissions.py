"""Who sees and does what in 议事.

Staff (社区工作者, 社区书记) see their communities' meetings and run them; an auditor and
grid workers see them; an invited organisation's people (owners' committee, property
company, partner unit, department) see the meetings their organisation is invited to or
that concern its estate, and reply for it. A resident sees the meetings of his own estate
and the community-wide ones of his community (selectors.resident_meetings_q), signs in
and votes there.
"""

from liulin.core.permissions import register_scope

from .models import ActionItem, CommitteeDecision, CommitteeTerm, MajorMatter, MediationCase, Meeting
from .workflow import CASE, DECISION, ITEM, MATTER, MEETING, MINUTES, TERM

ORG_PATHS = ("invitations__org", "estate__organisations")

register_scope(Meeting, area_path="community__path", grid="estate__buildings__grid", org=ORG_PATHS)
register_scope(ActionItem, area_path="meeting__community__path", grid="meeting__estate__buildings__grid",
               org=("owner_org", "meeting__invitations__org", "meeting__estate__organisations"))

MEETING.grant_roles()
MINUTES.grant_roles()
MATTER.grant_roles()
CASE.grant_roles()
ITEM.grant_roles()
register_scope(MajorMatter, area_path="community__path")
register_scope(MediationCase, area_path="community__path", org="estate__organisations")
TERM.grant_roles()
DECISION.grant_roles()
register_scope(CommitteeTerm, area_path="community__path", org="committee")
register_scope(CommitteeDecision, area_path="meeting__term__community__path", org="meeting__term__committee")
