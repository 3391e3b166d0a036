"""Every read of 议事, scoped to the reader: staff by their communities, grid workers by their
grids, organisations by the meetings they are invited to or whose estate they serve, a
resident by his own estate and his community's community-wide meetings."""

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from liulin.core import clock
from liulin.core.errors import Conflict, NotFound
from liulin.core.permissions import NOT_FOUND, scope_q
from liulin.core.roles import Role

from .models import (
    ActionItem,
    Attendance,
    BallotChoice,
    Capacity,
    Decision,
    ItemState,
    Meeting,
    Poll,
    PollState,
    State,
)


def resident_meetings_q(user):
    """The meetings a resident may see: his estate's, and his community's community-wide ones."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "resident_id", None):
        return None
    from liulin.core.permissions import active_assignments

    if not any(a.role == Role.RESIDENT for a in active_assignments(user)):
        return None
    household = getattr(user.resident, "household", None)
    if household is None:
        return None
    return Q(estate_id=household.building.estate_id) | Q(estate__isnull=True, community_id=household.community_id)


def may_open(user):
    """Whether the 议事 pages are for `user`: a role that sees meetings, or a resident with a home."""
    from liulin.core.permissions import has_perm_anywhere

    return has_perm_anywhere(user, "deliberation.view") or resident_meetings_q(user) is not None


def meetings_q(user):
    q = scope_q(user, "deliberation.view", Meeting)
    resident = resident_meetings_q(user)
    return q | resident if resident is not None else q


def meetings_for(user, *, kind=None, state=None):
    qs = Meeting.objects.filter(meetings_q(user)).select_related("community", "estate", "venue")
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-starts_at", "-pk")


def meeting_for(user, pk):
    meeting = meetings_for(user).filter(pk=pk).first()
    if meeting is None:
        raise NotFound(_(NOT_FOUND))
    return meeting


def attendance_of(user, meeting):
    """The user's own sign-in at `meeting`, by his resident record or his account."""
    if not getattr(user, "is_authenticated", False):
        return None
    person = Q(user=user)
    if getattr(user, "resident_id", None):
        person |= Q(resident_id=user.resident_id)
    return Attendance.objects.filter(person, meeting=meeting).first()


def attendances(meeting):
    """The sign-in sheet (names shown to those who may see the meeting; counts everywhere else)."""
    return meeting.attendances.order_by("signed_at", "pk")


def attendance_counts(meeting):
    rows = dict(meeting.attendances.values_list("capacity").annotate(n=Count("pk")).order_by())
    return {"voters": rows.get(Capacity.VOTER, 0), "observers": rows.get(Capacity.OBSERVER, 0)}


def tally(poll):
    """{option label: ballots choosing it}, in the options' order, and the number of ballots."""
    counts = dict(BallotChoice.objects.filter(ballot__poll=poll).values_list("option_id").annotate(n=Count("pk")).order_by())
    return {"options": [[o.label, counts.get(o.pk, 0)] for o in poll.options.all()], "ballots": poll.ballots.count()}


def tallies(polls):
    """`tally` of each poll in `polls` (options prefetched), in two queries whatever their number."""
    ids = [p.pk for p in polls]
    counts = dict(BallotChoice.objects.filter(ballot__poll_id__in=ids).values_list("option_id").annotate(n=Count("pk")).order_by())
    from .models import Ballot

    ballots = dict(Ballot.objects.filter(poll_id__in=ids).values_list("poll_id").annotate(n=Count("pk")).order_by())
    return {p.pk: {"options": [[o.label, counts.get(o.pk, 0)] for o in p.options.all()], "ballots": ballots.get(p.pk, 0)}
            for p in polls}


def results(user, poll):
    """The poll's counts; while a poll that hides its results is open, nobody sees them."""
    meeting_for(user, poll.meeting_id)
    if poll.state == PollState.OPEN and poll.hide_results:
        raise Conflict(_("表决结束后才公布结果。"), code="results_hidden")
    return tally(poll)


def polls_of(meeting):
    return meeting.polls.prefetch_related("options").order_by("pk")


def poll_for(user, pk):
    poll = Poll.objects.select_related("meeting").filter(pk=pk).first()
    if poll is None:
        raise NotFound(_(NOT_FOUND))
    meeting_for(user, poll.meeting_id)
    return poll


def decisions_seen(user, community, ids):
    """{id: decision} of those of `ids` whose meeting is of `community` and seen by `user`."""
    if not ids or community is None:
        return {}
    return {d.pk: d for d in Decision.objects.filter(pk__in=ids, meeting__in=meetings_for(user).filter(community=community))}


def agenda_of(user, meeting):
    """The agenda; an item's earlier decision is shown (`earlier_shown`) only to those who
    see the meeting that took it."""
    rows = list(meeting.agenda.select_related("earlier_decision"))
    linked = {a.earlier_decision.meeting_id for a in rows if a.earlier_decision_id}
    seen = set(meetings_for(user).filter(pk__in=linked).values_list("pk", flat=True)) if linked else set()
    for a in rows:
        a.earlier_shown = a.earlier_decision if a.earlier_decision_id and a.earlier_decision.meeting_id in seen else None
    return rows


def decisions_of(meeting):
    return meeting.decisions.prefetch_related("action_items__owner", "action_items__owner_org").order_by("pk")


def items_q(user):
    q = scope_q(user, "deliberation.view", ActionItem)
    resident = resident_meetings_q(user)
    if resident is not None:
        q |= Q(meeting__in=Meeting.objects.filter(resident))
    return q


def action_item_for(user, pk):
    item = ActionItem.objects.filter(items_q(user), pk=pk).select_related("meeting", "decision").first()
    if item is None:
        raise NotFound(_(NOT_FOUND))
    return item


def overdue_items(user, *, today=None):
    """Unfinished action items past their due date, that the reader may see: the community's list."""
    today = today or clock.today()
    return (ActionItem.objects.filter(items_q(user), state__in=[ItemState.OPEN, ItemState.ORDERED], due_date__lt=today)
            .exclude(meeting__state=State.CANCELLED)
            .select_related("meeting", "owner", "owner_org").order_by("due_date", "pk"))


def item_counts(user):
    rows = dict(ActionItem.objects.filter(items_q(user)).values_list("state").annotate(n=Count("pk")).order_by())
    return {state: rows.get(state, 0) for state in ItemState.values}


# --- what the forms offer -----------------------------------------------------------------


def _convening_communities(user):
    from liulin.territory.models import Area

    return scoped_areas(user, Area.objects.filter(kind=Area.Kind.COMMUNITY))


def scoped_areas(user, queryset):
    """Communities under the areas where `user` may convene."""
    from liulin.core.permissions import active_assignments, roles_with

    if getattr(user, "is_superuser", False):
        return queryset
    roles = roles_with("deliberation.convene")
    q = Q(pk__in=[])
    for a in active_assignments(user):
        if a.role in roles and a.area_id:
            q |= Q(path__startswith=a.area.path)
    return queryset.filter(q)


def estates_for_convening(user):
    from liulin.territory.models import Estate

    return Estate.objects.filter(community__in=_convening_communities(user)).order_by("name")


def venues_for_convening(user):
    from liulin.territory.models import Facility

    return Facility.objects.filter(community__in=_convening_communities(user)).order_by("name")


def orgs_for_convening(user):
    from liulin.orgs.models import Organisation

    return Organisation.objects.filter(community__in=_convening_communities(user)).order_by("kind", "name")


def community_for_convening(user, estate=None, venue=None):
    if estate is not None:
        return estate.community
    if venue is not None:
        return venue.community
    return _convening_communities(user).order_by("path").first()


def polls_voted(attendance):
    if attendance is None:
        return []
    return attendance.ballots.values_list("poll_id", flat=True)


def own_org_ids(user):
    from liulin.core.permissions import active_assignments

    return {a.org_id for a in active_assignments(user) if a.org_id}


def invitation_of(meeting, pk):
    invitation = meeting.invitations.select_related("meeting", "org").filter(pk=pk).first()
    if invitation is None:
        raise NotFound(_(NOT_FOUND))
    return invitation


def residents_to_sign_in(user, meeting):
    """Residents staff may sign in: those of the meeting's estate (or community) whom they may see."""
    from liulin.core.permissions import scoped
    from liulin.people.models import Resident

    qs = Resident.objects.filter(household__community_id=meeting.community_id)
    if meeting.estate_id:
        qs = qs.filter(household__building__estate_id=meeting.estate_id)
    return scoped(user, qs, "people.view").select_related("household__building").order_by("household__building__name",
                                                                                          "household__room", "name")[:500]


def possible_owners(meeting):
    """Who can own an action item: the community's staff and the invited parties' people."""
    from liulin.accounts.models import RoleAssignment, User

    org_ids = list(meeting.invitations.values_list("org_id", flat=True))
    users = RoleAssignment.objects.filter(Q(area__path__startswith=_community_path(meeting)) | Q(org_id__in=org_ids)
                                          | Q(grid__community_id=meeting.community_id), active=True).exclude(role=Role.RESIDENT)
    return User.objects.filter(pk__in=users.values("user_id")).order_by("name")


def _community_path(meeting):
    return meeting.community.path


def parties(meeting):
    from liulin.orgs.models import Organisation

    return Organisation.objects.filter(pk__in=meeting.invitations.values("org_id")).order_by("name")


def orgs_to_invite(meeting, *, invited=False):
    """The organisations of the meeting's community that may be invited, those already invited
    left out unless `invited` (one invitation per party: the service refuses a second)."""
    from liulin.orgs.models import Organisation

    orgs = Organisation.objects.filter(community_id=meeting.community_id)
    if not invited:
        orgs = orgs.exclude(pk__in=meeting.invitations.values("org_id"))
    return orgs.order_by("kind", "name")


def buildings_of(meeting):
    """The buildings an action item of `meeting` can name: its estate's, else its community's."""
    from liulin.territory.models import Building

    qs = Building.objects.filter(estate_id=meeting.estate_id) if meeting.estate_id else Building.objects.filter(
        community_id=meeting.community_id)
    return qs.select_related("estate").order_by("estate__name", "name")


def cockpit_tile(user):
    """The 数据驾驶舱's 议事 figures over the meetings the user may see: meetings held (and
    cancelled), decisions taken, and what became of the action items (done, ordered, open)."""
    from django.db.models import Count, Q

    from liulin.core.permissions import scoped

    from .models import ActionItem, Decision, ItemState, State

    meetings = scoped(user, Meeting.objects.all(), "deliberation.view")
    held = meetings.aggregate(held=Count("pk", filter=Q(state=State.HELD)),
                              upcoming=Count("pk", filter=Q(state__in=[State.NOTICED, State.IN_SESSION])))
    decisions = Decision.objects.filter(meeting__in=meetings.values("pk")).count()
    items = scoped(user, ActionItem.objects.all(), "deliberation.view").aggregate(
        total=Count("pk"), done=Count("pk", filter=Q(state=ItemState.DONE)),
        ordered=Count("pk", filter=Q(state=ItemState.ORDERED)), open=Count("pk", filter=Q(state=ItemState.OPEN)))
    return {"held": held["held"], "upcoming": held["upcoming"], "decisions": decisions, "items": items}
