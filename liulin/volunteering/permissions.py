"""Who sees and does what in volunteering, and how its rows reach a scope.

A team's leader (an organisation role) works on his team's activities and records; the
community's staff on everything in the community, and they alone run the 雷锋超市 counter,
issue certificates and record guardians' consent; auditors read. A volunteer's own pages
read his own rows (selectors `my_*`), and he disputes his own records.
"""

from liulin.core.permissions import grant, register_scope
from liulin.core.roles import Role

from .models import (
    Activity,
    Certificate,
    ChildAttendance,
    Good,
    GuardianConsent,
    PointsAccount,
    Redemption,
    ServiceRecord,
    SignUp,
    TeamMember,
    Volunteer,
)
from .workflow import ORGANISERS, WORKFLOW

register_scope(Activity, area_path="community__path", org="team")
register_scope(SignUp, area_path="activity__community__path", org="activity__team", user="volunteer__user")
register_scope(ServiceRecord, area_path="community__path", org="team", user="volunteer__user")
register_scope(TeamMember, area_path="team__community__path", org="team", user="volunteer__user")
register_scope(Volunteer, area_path="community__path", org="teams__team", user="user")
register_scope(PointsAccount, area_path="ledger__community__path", user="volunteer__user")
register_scope(Good, area_path="community__path")
register_scope(Redemption, area_path="community__path", user="volunteer__user")
register_scope(Certificate, area_path="community__path", user="volunteer__user")
register_scope(GuardianConsent, area_path="community__path")
register_scope(ChildAttendance, area_path="activity__community__path", org="activity__team")

STAFF = (Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY)
for role in (*ORGANISERS, Role.AUDITOR):
    grant(role, "volunteering.view")
# A volunteer reads his own rows through the `user` paths above.
grant(Role.RESIDENT, "volunteering.view")
for role in ORGANISERS:
    grant(role, "volunteering.run_activity", "volunteering.decide_member", "volunteering.record_manual")
for role in STAFF:
    grant(role, "volunteering.counter", "volunteering.certify", "volunteering.deed", "volunteering.consent",
          "volunteering.report")
grant(Role.AUDITOR, "volunteering.report")
WORKFLOW.grant_roles()
