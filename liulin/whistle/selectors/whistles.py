"""Whistles (吹哨) and the summons of departments, as the user may see them."""

from django.db.models import F, Q

from liulin.core.permissions import NOTHING, get_or_404
from liulin.core.roles import Role

from .. import workflow
from ..models import Summons, Ticket, WhistleCall
from .tickets import _assignments, tickets_for


def whistles_for(user):
    """Whistles of the communities the user supervises, or that summon the user's department."""
    q = tickets_for(user, "whistle.view")
    return (
        WhistleCall.objects.filter(Q(tickets__in=q) | Q(summons__department__in=_org_ids(user)) | Q(community__in=_area_communities(user)))
        .distinct()
        .select_related("community")
        .prefetch_related("summons__department")
        .order_by("-blown_at", "-id")
    )


def _org_ids(user):
    return [a.org_id for a in _assignments(user) if a.org_id]


def _area_communities(user):
    from liulin.territory.models import Area

    q = NOTHING
    for a in _assignments(user):
        if a.area_id and a.role in (Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY, Role.AUDITOR):
            q |= Q(path__startswith=a.area.path)
    if user.is_superuser:
        return Area.objects.filter(kind=Area.Kind.COMMUNITY)
    return Area.objects.filter(q, kind=Area.Kind.COMMUNITY) if q != NOTHING else Area.objects.none()


def supervised_communities(user):
    """Communities where the user may blow a whistle (an area role holding whistle.whistle)."""
    from liulin.core.permissions import roles_with
    from liulin.territory.models import Area

    if user.is_superuser:
        return Area.objects.filter(kind=Area.Kind.COMMUNITY).order_by("path")
    roles = roles_with("whistle.whistle")
    q = NOTHING
    for a in _assignments(user):
        if a.area_id and a.role in roles:
            q |= Q(path__startswith=a.area.path)
    if q == NOTHING:
        return Area.objects.none()
    return Area.objects.filter(q, kind=Area.Kind.COMMUNITY).order_by("path")


def ranking_communities_for(user):
    """Communities whose department ranking the user may read: those he works in, and those
    that summoned his department."""
    from liulin.territory.models import Area

    if user.is_superuser:
        return Area.objects.filter(kind=Area.Kind.COMMUNITY).order_by("path")
    q = NOTHING
    for a in _assignments(user):
        if a.area_id:
            q |= Q(path__startswith=a.area.path)
        elif a.grid_id:
            q |= Q(pk=a.grid.community_id)
        elif a.org_id:
            q |= Q(whistles__summons__department_id=a.org_id) | Q(pk=a.org.community_id or 0)
    if q == NOTHING:
        return Area.objects.none()
    return Area.objects.filter(q, kind=Area.Kind.COMMUNITY).distinct().order_by("path")


def summons_for_department(user):
    """The summons of the departments the user works for, unreported first."""
    return (
        Summons.objects.filter(department_id__in=_org_ids(user))
        .select_related("whistle__community", "department")
        .prefetch_related("whistle__tickets__category")
        .order_by(F("reported_at").asc(nulls_first=True), "whistle__report_due", "id")
    )


def summons_for(user, pk):
    """One summons: his department's (to report in) or his community's (to rate); any other
    is not found (the scope of `whistle.view_summons`, whistle/permissions.py)."""
    return get_or_404(user, Summons.objects.select_related("whistle__community", "department"), "whistle.view_summons", pk=pk)


def whistleable_tickets(user, limit=100):
    """Open tickets the user may blow a whistle on (the most urged first, at most `limit`)."""
    first = (
        tickets_for(user, "whistle.whistle")
        .filter(state__in=workflow.OPEN_STATES)
        .order_by("-urge_count", "resolve_due", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return (
        Ticket.objects.filter(pk__in=first)
        .select_related("category__parent", "grid")
        .order_by("-urge_count", "resolve_due", "id")
    )
