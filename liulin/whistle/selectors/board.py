"""The supervisor's board: overdue, near the deadline, most urged, awaiting a decision; each
column pages by key (`column_page`, the cursor of `core.pagination`) from either end."""

import datetime
import functools
import operator

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liulin.core import clock
from liulin.core.calendar import start_of_day
from liulin.core.errors import Invalid
from liulin.core.pagination import decode_cursor, encode_cursor
from liulin.core.permissions import has_perm_anywhere

from .. import sla, workflow
from ..models import AWAITING_DECISION, State, Ticket
from .tickets import WORKLIST_STATES, _with_row_relations, tickets_for
from .worklists import CLOCK_STATES, _in_order, first_in_scope, overdue_q

BOARD_LIMIT = 15  # per list: four lists of fifteen fit a phone screen as an overview, the counts say "15+"


def near_deadline_q(now):
    """On time, with the resolve deadline inside its policy's reminder window: one range on
    resolve_due per distinct window (`sla.reminder_leads`), all inside the longest, so a scope
    with few such tickets reads a few hours of deadlines, not days of them. (A deadline to
    accept that draws near is the handling unit's reminder; once missed, the ticket is on the
    overdue list.)"""
    leads = sla.reminder_leads()
    if not leads:
        return Q(pk__in=[])
    windows = [Q(policy_id__in=policies, resolve_due__lte=now + datetime.timedelta(minutes=lead)) for lead, policies in leads.items()]
    longest = datetime.timedelta(minutes=max(leads))
    return Q(resolve_due__gte=now, resolve_due__lte=now + longest) & functools.reduce(operator.or_, windows)


# Each column's order, first to last (field, descending), ending with the id that breaks
# ties, and what the two ends are called. The board shows the default end; a column page
# may start from the other ("最新"), which reads the same order backwards.
COLUMNS = {
    "overdue": ((("resolve_due", False), ("pk", False)), _("最早超时"), _("最新超时")),
    "near": ((("resolve_due", False), ("pk", False)), _("最先到期"), _("最后到期")),
    "urged": ((("urge_count", True), ("resolve_due", False), ("pk", False)), _("催办最多"), _("催办最少")),
    "pending": ((("resolve_due", False), ("pk", False)), _("时限最早"), _("时限最晚")),
}
_KINDS = {"resolve_due": datetime.datetime, "urge_count": int, "pk": int}


def _column_tickets(name, now):
    """The tickets of a board column, before scope and order. Every ticket on the board has
    been dispatched, so it has a resolve deadline (the keyset needs a value to compare)."""
    open_tickets = Ticket.objects.filter(state__in=WORKLIST_STATES)  # every open state after dispatch
    if name == "overdue":
        qs = open_tickets.filter(overdue_q(now))
    elif name == "near":
        qs = open_tickets.exclude(overdue_q(now)).filter(near_deadline_q(now), state__in=workflow.HANDLING_STATES)
    elif name == "urged":
        qs = open_tickets.filter(urge_count__gt=0)
    else:
        qs = Ticket.objects.filter(AWAITING_DECISION)
    return qs.filter(resolve_due__isnull=False)


def _order(name, newest):
    """(field, descending) of the column read from its default end, or from the other."""
    return [(field, desc != newest) for field, desc in COLUMNS[name][0]]


def _beyond(order, values):
    """Rows after the row whose sort key is `values`, in `order` (lexicographic keyset)."""
    after = Q(pk__in=[])
    for i, ((field, desc), value) in enumerate(zip(order, values, strict=True)):
        step = Q(**{f"{field}__{'lt' if desc else 'gt'}": value})
        for (earlier, _desc), earlier_value in zip(order[:i], values[:i], strict=True):
            step &= Q(**{earlier: earlier_value})
        after |= step
    return after


def decode_column_cursor(name, value):
    """The sort key a column page's cursor holds, or None for one that is not (the column then
    starts over)."""
    try:
        return decode_cursor(value or "", *[_KINDS[field] for field, _desc in COLUMNS[name][0]])
    except Invalid:
        return None


def _sort_key(name):
    """The column's default order as a Python sort key over the value rows (only integers
    descend there, so they are negated); the other end is the same key reversed."""
    order = COLUMNS[name][0]
    return lambda row: tuple(-getattr(row, field) if desc else getattr(row, field) for field, desc in order)


def column_ids(user, name, *, after=None, newest=False, limit=None, now=None):
    """Up to `limit` ids of board column `name` the user may see, from its default end (or
    the other, `newest`), after the sort key `after`; and the cursor of the next page (None
    at the end). A narrow query per way the user reaches tickets (`first_in_scope`): a page
    costs the same few queries however deep it is."""
    now = now or clock.now()
    limit = limit or BOARD_LIMIT
    order = _order(name, newest)
    qs = _column_tickets(name, now)
    if after is not None:
        qs = qs.filter(_beyond(order, after))
    fields = [field for field, _desc in order if field != "pk"]
    order_by = [F(field).desc() if desc else F(field).asc() for field, desc in order]
    ids = first_in_scope(user, qs, limit + 1, order_by=order_by, fields=fields, key=_sort_key(name), reverse=newest, perm="whistle.urge")
    return ids[:limit], len(ids) > limit


def column_page(user, name, *, after=None, newest=False, limit=None, now=None):
    """One page of a board column: (rows, next cursor or "")."""
    limit = limit or BOARD_LIMIT
    ids, more = column_ids(user, name, after=after, newest=newest, limit=limit, now=now)
    rows = _in_order(_with_row_relations(Ticket.objects.all()).in_bulk(ids), ids)
    return rows, _cursor_after(name, rows[-1]) if more and rows else ""


def _cursor_after(name, row):
    return encode_cursor(*[getattr(row, field) for field, _desc in COLUMNS[name][0]])


def supervisor_board(user, *, now=None):
    """What a supervisor watches: overdue, near the deadline (within the policy's reminder
    window), most urged, awaiting suspension approval, awaiting verification: the first
    BOARD_LIMIT of each column from its default end (`COLUMNS`), read as ids per way the user
    reaches tickets (`first_in_scope`), then one query fetches the rows of all four.
    `more[name]` is the cursor of the column's next page ("" when it has no more)."""
    now = now or clock.now()
    found_ids = {name: column_ids(user, name, now=now) for name in COLUMNS}
    # The rows carry no action flags: the board offers urging, and sends everything else to
    # the ticket's page.
    found = _with_row_relations(Ticket.objects.all()).in_bulk([pk for ids, _more in found_ids.values() for pk in ids])
    board = {name: _in_order(found, ids) for name, (ids, _more) in found_ids.items()}
    board["more"] = {name: _cursor_after(name, board[name][-1]) if more and board[name] else "" for name, (_ids, more) in found_ids.items()}
    return board


def supervises(user):
    """Whether the user dispatches or supervises tickets anywhere (the staff home's 雷锋哨 tile)."""
    return has_perm_anywhere(user, "whistle.dispatch") or has_perm_anywhere(user, "whistle.urge")


def supervision_summary(user, *, now=None):
    """The 雷锋哨 work of who dispatches or supervises, as the staff home opens with it: tickets
    to dispatch (of them 待定位), overdue (the board's 已超时 column), due by the end of today
    and not yet overdue, and awaiting a decision (the board's 待审批/核单), each counted over
    what the user may dispatch or urge. A figure is None where the user holds no such
    permission. Two queries."""
    now = now or clock.now()
    end_of_today = start_of_day(timezone.localdate(now) + datetime.timedelta(days=1))
    figures = {"to_dispatch": None, "unlocated": None, "overdue": None, "due_today": None, "pending": None}
    if has_perm_anywhere(user, "whistle.dispatch"):
        figures.update(tickets_for(user, "whistle.dispatch").filter(state=State.SUBMITTED).aggregate(
            to_dispatch=Count("pk"), unlocated=Count("pk", filter=Q(needs_location=True))))
    if has_perm_anywhere(user, "whistle.urge"):
        dated = Q(resolve_due__isnull=False)
        figures.update(tickets_for(user, "whistle.urge").aggregate(
            overdue=Count("pk", filter=Q(state__in=WORKLIST_STATES) & overdue_q(now) & dated),
            due_today=Count("pk", filter=Q(state__in=CLOCK_STATES, resolve_due__gte=now, resolve_due__lt=end_of_today)
                            & ~overdue_q(now)),
            pending=Count("pk", filter=AWAITING_DECISION & dated),
        ))
    return figures
