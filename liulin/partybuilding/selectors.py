"""Every read of 党建引领惠邻 a user triggers, narrowed by the permission layer
("partybuilding.view"), and the public lists residents read: published wishes, open needs
and fulfilled stories of a community, with no names, rooms or phone numbers.

Figures are aggregates over the rows, never stored counts."""

import datetime

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth

from liulin.core.permissions import get_or_404, scoped

from .models import (
    Evaluation,
    LinkActivity,
    LinkKind,
    Need,
    Partnership,
    Project,
    Registration,
    Resource,
    ServiceRecord,
    Wish,
    WishClaim,
)

VIEW = "partybuilding.view"


def grid_of(user, community=None):
    """The grid a grid worker works in (in `community`, if given), or None."""
    from liulin.core.permissions import active_assignments

    return next((a.grid for a in active_assignments(user)
                 if a.grid_id and (community is None or a.grid.community_id == community.pk)), None)


def partnerships_for(user):
    return scoped(user, Partnership.objects.select_related("org", "community"), VIEW).order_by("community_id", "org__name")


def partnership_for(user, pk):
    return get_or_404(user, Partnership.objects.select_related("org", "community"), VIEW, pk=pk)


def activities_for(user, *, partnership=None, kind=None):
    qs = scoped(user, LinkActivity.objects.select_related("kind", "partnership__org"), VIEW)
    if partnership is not None:
        qs = qs.filter(partnership=partnership)
    if kind is not None:
        qs = qs.filter(kind=kind)
    return qs.order_by("-held_on", "-id")


def link_kinds():
    return LinkKind.objects.filter(is_active=True).order_by("order", "id")


def needs_for(user, *, state=None):
    qs = scoped(user, Need.objects.select_related("community", "grid"), VIEW)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-created_at", "-id")


def need_for(user, pk):
    return get_or_404(user, Need.objects.select_related("community", "grid", "beneficiary"), VIEW, pk=pk)


def resources_for(user, *, community=None):
    qs = scoped(user, Resource.objects.select_related("org"), VIEW).filter(is_active=True)
    if community is not None:
        qs = qs.filter(community=community)
    return qs.order_by("org__name", "id")


def resource_for(user, pk):
    return get_or_404(user, Resource.objects.select_related("org"), VIEW, pk=pk)


def projects_for(user, *, state=None):
    qs = scoped(user, Project.objects.select_related("need", "org", "resource"), VIEW)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-created_at", "-id")


def project_for(user, pk):
    return get_or_404(user, Project.objects.select_related("need", "org", "resource"), VIEW, pk=pk)


def registrations_for(user, *, state=None):
    qs = scoped(user, Registration.objects.select_related("org", "community"), VIEW)
    if state:
        qs = qs.filter(state=state)
    return qs.annotate(
        service_minutes=Sum("services__minutes", filter=Q(services__state=ServiceRecord.State.CONFIRMED)),
    ).order_by("org__name", "name", "id")


def registration_for(user, pk):
    return get_or_404(user, Registration.objects.select_related("org", "community", "user"), VIEW, pk=pk)


def own_registrations(user):
    """The member's own registrations, whatever their state."""
    if not getattr(user, "is_authenticated", False):
        return Registration.objects.none()
    return Registration.objects.filter(user=user).select_related("org", "community").order_by("-registered_at")


def evaluations_for(user, *, year=None, registration_id=None):
    """The annual evaluations the user may see: staff their community's, a partner contact his
    unit's members', a member his own."""
    qs = scoped(user, Evaluation.objects.select_related("registration__org"), VIEW)
    if year is not None:
        qs = qs.filter(year=year)
    if registration_id is not None:
        qs = qs.filter(registration_id=registration_id)
    return qs.order_by("-year", "registration__name", "id")


def services_for(user, *, state=None):
    qs = scoped(user, ServiceRecord.objects.select_related("registration", "org"), VIEW)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-served_on", "-id")


def service_for(user, pk):
    return get_or_404(user, ServiceRecord.objects.select_related("registration", "org"), VIEW, pk=pk)


def wishes_for(user, *, state=None):
    qs = scoped(user, Wish.objects.select_related("community", "grid"), VIEW)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-created_at", "-id")


def wish_for(user, pk):
    return get_or_404(user, Wish.objects.select_related("community", "grid", "beneficiary"), VIEW, pk=pk)


def claimers_of(wish):
    return list(WishClaim.objects.filter(wish=wish).select_related("registration__org").order_by("claimed_at", "id"))


# --- public lists: no personal data ----------------------------------------------------------

PUBLIC_WISH_STATES = (Wish.State.PUBLISHED, Wish.State.CLAIMED, Wish.State.DELIVERED, Wish.State.FULFILLED)


def public_wishes(community, *, kind=None):
    """The wish "supermarket": published wishes first, by category; only the public label of
    the beneficiary, never his name or room."""
    qs = Wish.objects.filter(community=community, state__in=PUBLIC_WISH_STATES).only(
        "id", "title", "description", "kind", "beneficiary_label", "capacity", "claimed", "state", "published_at", "story",
        "fulfilled_at", "community_id")
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("state", "-published_at", "-id")


def public_wish(community, pk):
    return public_wishes(community).filter(pk=pk).first()


def public_needs(community):
    return Need.objects.filter(community=community, state__in=[Need.State.OPEN, Need.State.MATCHED, Need.State.MET]).only(
        "id", "title", "category", "state", "created_at").order_by("state", "-created_at")


def public_resources(community):
    return Resource.objects.filter(community=community, is_active=True).select_related("org").only(
        "id", "title", "kind", "capacity", "used", "org__name").order_by("org__name", "id")


def public_projects(community):
    return Project.objects.filter(community=community).exclude(state=Project.State.CANCELLED).select_related("org", "need").only(
        "id", "state", "starts_on", "ends_on", "org__name", "need__title").order_by("-starts_on", "-id")


def open_tasks(community):
    """Projects of a community that still ask for registered members (认领任务)."""
    return (Project.objects.filter(community=community, state__in=[Project.State.PLANNED, Project.State.IN_PROGRESS],
                                   volunteers__lt=F("volunteers_needed"))
            .select_related("org", "need").only("id", "state", "starts_on", "ends_on", "volunteers", "volunteers_needed", "org__name",
                                                "need__title", "need__category").order_by("starts_on", "id"))


def my_tasks(user):
    """The projects the member took a task on."""
    return projects_for(user).filter(members__registration__user=user)


def public_stories(community, limit=20):
    return Wish.objects.filter(community=community, state=Wish.State.FULFILLED).exclude(story="").only(
        "id", "title", "beneficiary_label", "story", "fulfilled_at").order_by("-fulfilled_at")[:limit]


# --- figures -----------------------------------------------------------------------------------


def figures(user, *, year=None):
    """Needs met / open, hours by unit and by member, wishes fulfilled, 五联 activities per
    dimension and per month: all aggregates over what `user` may see."""
    needs = needs_for(user).aggregate(
        open=Count("id", filter=Q(state=Need.State.OPEN)), matched=Count("id", filter=Q(state=Need.State.MATCHED)),
        met=Count("id", filter=Q(state=Need.State.MET)))
    services = services_for(user, state=ServiceRecord.State.CONFIRMED)
    wishes = wishes_for(user)
    activities = activities_for(user)
    if year:
        services = services.filter(served_on__year=year)
        activities = activities.filter(held_on__year=year)
        wishes = wishes.filter(created_at__year=year)
    by_unit = list(services.order_by().values("org__name").annotate(minutes=Sum("minutes"), count=Count("id")).order_by("-minutes", "org__name"))
    by_member = list(services.order_by().values("registration__name", "org__name").annotate(minutes=Sum("minutes"), count=Count("id"))
                     .order_by("-minutes", "registration__name")[:20])
    by_kind = {row["kind__name"]: row["n"] for row in activities.order_by().values("kind__name").annotate(n=Count("id"))}
    kinds = [{"name": kind.name, "count": by_kind.get(kind.name, 0)} for kind in link_kinds()]
    by_month = [{"month": row["month"].strftime("%Y-%m"), "count": row["n"]}
                for row in activities.order_by().annotate(month=TruncMonth("held_on")).values("month").annotate(n=Count("id")).order_by("month")]
    wish_counts = wishes.aggregate(total=Count("id"), fulfilled=Count("id", filter=Q(state=Wish.State.FULFILLED)),
                                   waiting=Count("id", filter=Q(state=Wish.State.PUBLISHED)))
    return {
        "needs": needs,
        "hours_by_unit": [{**row, "hours": round(row["minutes"] / 60, 1)} for row in by_unit],
        "hours_by_member": [{**row, "hours": round(row["minutes"] / 60, 1)} for row in by_member],
        "wishes": wish_counts,
        "activities_by_kind": kinds,
        "activities_by_month": by_month,
    }


def quarter_bounds(year, quarter):
    start = datetime.date(year, 3 * (quarter - 1) + 1, 1)
    end = datetime.date(year + 1, 1, 1) if quarter == 4 else datetime.date(year, 3 * quarter + 1, 1)
    return start, end


def member_quarter(registration, year, quarter):
    """A member's quarter, from the rows: his confirmed services and the wishes he helped
    fulfil in it. The caller has already shown the registration is visible."""
    start, end = quarter_bounds(year, quarter)
    services = list(registration.services.filter(state=ServiceRecord.State.CONFIRMED, served_on__gte=start, served_on__lt=end)
                    .order_by("served_on", "id"))
    wishes = list(Wish.objects.filter(claims__registration=registration, state=Wish.State.FULFILLED, fulfilled_at__date__gte=start,
                                      fulfilled_at__date__lt=end).only("id", "title", "beneficiary_label", "fulfilled_at")
                  .order_by("fulfilled_at"))
    minutes = sum(s.minutes for s in services)
    return {"registration": registration, "year": year, "quarter": quarter, "start": start, "end": end,
            "last_day": end - datetime.timedelta(days=1), "services": services,
            "wishes": wishes, "minutes": minutes, "hours": round(minutes / 60, 1),
            "evaluation": registration.evaluations.filter(year=year).first()}


def unit_year(user, partnership, year):
    """A partner unit's year with one community: 五联 activities per dimension, projects,
    members' service hours, wishes its members fulfilled."""
    activities = activities_for(user, partnership=partnership).filter(held_on__year=year)
    by_kind = {row["kind_id"]: row["n"] for row in activities.order_by().values("kind_id").annotate(n=Count("id"))}
    projects = projects_for(user).filter(org=partnership.org, community=partnership.community, created_at__year=year)
    services = ServiceRecord.objects.filter(org=partnership.org, community=partnership.community, state=ServiceRecord.State.CONFIRMED,
                                            served_on__year=year)
    minutes = services.aggregate(m=Sum("minutes"))["m"] or 0
    return {
        "partnership": partnership, "year": year,
        "kinds": [{"name": k.name, "count": by_kind.get(k.pk, 0)} for k in link_kinds()],
        "activities": list(activities[:50]),
        "projects": projects.aggregate(total=Count("id"), completed=Count("id", filter=Q(state=Project.State.COMPLETED))),
        "hours": round(minutes / 60, 1), "services": services.count(),
        "members": Registration.objects.filter(org=partnership.org, community=partnership.community,
                                               state=Registration.State.CONFIRMED).count(),
        "wishes": Wish.objects.filter(claims__registration__org=partnership.org, community=partnership.community,
                                      state=Wish.State.FULFILLED, fulfilled_at__year=year).distinct().count(),
    }
