"""The supervisor's board: overdue, near the deadline, most urged, awaiting a decision."""

import datetime
import functools
import operator

from django.db.models import F, Q

from liulin.core import clock

from .. import sla, workflow
from ..models import AWAITING_DECISION, Ticket
from .tickets import WORKLIST_STATES, _with_row_relations
from .worklists import WORKLIST_ORDER, _in_order, _worklist_key, first_in_scope, overdue_q

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


def supervisor_board(user, *, now=None):
    """What a supervisor watches: overdue, near the deadline (within the policy's reminder
    window), most urged, awaiting suspension approval, awaiting verification. Each list is
    read as ids per way the user reaches tickets (`first_in_scope`), then one query fetches
    the rows of all four."""
    now = now or clock.now()
    open_tickets = Ticket.objects.filter(state__in=WORKLIST_STATES)  # every open state after dispatch

    def first(qs, count=BOARD_LIMIT, *, order_by=WORKLIST_ORDER, fields=("resolve_due",), key=_worklist_key):
        return first_in_scope(user, qs, count, order_by=order_by, fields=fields, key=key, perm="whistle.urge")

    overdue = first(open_tickets.filter(overdue_q(now)))
    near = first(open_tickets.exclude(overdue_q(now)).filter(near_deadline_q(now), state__in=workflow.HANDLING_STATES))
    urged = first(
        open_tickets.filter(urge_count__gt=0),
        order_by=(F("urge_count").desc(), *WORKLIST_ORDER),
        fields=("urge_count", "resolve_due"),
        key=lambda row: (-row.urge_count, *_worklist_key(row)),
    )
    pending = first(Ticket.objects.filter(AWAITING_DECISION))
    # The rows carry no action flags: the board offers urging, and sends everything else to
    # the ticket's page.
    found = _with_row_relations(Ticket.objects.all()).in_bulk([*overdue, *near, *urged, *pending])
    lists = {"overdue": overdue, "near": near, "urged": urged, "pending": pending}
    return {name: _in_order(found, ids) for name, ids in lists.items()}
