"""Every read of activities a user triggers, scoped.

- Organisers and staff see what `activities.view` reaches (their community, or the
  activities their organisation runs); residents see the activities of their own community
  once they are announced (not drafts).
- Enrolments: the roster of an activity to those who run it; a resident sees his own, his
  household's and those of the relatives he is linked to.
- Figures (places, waiting list, members, party members) are aggregates over the rows.
"""

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce

from liulin.core.errors import NotFound
from liulin.core.permissions import NOTHING, active_assignments, scope_q, scoped
from liulin.core.roles import Role
from liulin.orgs.models import Organisation
from liulin.people import proxies
from liulin.people.models import Resident

from .models import Activity, Attendance, Enrolment, FamilyLink, TeamPractice, WeeklySlot
from .services import NOT_FOUND

E = Enrolment.State
ANNOUNCED = [Activity.State.OPEN, Activity.State.CLOSED, Activity.State.FINISHED, Activity.State.CANCELLED]


def _home_community_id(user):
    resident = getattr(user, "resident", None)
    if resident is None or not resident.household_id:
        return None
    return resident.household.community_id


def _visible_q(user):
    q = scope_q(user, "activities.view", Activity)
    community_id = _home_community_id(user)
    if community_id is not None and any(a.role == Role.RESIDENT for a in active_assignments(user)):
        announced = Q(community_id=community_id, state__in=ANNOUNCED)
        q = announced if q == NOTHING else q | announced
    return q


def _with_figures(qs):
    return qs.select_related("facility", "course", "term", "organiser").annotate(
        waiting_count=Count("enrolments", filter=Q(enrolments__state=E.WAITING)),
    ).prefetch_related(Prefetch("slots", queryset=WeeklySlot.objects.order_by("weekday", "starts")))


def activities_for(user, *, kind=None, state=None):
    q = _visible_q(user)
    if q == NOTHING:
        return Activity.objects.none()
    qs = Activity.objects.filter(q) if q else Activity.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state=state)
    return _with_figures(qs).order_by("starts_at", "id")


def activity_for(user, activity_id, *, figures=True):
    """One activity the user may see; `figures=False` leaves out the waiting-list count (an
    aggregate over its enrolments) where the caller needs only the row, as enrolment does."""
    if figures:
        found = activities_for(user).filter(pk=activity_id).first()
    else:
        q = _visible_q(user)
        found = None if q == NOTHING else Activity.objects.filter(q, pk=activity_id).select_related("term").first()
    if found is None:
        raise NotFound(NOT_FOUND)
    return found


def can_run(user, activity):
    """May `user` check people in and see the roster?"""
    from liulin.core.permissions import can

    return can(user, "activities.check_in", activity)


def roster(user, activity):
    """The enrolments of `activity` the user may see, places first, then the waiting list."""
    qs = Enrolment.objects.filter(activity=activity).select_related("resident").order_by("ticket")
    return scoped(user, qs, "activities.enrolment_view")


def people_i_act_for(user):
    """The residents `user` may enrol as a resident: himself, his household, linked relatives,
    and those whose consent covers activities."""
    own = getattr(user, "resident", None)
    q = Q(pk__in=proxies.elders_for(user, "activities").values("pk"))  # consents in people.proxies
    if own is not None:
        linked = FamilyLink.objects.filter(relative=own).values("resident_id")
        q |= Q(pk=own.pk) | Q(pk__in=linked)
        if own.household_id:
            q |= Q(household_id=own.household_id)
    return Resident.objects.filter(q).select_related("household").order_by("birth_date", "id")


def my_enrolments(user):
    """Enrolments of the people `user` acts for, or that he made; live ones first."""
    people = people_i_act_for(user).values("pk")
    qs = Enrolment.objects.filter(Q(resident__in=people) | Q(enrolled_by=user)).select_related(
        "activity__facility", "resident"
    ).order_by("-created_at", "-id")
    return qs


def with_positions(enrolments):
    """The enrolments (a queryset) with `.position` (1 = first in line) on each waiting one,
    counted in the same query."""
    ahead = (
        Enrolment.objects.filter(activity_id=OuterRef("activity_id"), state=E.WAITING, ticket__lt=OuterRef("ticket"))
        .order_by().values("activity_id").annotate(n=Count("pk")).values("n")
    )
    rows = list(enrolments.annotate(ahead=Coalesce(Subquery(ahead), 0)))
    for enrolment in rows:
        enrolment.position = enrolment.ahead + 1 if enrolment.state == E.WAITING else None
    return rows


def enrolment_for(user, enrolment_id):
    found = my_enrolments(user).filter(pk=enrolment_id).first()
    if found is None:
        found = scoped(user, Enrolment.objects.select_related("activity", "resident"), "activities.enrolment_view").filter(pk=enrolment_id).first()
    if found is None:
        raise NotFound(NOT_FOUND)
    return found


def attendance_for(user, attendance_id):
    found = Attendance.objects.select_related("enrolment__activity").filter(pk=attendance_id).first()
    if found is None or not can_run(user, found.enrolment.activity):
        raise NotFound(NOT_FOUND)
    return found


def attendance_today(activity, day):
    return {a.enrolment_id: a for a in Attendance.objects.filter(enrolment__activity=activity, on=day).select_related("by")}


def _communities_of(user):
    ids = {a.area_id for a in active_assignments(user) if a.area_id}
    ids |= {a.org.community_id for a in active_assignments(user) if a.org_id and a.org.community_id}
    home = _home_community_id(user)
    if home:
        ids.add(home)
    return ids


def teams_for(user):
    """The culture and sports teams of the user's communities, with members and party members
    counted from the roll and their practice times. Public facts: no names."""
    qs = Organisation.objects.filter(kind=Organisation.Kind.CULTURE_TEAM, is_active=True)
    if not getattr(user, "is_superuser", False):
        qs = qs.filter(community_id__in=_communities_of(user))
    return qs.annotate(
        member_count=Count("memberships", distinct=True),
        party_member_count=Count("memberships", filter=Q(memberships__is_party_member=True), distinct=True),
    ).order_by("name", "id")


def practices_of(teams):
    by_team = {}
    for practice in TeamPractice.objects.filter(team__in=[t.pk for t in teams]).select_related("facility"):
        by_team.setdefault(practice.team_id, []).append(practice)
    return by_team


def team_totals(teams):
    """(teams, members, party members) of `teams`, summed from their annotated counts."""
    teams = list(teams)
    return len(teams), sum(t.member_count for t in teams), sum(t.party_member_count for t in teams)


# --- 好家风 selection ----------------------------------------------------------------------------


def selections_for(user):
    from .models import Selection

    q = scope_q(user, "activities.view", Selection)
    community_id = _home_community_id(user)
    if community_id is not None:
        mine = Q(community_id=community_id)
        q = mine if q == NOTHING else q | mine
    if q == NOTHING:
        return Selection.objects.none()
    return (Selection.objects.filter(q) if q else Selection.objects.all()).order_by("-id")


def selection_for(user, selection_id):
    found = selections_for(user).filter(pk=selection_id).first()
    if found is None:
        raise NotFound(NOT_FOUND)
    return found


def candidates(selection, *, all_states=False):
    from .models import Nomination

    qs = Nomination.objects.filter(selection=selection).order_by("id")
    return qs if all_states else qs.filter(state=Nomination.State.ACCEPTED)


def nomination_for(user, nomination_id):
    from .models import Nomination

    found = Nomination.objects.filter(pk=nomination_id, selection__in=selections_for(user)).select_related("selection").first()
    if found is None:
        raise NotFound(NOT_FOUND)
    return found


def cockpit_tile(user):
    """The 数据驾驶舱's enrolment figures over the enrolments the user may see: places taken
    (enrolled or attended), waiting, and attendance against no-shows; activities open now."""
    held = (Enrolment.State.CONFIRMED, Enrolment.State.ATTENDED)
    figures = scoped(user, Enrolment.objects.all(), "activities.enrolment_view").aggregate(
        enrolled=Count("pk", filter=Q(state__in=held)),
        waiting=Count("pk", filter=Q(state__in=[Enrolment.State.APPLIED, Enrolment.State.WAITING,
                                                Enrolment.State.OFFERED])),
        attended=Count("pk", filter=Q(state=Enrolment.State.ATTENDED)),
        no_show=Count("pk", filter=Q(state=Enrolment.State.NO_SHOW)))
    figures["open_activities"] = scoped(user, Activity.objects.filter(
        state__in=[Activity.State.RENEWAL, Activity.State.APPLYING, Activity.State.OPEN]), "activities.view").count()
    return figures
