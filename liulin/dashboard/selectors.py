"""Reads behind the home pages. Every figure is an aggregate over rows the user may see
(core.permissions.scoped), so a grid worker's page counts his grid and a community
secretary's the whole community, with a fixed number of queries whatever the size."""

from datetime import date

from django.db.models import Count, Prefetch, Q

from liulin.accounts.models import RoleAssignment
from liulin.core import clock
from liulin.core.masking import mask_phone
from liulin.core.permissions import active_assignments, get_or_404, scoped
from liulin.core.plugins import tiles_for
from liulin.core.roles import Role
from liulin.orgs.models import Organisation
from liulin.people.models import CareTag, Resident
from liulin.territory.models import Building, Estate, Facility, Grid, Household


def years_before(day, years):
    """The same calendar day `years` earlier (29 February falls back to the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return date(day.year - years, 2, 28)


def percent(part, whole):
    """Whole-number share, rounded half up: 77 of 273 is 28, 18 of 24 is 75. None when nothing to share."""
    if not whole:
        return None
    return (part * 200 + whole) // (whole * 2)


def staff_scopes(user):
    return [a for a in active_assignments(user) if a.role != Role.RESIDENT]


def residents_for(user):
    return scoped(user, Resident.objects.all(), "people.view")


def population_figures(user):
    """Residents, the elderly (60+, 80+ by birth date against today) and party members."""
    today = clock.today()
    figures = residents_for(user).aggregate(
        residents=Count("pk"),
        aged_60=Count("pk", filter=Q(birth_date__lte=years_before(today, 60))),
        aged_80=Count("pk", filter=Q(birth_date__lte=years_before(today, 80))),
        party_members=Count("pk", filter=Q(is_party_member=True)),
    )
    figures["party_share"] = percent(figures["party_members"], figures["residents"])
    return figures


def territory_figures(user):
    return {
        "households": scoped(user, Household.objects.all(), "territory.view").count(),
        "grids": scoped(user, Grid.objects.all(), "territory.view").count(),
        "estates": scoped(user, Estate.objects.all(), "territory.view").count(),
        "buildings": scoped(user, Building.objects.all(), "territory.view").count(),
    }


def care_tag_counts(user):
    """Every care tag with the number of visible residents carrying it (zeros included, so a
    worker sees that nobody is, say, 特困 rather than wondering whether it is tracked)."""
    return list(
        CareTag.objects.annotate(
            residents_count=Count("residents", filter=Q(residents__in=residents_for(user)))
        ).order_by("sort", "name")
    )


def organisations_by_kind(user):
    """Per kind of organisation: how many, their members, party members and the party share."""
    rows = (
        scoped(user, Organisation.objects.all(), "orgs.view")
        .values("kind")
        .annotate(
            organisations=Count("pk", distinct=True),
            members=Count("memberships"),
            party_members=Count("memberships", filter=Q(memberships__is_party_member=True)),
        )
        .order_by("kind")
    )
    labels = dict(Organisation.Kind.choices)
    return [
        {**row, "label": labels.get(row["kind"], row["kind"]), "party_share": percent(row["party_members"], row["members"])}
        for row in rows
    ]


# The groups the article reports on, in the order it does.
HIGHLIGHT_KINDS = (Organisation.Kind.SCHOOL, Organisation.Kind.OWNERS_COMMITTEE, Organisation.Kind.CULTURE_TEAM,
                   Organisation.Kind.VOLUNTEER_TEAM)


def highlights(by_kind):
    rows = {row["kind"]: row for row in by_kind}
    return [rows[kind] for kind in HIGHLIGHT_KINDS if kind in rows]


def facilities(user):
    """Top-level facilities in the order they were registered, each with its rooms and courts."""
    visible = scoped(user, Facility.objects.all(), "territory.view")
    return list(
        visible.filter(parent__isnull=True)
        .order_by("community_id", "pk")
        .prefetch_related(Prefetch("parts", queryset=visible.order_by("pk"), to_attr="visible_parts"))
    )


def people_tile(user):
    return {"figures": {**population_figures(user), **territory_figures(user)}, "care_tags": care_tag_counts(user)}


def orgs_tile(user):
    by_kind = organisations_by_kind(user)
    return {"organisations": by_kind, "highlights": highlights(by_kind)}


def facilities_tile(user):
    return {"facilities": facilities(user)}


def staff_overview(user):
    """The user's scopes and the tiles the apps registered (core.plugins) that he may see."""
    return {"scopes": staff_scopes(user), "tiles": tiles_for(user)}


def cockpit(user):
    """The 数据驾驶舱: the tiles the apps registered for it, as the user's scope counts them."""
    return {"scopes": staff_scopes(user), "tiles": tiles_for(user, page="cockpit")}


RELATION_ORDER = [value for value, _label in Resident.Relation.choices]


def resident_household(user):
    """The user's own household and its members as he may see them; None without a resident record."""
    resident = getattr(user, "resident", None)
    if resident is None or resident.household_id is None:
        return None
    household = get_or_404(
        user, Household.objects.select_related("building__estate", "grid"), "territory.view", pk=resident.household_id
    )
    members = sorted(
        scoped(user, Resident.objects.filter(household=household), "people.view").prefetch_related(
            Prefetch("care_tags", queryset=CareTag.objects.order_by("sort", "name"))
        ),
        key=lambda r: (RELATION_ORDER.index(r.relation), r.birth_date),
    )
    rows = [_member_row(m, me=m.pk == resident.pk) for m in members]
    return {
        "household": household,
        "members": rows,
        "me": next((r for r in rows if r["is_me"]), None),
        "grid_workers": grid_workers(household.grid_id),
    }


def grid_workers(grid_id):
    """The grid workers on duty for a grid who publish a work phone: name and that phone, which
    a resident of the grid may call (网格员公示). Their logins and private mobiles stay out."""
    rows = (
        RoleAssignment.objects.filter(role=Role.GRID_WORKER, grid_id=grid_id, active=True, user__is_active=True)
        .exclude(user__work_phone="")
        .order_by("created_at", "pk")
        .values_list("user__name", "user__work_phone")
    )
    return [{"name": name, "phone": phone} for name, phone in rows]


def _member_row(resident, *, me):
    """What the page may show of a household member: the phone masked here, before rendering."""
    return {
        "name": resident.name,
        "relation": resident.get_relation_display(),
        "age": resident.age,
        "phone": mask_phone(resident.mobile),
        "care_tags": [tag.name for tag in resident.care_tags.all()],
        "is_party_member": resident.is_party_member,
        "is_me": me,
    }
