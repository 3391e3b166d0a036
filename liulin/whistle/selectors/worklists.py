"""Queues and worklists: the dispatch queue and the keyset-paged worklist."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.utils import timezone

from liulin.core import clock
from liulin.core.calendar import start_of_day
from liulin.core.errors import Invalid
from liulin.core.pagination import decode_cursor, encode_cursor
from liulin.core.permissions import scope_terms

from ..models import Category, State, Ticket
from .tickets import (
    PAGE_SIZE,
    WORKLIST_STATES,
    _with_relations,
    _with_row_relations,
    allowed_actions,
    tickets_for,
    with_allowed,
)


@dataclass
class QueueFilters:
    category: Category | None = None
    grid: object = None
    channel: str = ""
    urgency: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    unlocated: bool = False  # only tickets whose address is 待定位


def dispatch_queue(user, filters=None):
    """SUBMITTED tickets the user may dispatch, oldest and most urgent first."""
    f = filters or QueueFilters()
    tickets = _with_relations(tickets_for(user, "whistle.dispatch")).filter(state=State.SUBMITTED)
    if f.category is not None:
        tickets = tickets.filter(Q(category=f.category) | Q(category__parent=f.category))
    if f.grid is not None:
        tickets = tickets.filter(grid=f.grid)
    if f.channel:
        tickets = tickets.filter(channel=f.channel)
    if f.urgency:
        tickets = tickets.filter(urgency=f.urgency)
    if f.unlocated:
        tickets = tickets.filter(needs_location=True)
    if f.date_from:
        tickets = tickets.filter(created_at__gte=start_of_day(f.date_from))
    if f.date_to:
        tickets = tickets.filter(created_at__lt=start_of_day(f.date_to + datetime.timedelta(days=1)))
    return tickets.annotate(emergency_first=Q(urgency="emergency")).order_by("-emergency_first", "created_at", "id")


def overdue_q(now):
    return Q(resolve_overdue=True) | Q(accept_overdue=True) | Q(resolve_due__lt=now)


def _segments(now):
    """The worklist's parts in page order, each read in (resolve_due, id) order from an index:
    overdue; on time (a range from now); no deadline at all (none after dispatch, in practice)."""
    on_time = Q(resolve_overdue=False, accept_overdue=False, resolve_due__gte=now)
    return ((0, overdue_q(now) & Q(resolve_due__isnull=False)), (1, on_time), (2, Q(resolve_due__isnull=True)))


# Handling under way: the unit has accepted it, or works on it, or it is paused.
IN_HAND_STATES = (State.ACCEPTED, State.IN_PROGRESS, State.SUSPENDED)
# Whose clock runs: what can be overdue or due today (a paused or resolved ticket cannot).
CLOCK_STATES = (State.DISPATCHED, State.ACCEPTED, State.IN_PROGRESS)


def worklist_summary(user, *, now=None):
    """The counts at the top of the worklist, over the tickets it lists: to accept, in
    hand, overdue and due by the end of today (not yet overdue). One query."""
    now = now or clock.now()
    end_of_today = start_of_day(timezone.localdate(now) + datetime.timedelta(days=1))
    running = Q(state__in=CLOCK_STATES)
    overdue = running & overdue_q(now)
    return tickets_for(user).filter(state__in=WORKLIST_STATES).aggregate(
        to_accept=Count("pk", filter=Q(state=State.DISPATCHED)),
        in_hand=Count("pk", filter=Q(state__in=IN_HAND_STATES)),
        overdue=Count("pk", filter=overdue),
        due_today=Count("pk", filter=running & Q(resolve_due__lt=end_of_today) & ~overdue_q(now)),
    )


@dataclass
class Cursor:
    """Where a worklist page ends: the segment (see `_segments`), resolve_due and id; written
    as the one keyset cursor of the API and the pages (`core.pagination`)."""

    segment: int
    due: datetime.datetime | None
    pk: int

    def encode(self):
        return encode_cursor(self.segment, self.due, self.pk)

    @classmethod
    def decode(cls, value):
        """The cursor in `value`, or None for one that is not (the page then starts over)."""
        try:
            segment, due, pk = decode_cursor(value or "", int, datetime.datetime, int, nullable=(1,))
        except Invalid:
            return None
        return cls(segment, due, pk) if segment in (0, 1, 2) else None


def _after(cursor):
    """The rows after the cursor in its segment's (resolve_due, id) order, with the due date as
    a plain lower bound, so an index range starts there."""
    if cursor.due is None:
        return Q(pk__gt=cursor.pk)
    return Q(resolve_due__gte=cursor.due) & (Q(resolve_due__gt=cursor.due) | Q(pk__gt=cursor.pk))


_NO_DUE = datetime.datetime.max.replace(tzinfo=datetime.UTC)


WORKLIST_ORDER = (F("resolve_due").asc(nulls_last=True), "id")


def _worklist_key(row):
    """resolve_due (tickets without one last), then id: WORKLIST_ORDER in Python."""
    return (row.resolve_due or _NO_DUE, row.pk)


def first_in_scope(user, queryset, count, *, order_by, fields, key, reverse=False, perm="whistle.view"):
    """The ids of the first `count` tickets of `queryset` in `order_by` that `user` may see.

    One narrow query per way the user reaches tickets (his terms in the permission layer):
    ids and sort keys only, no joins, so the database plans each on its own index instead of
    scanning every open ticket behind an OR and a dozen joins. `key(row)` sorts the rows
    (named tuples of pk and `fields`) as `order_by` does."""
    found = {}
    for term in scope_terms(user, perm, Ticket):
        for row in queryset.filter(term).order_by(*order_by).values_list("pk", *fields, named=True)[:count]:
            found[row.pk] = row
    return [row.pk for row in sorted(found.values(), key=key, reverse=reverse)[:count]]


def tickets_by_id(queryset, ids):
    """The tickets of `ids` from `queryset` (joins and flags for a page), in the order of `ids`
    (so the database is not asked to sort them by the model's default order first)."""
    return _in_order(queryset.order_by().in_bulk(ids), ids)


def _in_order(found, ids):
    return [found[pk] for pk in ids if pk in found]


def worklist(user, *, after=None, limit=PAGE_SIZE, now=None):
    """Open tickets in the user's scope that someone must act on: overdue first, then by
    resolve deadline. Returns (rows, next_cursor or None). Per segment (`_segments`), a
    narrow query per way the user reaches tickets, then one query for the page's rows."""
    now = now or clock.now()
    open_tickets = Ticket.objects.filter(state__in=WORKLIST_STATES)
    page = []  # (segment, id)
    for segment, in_segment in _segments(now):
        if after is not None and segment < after.segment:
            continue
        qs = open_tickets.filter(in_segment)
        if after is not None and segment == after.segment:
            qs = qs.filter(_after(after))
        ids = first_in_scope(user, qs, limit + 1 - len(page), order_by=WORKLIST_ORDER, fields=("resolve_due",), key=_worklist_key)
        page += [(segment, pk) for pk in ids]
        if len(page) > limit:
            break
    segments = {pk: segment for segment, pk in page}
    rows = tickets_by_id(with_allowed(_with_row_relations(Ticket.objects.all()), user), [pk for _, pk in page])
    for ticket in rows:
        ticket.segment = segments[ticket.pk]
        ticket.overdue = ticket.segment == 0 or ticket.accept_overdue or ticket.resolve_overdue
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = Cursor(last.segment, last.resolve_due, last.pk)
    for ticket in rows:
        ticket.allowed = allowed_actions(ticket)
    return rows, next_cursor


@dataclass
class TicketFilters:
    """The API's ticket list filters (validated by the API)."""

    states: list | None = None
    category_code: str | None = None  # the category or its children
    grid_id: int | None = None
    handling_org_id: int | None = None
    created_after: datetime.datetime | None = None
    created_before: datetime.datetime | None = None


def newest_tickets(user, filters, *, after=None, limit=PAGE_SIZE):
    """Up to `limit` tickets the user may see, newest first (created_at, id), after the
    keyset `after` = (created_at, id) of the last row of the previous page; ids per way the
    user reaches tickets (`first_in_scope`), then one query for the rows."""
    f = filters
    tickets = Ticket.objects.all()
    if f.states:
        tickets = tickets.filter(state__in=f.states)
    if f.category_code:
        tickets = tickets.filter(Q(category__code=f.category_code) | Q(category__parent__code=f.category_code))
    if f.grid_id is not None:
        tickets = tickets.filter(grid_id=f.grid_id)
    if f.handling_org_id is not None:
        tickets = tickets.filter(handling_org_id=f.handling_org_id)
    if f.created_after is not None:
        tickets = tickets.filter(created_at__gte=f.created_after)
    if f.created_before is not None:
        tickets = tickets.filter(created_at__lt=f.created_before)
    if after is not None:
        at, pk = after
        # The plain bound lets an index on created_at start at the cursor; the OR breaks ties.
        tickets = tickets.filter(Q(created_at__lte=at) & (Q(created_at__lt=at) | Q(pk__lt=pk)))
    ids = first_in_scope(
        user, tickets, limit, order_by=("-created_at", "-id"), fields=("created_at",),
        key=lambda row: (row.created_at, row.pk), reverse=True,
    )
    return tickets_by_id(Ticket.objects.select_related("category__parent", "handling_org", "grid", "community"), ids)
