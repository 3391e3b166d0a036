from liulin.core.permissions import grant, register_scope
from liulin.core.roles import Role

from .models import KpiRollup, Ticket
from .workflow import NOTES, TRANSITIONS

# A ticket is in the scope of its community's staff, its grid's workers, its handling unit,
# the department that verifies its category (核单), the departments a whistle summoned to
# it, the organisations of its estate (the owners' committee), and the resident who asked.
# All those organisations may see it and comment; the checking departments verify, the
# estate's committee urges, and only the handling unit works on it.
HANDLING_UNIT = ("handling_org",)
CHECKING_UNITS = ("verify_org", "whistles__summons__department")
# The owners' committee of the estate the ticket is in supervises it (督单): it sees and
# urges, as the article's "企业社区督单" asks of those who live with the property company.
ESTATE_COMMITTEE = ("building__estate__organisations",)
ALL_UNITS = HANDLING_UNIT + CHECKING_UNITS + ESTATE_COMMITTEE
register_scope(
    Ticket,
    area_path="community__path",
    grid="grid",
    org=HANDLING_UNIT,
    user="requester_user",
    per_perm={
        "whistle.view": {"org": ALL_UNITS},
        "whistle.comment": {"org": ALL_UNITS},
        "whistle.internal_note": {"org": ALL_UNITS},
        "whistle.verify": {"org": CHECKING_UNITS},
        "whistle.reject": {"org": CHECKING_UNITS},
        "whistle.urge": {"org": ESTATE_COMMITTEE},
    },
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
