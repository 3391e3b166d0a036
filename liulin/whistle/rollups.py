"""KPI rollups: additive counters kept exact by the transaction that changes a ticket.

The callers of `events.append_event` (a step, intake, the deadline sweep's bulk append) call
`apply_events([(ticket, event)])` right after writing events, inside the same transaction (the
chain itself, core.chain, knows nothing of KPIs). `event_deltas` turns the
event - read together with the ticket's earlier events - into counter deltas for one month
and one cell (community, grid, category, handling unit), and `apply_deltas` adds them with
one INSERT ... ON CONFLICT DO UPDATE SET x = x + excluded.x (PostgreSQL, and SQLite 3.24+),
through the core counter `KPI` (core/counters.py).

`recompute` replays the stored events (and callbacks) from scratch through the very same
`event_deltas`, so the incremental counters and a recount can only differ when an event
bypassed `apply_events` or a rollup row was altered; `check_kpi_rollups` shows the
difference and can replace the rows. The rules (which month, which unit, reopen, merge,
suspension) are written in docs/kpi.md.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from liulin.core import counters
from liulin.core.calendar import month_bounds, month_start
from liulin.territory.models import Area

from .models import Callback, KpiRollup, Satisfaction, Ticket, TicketEvent, Tier

COUNTERS = (
    "filed",
    "dispatched",
    "accepted",
    "accepted_in_time",
    "accept_minutes_sum",
    "resolved",
    "resolved_in_time",
    "resolve_minutes_sum",
    "callbacks",
    "callbacks_valid",
    "callbacks_solved",
    "rated",
    "satisfied",
    "basic",
    "unsatisfied",
    "urges",
    "reopens",
    "escalations",
    "closed_grid",
    "closed_community",
    "closed_whistle",
    "merged",
    "withdrawn",
    "forwarded",
    "unresolvable",
)
KEY_FIELDS = ("grain", "month", "community_key", "grid_key", "category_key", "org_key")

ROUND_STARTS = frozenset({"dispatch", "reassign", "reopen"})
# End states that close a ticket without a verdict; a dispatch they cut short is not judged.
END_COUNTERS = {
    "merge": "merged",
    "withdraw": "withdrawn",
    "forward": "forwarded",
    "close_unresolvable": "unresolvable",
}
# Actions that end a dispatch round before acceptance (the unit is not judged on a round
# the dispatcher took back, or it returned, while its accept limit still ran).
ROUND_ENDERS = frozenset({"reassign", "return", *END_COUNTERS})
TIER_COUNTERS = {Tier.GRID: "closed_grid", Tier.COMMUNITY: "closed_community", Tier.WHISTLE: "closed_whistle"}
TIER_CHANGES = frozenset({"escalate", "whistle"})
# Actions whose deltas need the ticket's earlier events (the others are decided by the event alone).
COUNTED = frozenset({"file", "urge", *ROUND_STARTS, *ROUND_ENDERS, "accept", "suspend", "resume", "resolve", "verify", "callback",
                     *TIER_CHANGES})
NEEDS_HISTORY = COUNTED - {"file", "dispatch"}
RATING_COUNTERS = {Satisfaction.SATISFIED: "satisfied", Satisfaction.BASIC: "basic", Satisfaction.UNSATISFIED: "unsatisfied"}


def _minutes(delta):
    return max(int(delta.total_seconds() // 60), 0)


def _moment(value):
    """A deadline from event data (an ISO string after the JSON round trip) as an aware datetime."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value
    moment = parse_datetime(value)
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment, datetime.UTC)
    return moment


@dataclass
class Replay:
    """What the ticket's events say at one point of its life."""

    tier: int
    org: int | None = None
    accept_due: datetime.datetime | None = None
    resolve_due: datetime.datetime | None = None
    round_start: datetime.datetime | None = None
    round_month: datetime.date | None = None
    round_org: int | None = None
    round_accepted: bool = False
    suspended_since: datetime.datetime | None = None
    suspended: datetime.timedelta = field(default_factory=datetime.timedelta)
    resolved_at: datetime.datetime | None = None
    resolve_due_at_resolve: datetime.datetime | None = None
    resolved_by: int | None = None  # the unit whose member resolved it, while that resolve stands
    callbacks: int = 0

    def credited(self):
        """The unit credited with the outcome of the round (verification, callback): the one
        whose member resolved the ticket, else the one holding it."""
        return self.resolved_by if self.resolved_by is not None else self.org

    def advance(self, event):
        """Move past `event` (after its deltas were taken)."""
        data = event.data or {}
        action = event.action
        if action in ROUND_STARTS:
            if "org" in data:
                self.org = data["org"]
            self.round_start, self.round_month, self.round_org = event.at, month_start(event.at), self.org
            self.round_accepted = False
            self.suspended, self.suspended_since, self.resolved_at = datetime.timedelta(), None, None
            self.resolved_by = None
        if action == "return":
            self.org, self.round_start = None, None
        if "accept_due" in data or "resolve_due" in data:
            self.accept_due = _moment(data.get("accept_due"))
            self.resolve_due = _moment(data.get("resolve_due"))
        if action == "return":
            self.accept_due = self.resolve_due = None
        if action == "accept":
            self.round_accepted = True
        if action == "suspend":
            self.suspended_since = event.at
        if action == "resume" and self.suspended_since is not None:
            self.suspended += event.at - self.suspended_since
            self.suspended_since = None
        if action == "resolve":
            self.resolved_at, self.resolve_due_at_resolve = event.at, self.resolve_due
            self.resolved_by = acting_unit(event, self.org)
        if action in TIER_CHANGES and data.get("to_tier"):
            self.tier = int(data["to_tier"])
        if action == "callback":
            self.callbacks += 1


def acting_unit(event, default):
    """The unit whose member took `event` (recorded on the work steps since units were
    separated: workflow.UNIT_WORK), else `default` (older events: the unit holding the ticket)."""
    unit = (event.data or {}).get("unit")
    return int(unit) if unit else default


def initial_tier(ticket, events):
    """The tier before any escalation: the first tier change's `from_tier`, else the ticket's tier."""
    for event in events:
        if event.action in TIER_CHANGES and (event.data or {}).get("from_tier"):
            return int(event.data["from_tier"])
    return ticket.tier or Tier.GRID


def _verdict(ticket, event, replay):
    """(solved, satisfaction) of a callback event: its data, else the Callback row of its round."""
    data = event.data or {}
    if "satisfaction" in data:
        return data.get("solved"), data["satisfaction"]
    round_no = data.get("round") or replay.callbacks + 1
    row = Callback.objects.filter(ticket_id=ticket.pk, round=round_no).values_list("solved", "satisfaction").first()
    return row if row is not None else (None, Satisfaction.NOT_RATED)


def event_deltas(ticket, event, replay):
    """[(month, org id or None, {counter: delta})] for one event, given the replay of the
    ticket's events before it. Pure: reads nothing but its arguments (and, for a callback
    event without a verdict in its data, that round's Callback row)."""
    action = event.action
    if action not in COUNTED:
        return []
    data = event.data or {}
    month = month_start(event.at)
    out = []

    def add(at_month, org, **counts):
        out.append((at_month, org, counts))

    if action == "file":
        add(month, replay.org, filed=1)
        return out

    # A round cut short before acceptance while the accept limit still ran is not judged.
    if (
        action in ROUND_ENDERS
        and replay.round_start is not None
        and not replay.round_accepted
        and (replay.accept_due is None or event.at < replay.accept_due)
    ):
        add(replay.round_month, replay.round_org, dispatched=-1)

    if action in ROUND_STARTS:
        org = data.get("org", replay.org)
        counts = {"dispatched": 1}
        if action == "reopen":
            counts["reopens"] = 1
        add(month, org, **counts)
    elif action == "accept" and replay.round_start is not None:
        in_time = replay.accept_due is None or event.at <= replay.accept_due
        add(
            replay.round_month,
            acting_unit(event, replay.round_org),
            accepted=1,
            accepted_in_time=int(in_time),
            accept_minutes_sum=_minutes(event.at - replay.round_start),
        )
    elif action == "verify" and replay.resolved_at is not None and replay.round_start is not None:
        due = replay.resolve_due_at_resolve
        in_time = due is None or replay.resolved_at <= due
        handling = replay.resolved_at - replay.round_start - replay.suspended
        add(month, replay.credited(), resolved=1, resolved_in_time=int(in_time), resolve_minutes_sum=_minutes(handling))
    elif action == "callback":
        solved, satisfaction = _verdict(ticket, event, replay)
        counts = {"callbacks": 1, TIER_COUNTERS.get(replay.tier, "closed_whistle"): 1}
        if satisfaction in RATING_COUNTERS:
            counts.update(callbacks_valid=1, rated=1, callbacks_solved=int(solved is True))
            counts[RATING_COUNTERS[satisfaction]] = 1
        add(month, replay.credited(), **counts)
    elif action == "urge":
        add(month, replay.org, urges=1)
    elif action in TIER_CHANGES:
        to_tier, from_tier = data.get("to_tier"), data.get("from_tier", replay.tier)
        if to_tier and int(to_tier) > int(from_tier or 0):
            add(month, replay.org, escalations=1)
    elif action in END_COUNTERS:
        add(month, replay.org, **{END_COUNTERS[action]: 1})
    return out


@dataclass(frozen=True)
class Place:
    community: int
    area_path: str
    grid: int
    category: int


def place_of(ticket):
    """Where a ticket's counters go. Place and category are fixed at intake."""
    return Place(community=ticket.community_id, area_path=ticket.community.path, grid=ticket.grid_id, category=ticket.category_id)


def cells(place, deltas):
    """{key tuple: {counter: delta}} for the grid, community and area grains."""
    out = defaultdict(lambda: defaultdict(int))
    for month, org, counts in deltas:
        for grain, grid, category, unit in (
            (KpiRollup.Grain.GRID, place.grid, place.category, org or 0),
            (KpiRollup.Grain.COMMUNITY, 0, place.category, org or 0),
            (KpiRollup.Grain.AREA, 0, 0, 0),
        ):
            key = (str(grain), month, place.community, grid, category, unit)
            row = out[key]
            for name, value in counts.items():
                row[name] += value
    return out


HISTORY_FIELDS = ("ticket_id", "seq", "at", "action", "from_state", "to_state", "data")


def _replay(ticket, event, history):
    """What the ticket's earlier events (`history`, in order) say at `event`."""
    replay = Replay(tier=initial_tier(ticket, [*history, event]))
    for earlier in history:
        replay.advance(earlier)
    return replay


def apply_event(ticket, event):
    """Add one event's counter deltas to the rollups (call inside the event's transaction)."""
    apply_events([(ticket, event)])


def apply_events(pairs):
    """Add the counter deltas of [(ticket, event)] to the rollups: the earlier events of all
    the tickets are read in one query and every counter added in one statement (a step
    passes one pair, the deadline sweep hundreds)."""
    counted = [(ticket, event) for ticket, event in pairs if event.action in COUNTED]
    needing = {ticket.pk for ticket, event in counted if event.action in NEEDS_HISTORY}
    events_of = defaultdict(list)
    if needing:
        for earlier in TicketEvent.objects.filter(ticket_id__in=needing).order_by("ticket_id", "seq").only(*HISTORY_FIELDS):
            events_of[earlier.ticket_id].append(earlier)
    rows, paths = defaultdict(lambda: defaultdict(int)), {}
    for ticket, event in counted:
        history = [earlier for earlier in events_of[ticket.pk] if earlier.seq < event.seq]
        deltas = event_deltas(ticket, event, _replay(ticket, event, history))
        if not deltas:
            continue
        place = place_of(ticket)
        paths[place.community] = place.area_path
        for key, counts in cells(place, deltas).items():
            for name, value in counts.items():
                rows[key][name] += value
    upsert(rows, paths)


def upsert(rows, area_paths):
    """Add {key: {counter: delta}} to the table, creating missing rows, in one statement."""
    KPI.add(rows, {key: (area_paths[key[2]],) for key in rows})


# --- recount from scratch ---------------------------------------------------------------


def recount(*, months=None, chunk=2000):
    """{key: {counter: value}} recounted from every stored event of the tickets concerned.
    `months`: a list of first-of-month dates to keep (None: all). A delta for month M comes
    from an event in M or from a later event about a round begun in M, so replaying the
    whole history of every ticket with an event in M finds all of them."""
    tickets = Ticket.objects.all()
    if months is not None:
        months = sorted({month_start(m) for m in months})
        if not months:
            return {}
        window = TicketEvent.objects.none()
        for m in months:
            start, end = month_bounds(m)
            window = window | TicketEvent.objects.filter(at__gte=start, at__lt=end)
        tickets = tickets.filter(pk__in=window.values("ticket_id"))
    wanted = set(months) if months is not None else None
    totals = defaultdict(lambda: defaultdict(int))
    ids = list(tickets.order_by("pk").values_list("pk", flat=True))
    for offset in range(0, len(ids), chunk):
        batch = ids[offset : offset + chunk]
        by_ticket = defaultdict(list)
        for event in TicketEvent.objects.filter(ticket_id__in=batch).order_by("ticket_id", "seq"):
            by_ticket[event.ticket_id].append(event)
        for ticket in Ticket.objects.filter(pk__in=batch).select_related("community"):
            events = by_ticket.get(ticket.pk, [])
            replay = Replay(tier=initial_tier(ticket, events))
            deltas = []
            for event in events:
                deltas += event_deltas(ticket, event, replay)
                replay.advance(event)
            if wanted is not None:
                deltas = [d for d in deltas if d[0] in wanted]
            for key, counts in cells(place_of(ticket), deltas).items():
                for name, value in counts.items():
                    totals[key][name] += value
    return {key: dict(counts) for key, counts in totals.items() if any(counts.values())}


def _months_q(months=None):
    """The rollup rows of `months` (first-of-month dates; None: all)."""
    if months is None:
        return Q()
    return Q(month__in=sorted({month_start(m) for m in months}))


def _area_paths(keys):
    communities = {key[2] for key in keys}
    paths = dict(Area.objects.filter(pk__in=communities).values_list("pk", "path"))
    return {key: (paths[key[2]],) for key in keys}


# The KPI rollups as a core counter: the live path adds deltas with `KPI.add`, the check
# command compares with `recount` through `KPI.differences`.
KPI = counters.register(
    counters.Counter(
        name="whistle.kpi_rollup",
        model=KpiRollup,
        keys=KEY_FIELDS,
        counts=COUNTERS,
        attributes=("area_path",),
        attributes_of=_area_paths,
        recount=recount,
        where=_months_q,
    )
)


def stored(*, months=None):
    """{key: {counter: value}} as the table holds it (rows of all zeros left out)."""
    return KPI.stored(months=months)


def differences(*, months=None):
    """[(key, counter, stored, recounted)] wherever the table and a recount disagree."""
    return KPI.differences(months=months)


def recompute(*, months=None):
    """Replace the rollup rows of `months` (None: all) by a recount from scratch; returns the
    number of rows written. Run it where no ticket changes meanwhile (the check command's --fix)."""
    return KPI.recompute(months=months)
