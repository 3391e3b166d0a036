from liulin.core.permissions import grant, register_scope
from liulin.core.roles import Role

from .models import KpiRollup, Ticket
from .workflow import NOTES, TRANSITIONS

# A ticket is in the scope of its community's staff, its grid's workers, its handling unit,
# the departments a whistle summoned to it, and the resident who asked.
register_scope(
    Ticket,
    area_path="community__path",
    grid="grid",
    org=("handling_org", "whistles__summons__department"),
    user="requester_user",
)
# KPI rollup rows: by the community path (area roles), the grid (grid workers) and the
# handling unit (organisation roles). Residents hold no rollup scope.
register_scope(KpiRollup, area_path="area_path", grid="grid_key", org="org_key")

VIEWERS = [r for r in Role if r not in (Role.TEACHER, Role.VENUE_MANAGER, Role.VOLUNTEER_LEADER)]
for role in VIEWERS:
    grant(role, "whistle.view")
for action, transition in TRANSITIONS.items():
    for role in transition.roles:
        grant(role, f"whistle.{action}")
for action, roles in NOTES.items():
    for role in roles:
        grant(role, f"whistle.{action}")
# Filing a request: residents for themselves, operators for callers, grid workers on patrol.
for role in (Role.RESIDENT, Role.HOTLINE_OPERATOR, Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY):
    grant(role, "whistle.file")
