from django.db.models import F, Value
from django.db.models.functions import Concat

from liulin.core.memo import memoized
from liulin.core.permissions import grant, register_scope, register_unit
from liulin.core.roles import ORG_ROLES, Role
from liulin.orgs.models import Organisation
from liulin.territory.models import Area, Grid

from .models import KpiRollup, Summons, Ticket
from .routing import COMMUNITY_OFFICE_SUFFIX
from .workflow import CHECKS_ON_UNIT, UNIT_WORK, WORKFLOW

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
        "whistle.urge": {"org": ESTATE_COMMITTEE},
        # Separation of duties (docs/kpi.md): the work only by the members of the unit the
        # ticket is dispatched to; the checks on that work never by them.
        **{f"whistle.{action}": {"unit": "handling_org"} for action in UNIT_WORK},
        **{f"whistle.{action}": {"not_unit": "handling_org"} for action in CHECKS_ON_UNIT},
        # The checking departments verify (核单), never the unit that did the work.
        "whistle.verify": {"org": CHECKING_UNITS, "not_unit": "handling_org"},
        "whistle.reject": {"org": CHECKING_UNITS, "not_unit": "handling_org"},
    },
)

# Who works for the community's own office (居委会, the unit of 社区自办 tickets): the
# community's staff and secretary, and the workers of its grids. Staff of a subdistrict or
# a district work for no office, so they may check a community's own work.
OFFICE_ROLES = frozenset({Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY, Role.GRID_WORKER})


@memoized(Organisation, Area, Grid)
def community_office_id(community_id):
    """The id of the community's office, or None while it has none (routing makes it on first need)."""
    offices = Organisation.objects.filter(
        kind=Organisation.Kind.OTHER, community_id=community_id, name=Concat(F("community__name"), Value(COMMUNITY_OFFICE_SUFFIX))
    )
    return offices.values_list("pk", flat=True).first()


@memoized(Grid)
def _grid_community(grid_id):
    return Grid.objects.filter(pk=grid_id).values_list("community_id", flat=True).first()


def office_unit(assignment):
    if assignment.role not in OFFICE_ROLES:
        return None
    if assignment.grid_id:
        community_id = _grid_community(assignment.grid_id)
    elif assignment.area_id and assignment.area.kind == Area.Kind.COMMUNITY:
        community_id = assignment.area_id
    else:
        return None
    return community_office_id(community_id) if community_id else None


register_unit(office_unit)
# KPI rollup rows: by the community path (area roles), the grid (grid workers) and the
# handling unit (organisation roles). Residents hold no rollup scope.
register_scope(KpiRollup, area_path="area_path", grid="grid_key", org="org_key")
# A summons: the summoned department's members report in on it; the staff and auditors of
# the whistle's community rate it.
register_scope(Summons, area_path="whistle__community__path", org="department")
for role in (*ORG_ROLES, Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY, Role.AUDITOR):
    grant(role, "whistle.view_summons")

# A counsellor's role covers his community for counselling alone: no work orders.
VIEWERS = [r for r in Role if r not in (Role.TEACHER, Role.VENUE_MANAGER, Role.VOLUNTEER_LEADER, Role.COUNSELLOR)]
for role in VIEWERS:
    grant(role, "whistle.view")
# Each action of the state table, and each note beside it, to the roles the table names.
WORKFLOW.grant_roles()
# Filing a request: residents for themselves, operators for callers, grid workers on patrol.
for role in (Role.RESIDENT, Role.HOTLINE_OPERATOR, Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY):
    grant(role, "whistle.file")
