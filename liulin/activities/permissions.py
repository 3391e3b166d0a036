"""Who sees and runs which activities and enrolments.

- Community staff and secretary: every activity and enrolment of their community (area).
- A teacher or team leader: the activities his organisation runs (org = organiser).
- A resident: open activities of his own community (selectors), and the enrolments of his
  household or that he made for a relative (household / user paths).
- An auditor reads everything in his area.
"""

from liulin.core.permissions import grant, register_scope
from liulin.core.roles import Role

from .models import Activity, Enrolment, Nomination, Selection
from .workflow import ACTIVITY_WORKFLOW, ENROLMENT_WORKFLOW, SELECTION_WORKFLOW

register_scope(Activity, area_path="community__path", org="organiser")
register_scope(
    Enrolment,
    area_path="activity__community__path",
    org="activity__organiser",
    household="resident__household",
    user="enrolled_by",
)

register_scope(Selection, area_path="community__path")
register_scope(Nomination, area_path="selection__community__path")

ACTIVITY_WORKFLOW.grant_roles()
ENROLMENT_WORKFLOW.grant_roles()
SELECTION_WORKFLOW.grant_roles()

for role in (Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY, Role.TEACHER, Role.VOLUNTEER_LEADER, Role.AUDITOR):
    grant(role, "activities.view")
# Setting up activities, courses and terms, and verifying family links, is the community's.
for role in (Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY):
    grant(role, "activities.create", "activities.link_family", "activities.counter")
grant(Role.RESIDENT, "activities.enrolment_view")
for role in (Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY, Role.TEACHER, Role.VOLUNTEER_LEADER, Role.AUDITOR):
    grant(role, "activities.enrolment_view")
# "activities.create" and "activities.link_family" are asked of the community (territory.Area,
# scoped by its path), "activities.counter" of an activity.
