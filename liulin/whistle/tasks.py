"""Deadline supervision (督单) in the background.

After every step the workflow queues `check_ticket_deadlines(ticket_id)` to run at the
ticket's next reminder or deadline (django-tasks, `run_after`). The check and the periodic
sweep (`sweep_deadlines`, run every minute by `manage.py run_periodic`, declared in
whistle's AppConfig) share one set-based pass:

1. accept breach: DISPATCHED and accept_due passed → accept_overdue, event "overdue"; still
   not accepted the policy's grace later (`accept_escalate_after_minutes`) → accept_escalated
   and, where the policy says so and the tier allows, one tier up (to the grid's supervisor),
   event "escalate" {"automatic": true, "deadline": "accept"};
2. resolve breach: still being handled and resolve_due passed → resolve_overdue, event
   "overdue", and, where the policy says so and the tier allows, one tier up with event
   "escalate" {"automatic": true};
3. reminder: within the policy's remind_before_minutes of the running deadline → reminded,
   internal event "remind", and the handling unit is told.

Each step is an UPDATE ... WHERE <not yet flagged> on a batch of locked rows, so a check that
runs twice or late does nothing twice, and the work is proportional to the tickets whose
moment has come, not to the open tickets (partial indexes on the running, unflagged and
unreminded deadlines). The three kinds are claimed together and their events, KPI counters
and notices written together, batch by batch, so a pass costs a fixed handful of queries
plus the work of what is due. Suspended tickets are skipped: their clock does not run.
"""

import copy
import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_noop as N_
from django_tasks import task

from liulin.core import clock
from liulin.core.tasks import bulk_schedule_at, schedule_at

from . import notifications, rollups, sla
from .events import append_events
from .models import Ticket, Tier
from .services import tiers

BATCH_SIZE = 500
ACCEPT_PENDING = list(sla.ACCEPT_PENDING)
RESOLVE_PENDING = list(sla.RESOLVE_PENDING)
RESOLVE_ONLY_PENDING = [s for s in sla.RESOLVE_PENDING if s not in sla.ACCEPT_PENDING]


# -- the set-based pass --------------------------------------------------------------------


def _append_system_events(specs, now):
    """Append events made by the system (no actor) to many tickets at once, keeping each chain
    (the caller adds their KPI counters, same transaction)."""
    return append_events(
        [
            (spec["ticket"], {"actor": None, "action": spec["action"], "from_state": spec["ticket"].state,
                              "to_state": spec["ticket"].state, "reason": spec.get("reason", ""), "data": spec.get("data"),
                              "internal": spec.get("internal", False), "at": now})
            for spec in specs
        ]
    )


def _claim_batch(candidates, batch_size):
    """Lock up to `batch_size` candidate rows (skipping rows another worker holds)."""
    return list(candidates.select_for_update(skip_locked=True, of=("self",)).order_by().values_list("pk", flat=True)[:batch_size])


@dataclass
class Check:
    """One kind of deadline check: its counter name, the tickets due for it, how to flag them
    (`flag(tickets as before)` updates their rows in one statement; checks that share a flag
    are flagged in one call), what that UPDATE sets, on one ticket in memory (`apply(ticket)`,
    written beside it), and the events they get (`events_for(tickets as before)`). A breach
    needs its deadline passed and a reminder its deadline ahead, so no ticket is due for both
    in one batch."""

    name: str
    candidates: object
    flag: Callable
    apply: Callable
    events_for: Callable
    escalate: Callable | None = None  # (claimed tickets as flagged): raise the tiers due


def _run_batch(checks, now, batch_size):
    """Claim a batch of each check, flag them, and write the events, counters and notices of
    all of them together, in one transaction. Returns {check name: ids claimed}."""
    with transaction.atomic():
        claimed = {check.name: _claim_batch(check.candidates, batch_size) for check in checks}
        every_id = {pk for ids in claimed.values() for pk in ids}
        if not every_id:
            return claimed
        related = ("policy", "category", "community", "handling_org")
        before = Ticket.objects.select_related(*related).in_bulk(every_id)
        for flag, ids in _ids_by_flag(checks, claimed).items():
            flag([before[pk] for pk in ids])
        after = _flagged(checks, claimed, before)
        specs = [spec for check in checks for spec in check.events_for([before[pk] for pk in claimed[check.name]])]
        built = _append_system_events(specs, now)
        rollups.apply_events(built)
        for check in checks:
            if check.escalate is not None and claimed[check.name]:
                check.escalate([after[pk] for pk in claimed[check.name]])
        notifications.notify_transitions([(after[ticket.pk], event) for ticket, event in built])
    return claimed


def _flagged(checks, claimed, before):
    """The claimed tickets as their flags left them, {id: ticket}: copies of the rows read
    before, with what each check's UPDATE set applied (the rows are locked, so nothing else
    changed them), instead of reading them all again. A ticket past both its deadlines is
    claimed by both breach checks, and gets both."""
    after = {}
    for check in checks:
        for pk in claimed[check.name]:
            if pk not in after:
                after[pk] = copy.copy(before[pk])
            check.apply(after[pk])
    return after


def _ids_by_flag(checks, claimed):
    """The claimed ids of checks that flag alike (the reminders of every lead time) together,
    so each kind of flag is one UPDATE."""
    by_flag = {}
    for check in checks:
        if claimed[check.name]:
            by_flag.setdefault(check.flag, []).extend(claimed[check.name])
    return by_flag


def _run(checks, now, batch_size):
    """Batches until every check has claimed less than a full batch (what is left is locked by
    another worker, which flags it). Returns {check name: tickets flagged}."""
    totals = {check.name: 0 for check in checks}
    while True:
        claimed = _run_batch(checks, now, batch_size)
        for name, ids in claimed.items():
            totals[name] += len(ids)
        if all(len(ids) < batch_size for ids in claimed.values()):
            return totals


def accept_breaches(tickets, now):
    def flag(tickets):
        Ticket.objects.filter(pk__in=_ids(tickets), accept_overdue=False).update(accept_overdue=True, updated_at=now)

    def apply(ticket):
        ticket.accept_overdue, ticket.updated_at = True, now

    def events_for(before):
        return [{"ticket": t, "action": "overdue", "reason": N_("超过接单时限"), "data": {"deadline": "accept", "due": t.accept_due}} for t in before]

    candidates = tickets.filter(state__in=ACCEPT_PENDING, accept_due__lte=now, accept_overdue=False)
    return Check("accept_overdue", candidates, flag, apply, events_for)


def accept_escalations(tickets, now):
    """A missed acceptance, still not accepted the policy's grace after the deadline: one tier
    up, once per dispatch round. One check per distinct grace (a handful), each a plain range
    on accept_due. A ticket whose grace has also passed is due for the breach in the same
    batch: the breach check runs first, so its "overdue" event comes before the "escalate"."""

    def flag(tickets):
        Ticket.objects.filter(pk__in=_ids(tickets), accept_escalated=False).update(accept_escalated=True, updated_at=now)

    def apply(ticket):
        ticket.accept_escalated, ticket.updated_at = True, now

    def escalate(after):
        tiers.change_tiers([t for t in after if t.tier < Tier.WHISTLE], actor=None, role=tiers.SYSTEM_ROLE, action="escalate",
                           to_tier=lambda t: t.tier + 1, reason="超过接单时限未接单，自动升级",
                           data={"automatic": True, "deadline": "accept"}, now=now)

    checks = []
    for grace, policies in sla.accept_escalation_graces().items():
        candidates = tickets.filter(policy_id__in=policies, state__in=ACCEPT_PENDING, accept_escalated=False,
                                    accept_due__lte=now - datetime.timedelta(minutes=grace))
        checks.append(Check(f"accept_escalated {grace}", candidates, flag, apply, lambda before: [], escalate))
    return checks


def _ids(tickets):
    return [ticket.pk for ticket in tickets]


def _escalates(ticket):
    return ticket.policy.escalate_on_breach and ticket.tier < Tier.WHISTLE


def resolve_breaches(tickets, now):
    def flag(tickets):
        Ticket.objects.filter(pk__in=_ids(tickets), resolve_overdue=False).update(resolve_overdue=True, updated_at=now)

    def apply(ticket):
        ticket.resolve_overdue, ticket.updated_at = True, now

    def events_for(before):
        return [{"ticket": t, "action": "overdue", "reason": N_("超过办结时限"), "data": {"deadline": "resolve", "due": t.resolve_due}}
                for t in before]

    def escalate(after):
        # After the "overdue" events, through the one way tiers change (event, counters,
        # notices and the next check alike).
        tiers.change_tiers([t for t in after if _escalates(t)], actor=None, role=tiers.SYSTEM_ROLE, action="escalate",
                           to_tier=lambda t: t.tier + 1, reason=N_("超过办结时限，自动升级"), data={"automatic": True}, now=now)

    candidates = tickets.filter(state__in=RESOLVE_PENDING, resolve_due__lte=now, resolve_overdue=False)
    return Check("resolve_overdue", candidates, flag, apply, events_for, escalate)


def reminders(tickets, now):
    """Remind before the running deadline: the accept limit while dispatched, then the resolve
    limit. One check per distinct reminder lead time (a handful), so each comparison stays a
    plain indexed range."""

    def flag(tickets):
        Ticket.objects.filter(pk__in=_ids(tickets), reminded=False).update(reminded=True)

    def apply(ticket):
        ticket.reminded = True

    def events_for(before):
        specs = []
        for t in before:
            deadline, due = ("accept", t.accept_due) if t.state in ACCEPT_PENDING else ("resolve", t.resolve_due)
            specs.append({"ticket": t, "action": "remind", "internal": True, "data": {"deadline": deadline, "due": due}})
        return specs

    checks = []
    for lead, policies in sla.reminder_leads().items():
        horizon = now + datetime.timedelta(minutes=lead)
        candidates = tickets.filter(policy_id__in=policies, reminded=False).filter(
            Q(state__in=ACCEPT_PENDING, accept_due__lte=horizon, accept_due__gt=now, accept_overdue=False)
            | Q(state__in=RESOLVE_ONLY_PENDING, resolve_due__lte=horizon, resolve_due__gt=now, resolve_overdue=False)
        )
        checks.append(Check(f"reminded {lead}", candidates, flag, apply, events_for))
    return checks


def check_deadlines(tickets, now, batch_size=BATCH_SIZE):
    """Breaches first (a breached deadline needs no reminder), then reminders, claimed and
    recorded together batch by batch. Returns counts."""
    escalations = accept_escalations(tickets, now)
    checks = [accept_breaches(tickets, now), *escalations, resolve_breaches(tickets, now), *reminders(tickets, now)]
    totals = _run(checks, now, batch_size)
    counts = {"accept_overdue": totals.pop("accept_overdue"), "resolve_overdue": totals.pop("resolve_overdue")}
    counts["accept_escalated"] = sum(totals.pop(check.name) for check in escalations)
    counts["reminded"] = sum(totals.values())
    return counts


def sweep_deadlines(now=None, batch_size=BATCH_SIZE):
    """The safety net: check every open ticket's deadlines in one set-based pass."""
    return check_deadlines(Ticket.objects.all(), now or clock.now(), batch_size)


# -- the per-ticket task -------------------------------------------------------------------


@task()
def check_ticket_deadlines(ticket_id):
    """Check one ticket's deadlines now, then queue the check of its next moment."""
    now = clock.now()
    counts = check_deadlines(Ticket.objects.filter(pk=ticket_id), now)
    ticket = Ticket.objects.filter(pk=ticket_id).select_related("policy").first()
    if ticket is not None:
        schedule_check(ticket, after=now)
    return counts


def schedule_check(ticket_or_id, *, after=None):
    """Queue `check_ticket_deadlines` for the ticket's next reminder or deadline (nothing when
    no clock runs). `after`: only a moment later than this (a check never requeues itself for now)."""
    ticket = ticket_or_id
    if not isinstance(ticket, Ticket):
        ticket = Ticket.objects.filter(pk=ticket_or_id).select_related("policy").first()
        if ticket is None:
            return None
    moment = sla.next_check_at(ticket)
    if moment is None or (after is not None and moment <= after):
        return None
    return schedule_at(check_ticket_deadlines, moment, ticket.pk)


def schedule_checks(tickets):
    """Queue the deadline checks of many tickets (the intake queue's batches) in one insert."""
    runs = ((moment, [ticket.pk]) for ticket in tickets if (moment := sla.next_check_at(ticket)) is not None)
    bulk_schedule_at(check_ticket_deadlines, runs)
