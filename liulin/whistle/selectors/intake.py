"""What the intake forms offer: categories, buildings, residents, handling units; the intake queue."""

from django.db.models import Q
from django.utils.translation import gettext

from liulin.core.errors import NotFound
from liulin.core.permissions import NOTHING
from liulin.core.roles import Role
from liulin.orgs.models import Organisation
from liulin.territory.models import path_prefixes

from ..models import Category, Intake, Ticket
from .tickets import _assignments


def category_tree():
    """Active categories as [(parent, [children...])]; a parent without children is its own leaf."""
    categories = list(Category.objects.filter(is_active=True).select_related("parent").order_by("sort", "code"))
    roots = [c for c in categories if c.parent_id is None]
    children = {}
    for c in categories:
        if c.parent_id:
            children.setdefault(c.parent_id, []).append(c)
    return [(root, children.get(root.pk, [])) for root in roots]


def active_categories():
    """Active categories in their order, and the ids of those with an active child (not leaves)."""
    categories = Category.objects.filter(is_active=True).select_related("parent").order_by("sort", "code")
    parents = set(Category.objects.filter(is_active=True, children__is_active=True).values_list("pk", flat=True))
    return categories, parents


def grid_residents(user, q=""):
    """Residents of the grids the user patrols (for a patrol report on someone's behalf)."""
    from liulin.people.selectors import search_residents

    return search_residents(user, q).order_by("household__building__estate__name", "household__building__name", "household__room", "name")


def buildings_for(user, perm="whistle.file"):
    """Buildings where the user may file: his community or grid (residents: his community)."""
    from liulin.territory.models import Building

    assignments = _assignments(user)
    if user.is_superuser:
        return Building.objects.select_related("estate")
    q = NOTHING
    for a in assignments:
        if a.area_id:
            q |= Q(community__path__startswith=a.area.path)
        elif a.grid_id:
            q |= Q(grid_id=a.grid_id)
        elif a.role == Role.RESIDENT and getattr(user, "resident", None) and user.resident.household_id:
            q |= Q(community_id=user.resident.household.community_id)
    if q == NOTHING:
        return Building.objects.none()
    return Building.objects.filter(q).select_related("estate").order_by("estate__name", "name")


def handling_units(user):
    """Units a dispatcher may send a ticket to: the organisations serving his communities and
    the departments above them (a district department serves every community below)."""
    if user.is_superuser:
        return Organisation.objects.filter(is_active=True).order_by("kind", "name")
    q = NOTHING
    for a in _assignments(user):
        if a.area_id:
            q |= Q(community__path__startswith=a.area.path)
            # Departments of the district or subdistrict above the community.
            q |= Q(community__path__in=path_prefixes(a.area.path), kind=Organisation.Kind.DEPARTMENT)
    if q == NOTHING:
        return Organisation.objects.none()
    kinds = [Organisation.Kind.PROPERTY_COMPANY, Organisation.Kind.DEPARTMENT, Organisation.Kind.ENTERPRISE, Organisation.Kind.OTHER]
    return Organisation.objects.filter(q, is_active=True, kind__in=kinds).order_by("kind", "name")


def departments(user):
    return handling_units(user).filter(kind=Organisation.Kind.DEPARTMENT)


def own_intake(user, pk):
    """A request the user put in the intake queue; anyone else's is not found."""
    found = Intake.objects.filter(pk=pk, filed_by_id=user.pk).first()
    if found is None:
        raise NotFound(gettext("找不到该排队记录。"))
    return found


def intake_ticket(intake):
    """The ticket a filed request became (the one with its client_request_id), else None."""
    if intake.status != Intake.Status.FILED:
        return None
    return Ticket.objects.filter(client_request_id=intake.client_request_id, filed_by_id=intake.filed_by_id).first()
