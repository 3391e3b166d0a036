"""Time limits (督单): which policy applies, when a step is due, and the pause while suspended.

The figures live in SlaPolicy rows (seeded from 12345 practice, edited in admin), never in
code. A policy counts in working time (the work calendar) or in calendar time.
"""

import datetime

from liulin.core import calendar as workcal
from liulin.core.errors import Invalid
from liulin.core.memo import memoized

from .models import Category, CategoryPolicy, SlaPolicy, State

# While a ticket waits for acceptance the accept limit runs; until it is resolved the resolve limit runs.
ACCEPT_PENDING = frozenset({State.DISPATCHED})
RESOLVE_PENDING = frozenset({State.DISPATCHED, State.ACCEPTED, State.IN_PROGRESS})


def policy_for(category, urgency):
    """The policy for `urgency` on `category`, else on its nearest ancestor that has one,
    else the SlaPolicy whose code is the urgency."""
    policy = _policy(tuple(c.pk for c in category.lineage()), urgency)
    if policy is None:
        raise Invalid(f"类别“{category}”没有“{urgency}”的办理时限，请在后台配置。", code="no_policy")
    return policy


@memoized(Category, CategoryPolicy, SlaPolicy)
def _policy(category_ids, urgency):
    by_category = {
        cp.category_id: cp.policy
        for cp in CategoryPolicy.objects.filter(category_id__in=category_ids, urgency=urgency).select_related("policy")
    }
    for category_id in category_ids:
        if category_id in by_category:
            return by_category[category_id]
    return SlaPolicy.objects.filter(code=urgency).first()


def shift(moment, duration, policy, calendar=None):
    """`moment` plus `duration` of the policy's kind of time."""
    if policy.working_time:
        return workcal.add_working_time(moment, duration, calendar)
    return moment + duration


def elapsed(start, end, policy, calendar=None):
    """The policy's kind of time between `start` and `end`."""
    if policy.working_time:
        return workcal.working_time_between(start, end, calendar)
    return max(end - start, datetime.timedelta(0))


def due(start, minutes, policy, calendar=None):
    """When a limit of `minutes` starting at `start` runs out under `policy`."""
    return shift(start, datetime.timedelta(minutes=minutes), policy, calendar)


def start_clocks(ticket, now, calendar=None):
    """Set fresh accept and resolve deadlines from `now` (at dispatch, reassign and reopen).
    Returns the changed field names; the caller saves them."""
    policy = ticket.policy
    ticket.accept_due = due(now, policy.accept_minutes, policy, calendar)
    ticket.resolve_due = due(now, policy.resolve_minutes, policy, calendar)
    ticket.accept_overdue = False
    ticket.resolve_overdue = False
    ticket.reminded = False
    ticket.accept_escalated = False
    ticket.suspended_at = None
    return ["accept_due", "resolve_due", "accept_overdue", "resolve_overdue", "reminded", "accept_escalated", "suspended_at"]


def pause(ticket, now):
    """Stop the clock at `now` (the ticket is being suspended)."""
    ticket.suspended_at = now
    return ["suspended_at"]


def resume(ticket, now, calendar=None):
    """Restart the clock: every limit still running moves later by the time spent suspended.
    A limit already breached stays where it was, so the breach is not hidden."""
    if ticket.suspended_at is None:
        return []
    paused = elapsed(ticket.suspended_at, now, ticket.policy, calendar)
    clock_state = ticket.state_before_suspension or ticket.state
    if ticket.accept_due and clock_state in ACCEPT_PENDING and not ticket.accept_overdue:
        ticket.accept_due = shift(ticket.accept_due, paused, ticket.policy, calendar)
    if ticket.resolve_due and clock_state in RESOLVE_PENDING and not ticket.resolve_overdue:
        ticket.resolve_due = shift(ticket.resolve_due, paused, ticket.policy, calendar)
    ticket.suspended_at = None
    return ["accept_due", "resolve_due", "suspended_at"]


@memoized(SlaPolicy)
def reminder_leads():
    """{remind_before_minutes: (policy ids)}, shortest lead first: the few distinct reminder
    windows, so a query can compare each deadline with a plain range per window instead of
    joining the policy."""
    leads = {}
    for pk, lead in SlaPolicy.objects.order_by("remind_before_minutes", "pk").values_list("pk", "remind_before_minutes"):
        leads.setdefault(lead, []).append(pk)
    return {lead: tuple(ids) for lead, ids in leads.items()}


def reminder_at(ticket, due_at):
    return due_at - datetime.timedelta(minutes=ticket.policy.remind_before_minutes)


def accept_escalation_at(ticket):
    """When a missed acceptance raises the ticket one tier (the policy's grace after the accept
    deadline, calendar time), or None when the policy only flags it or it has already happened."""
    policy = ticket.policy
    grace = policy.accept_escalate_after_minutes
    if ticket.state not in ACCEPT_PENDING or not ticket.accept_due or ticket.accept_escalated:
        return None
    if grace is None or not policy.escalate_on_breach:
        return None
    return ticket.accept_due + datetime.timedelta(minutes=grace)


@memoized(SlaPolicy)
def accept_escalation_graces():
    """{grace minutes: (policy ids)} of the policies whose accept breach escalates: one range
    per distinct grace, as the reminders do."""
    graces = {}
    rows = SlaPolicy.objects.filter(escalate_on_breach=True, accept_escalate_after_minutes__isnull=False)
    for pk, grace in rows.order_by("accept_escalate_after_minutes", "pk").values_list("pk", "accept_escalate_after_minutes"):
        graces.setdefault(grace, []).append(pk)
    return {grace: tuple(ids) for grace, ids in graces.items()}


def next_check_at(ticket):
    """The next moment something about this ticket's deadlines falls due (a reminder or a
    breach), or None when no clock runs."""
    moments = []
    if ticket.state in ACCEPT_PENDING and ticket.accept_due and not ticket.accept_overdue:
        moments.append(ticket.accept_due)
        if not ticket.reminded:
            moments.append(reminder_at(ticket, ticket.accept_due))
    if ticket.state in RESOLVE_PENDING and ticket.resolve_due and not ticket.resolve_overdue:
        moments.append(ticket.resolve_due)
        if not ticket.reminded and ticket.state not in ACCEPT_PENDING:
            moments.append(reminder_at(ticket, ticket.resolve_due))
    if (escalation := accept_escalation_at(ticket)) is not None:
        moments.append(escalation)
    return min(moments) if moments else None
