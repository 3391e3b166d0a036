"""Deadline supervision (督单) in the background.

After every step the workflow queues `check_ticket_deadlines(ticket_id)` to run at the
ticket's next reminder or deadline (django-tasks, `run_after`). The check and the periodic
sweep (`sweep_deadlines`, run every minute by `manage.py sweep_deadlines` from cron or the
worker's scheduler) share one set-based pass:

1. accept breach: DISPATCHED and accept_due passed → accept_overdue, event "overdue";
2. resolve breach: still being handled and resolve_due passed → resolve_overdue, event
   "overdue", and, where the policy says so and the tier allows, one tier up with event
   "escalate" {"automatic": true};
3. reminder: within the policy's remind_before_minutes of the running deadline → reminded,
   internal event "remind", and the handling unit is told.

Each step is an UPDATE ... WHERE <not yet flagged> on a batch of locked rows, so a check that
runs twice or late does nothing twice, and the work is proportional to the tickets whose
moment has come, not to the open tickets (indexes on (state, accept_due) and
(state, resolve_due)). Suspended tickets are skipped: their clock does not run.
"""

import datetime

from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django_tasks import task

from liulin.core import clock

from . import notifications, rollups, sla
from .calendar import LOCAL
from .events import GENESIS, build_event
from .models import SlaPolicy, Ticket, TicketEvent, Tier

BATCH_SIZE = 500
ACCEPT_PENDING = list(sla.ACCEPT_PENDING)
RESOLVE_PENDING = list(sla.RESOLVE_PENDING)
RESOLVE_ONLY_PENDING = [s for s in sla.RESOLVE_PENDING if s not in sla.ACCEPT_PENDING]
REMINDER_TEXT = "工单 {number} 将于 {due:%m月%d日 %H:%M} 到期（{deadline}），请抓紧办理。"
DEADLINE_LABELS = {"accept": "接单时限", "resolve": "办结时限"}


# -- the set-based pass --------------------------------------------------------------------


def _last_links(ticket_ids):
    """{ticket_id: (last seq, last hash)} in one query."""
    latest = TicketEvent.objects.filter(ticket_id=OuterRef("ticket_id")).order_by("-seq").values("seq")[:1]
    rows = TicketEvent.objects.filter(ticket_id__in=ticket_ids, seq=Subquery(latest)).values_list("ticket_id", "seq", "hash")
    links = {ticket_id: (0, GENESIS) for ticket_id in ticket_ids}
    links.update({ticket_id: (seq, digest) for ticket_id, seq, digest in rows})
    return links


def _append_system_events(specs, now):
    """Append events made by the system (no actor) to many tickets at once, keeping each chain."""
    links = _last_links({spec["ticket"].pk for spec in specs})
    built = []
    for spec in specs:
        ticket = spec["ticket"]
        last_seq, last_hash = links[ticket.pk]
        event = build_event(
            ticket.pk,
            last_seq=last_seq,
            last_hash=last_hash,
            actor=None,
            action=spec["action"],
            from_state=ticket.state,
            to_state=ticket.state,
            reason=spec.get("reason", ""),
            data=spec.get("data"),
            internal=spec.get("internal", False),
            at=now,
        )
        links[ticket.pk] = (event.seq, event.hash)
        built.append((ticket, event))
    TicketEvent.objects.bulk_create([event for _, event in built])
    rollups.apply_events(built)  # automatic escalations count in the KPI rollups, same transaction
    return built


def _claim_batch(candidates, batch_size):
    """Lock up to `batch_size` candidate rows (skipping rows another worker holds)."""
    return list(candidates.select_for_update(skip_locked=True, of=("self",)).order_by().values_list("pk", flat=True)[:batch_size])


def _process(candidates, now, *, flag, events_for, batch_size):
    """Flag `candidates` batch by batch and record events for exactly the rows flagged.
    `flag(ids)` updates the rows; `events_for(tickets)` gives event specs from their state before."""
    total = 0
    while True:
        with transaction.atomic():
            ids = _claim_batch(candidates, batch_size)
            if not ids:
                return total
            before = list(Ticket.objects.filter(pk__in=ids).select_related("policy", "category", "community", "handling_org"))
            flag(ids)
            after = {t.pk: t for t in Ticket.objects.filter(pk__in=ids).select_related("category", "community", "handling_org")}
            built = _append_system_events(events_for(before), now)
            _notify([(after[ticket.pk], event) for ticket, event in built])
        total += len(ids)
        if len(ids) < batch_size:
            return total  # the last batch: what is left is locked by another worker, which flags it


def _notify(pairs):
    """The notices of a batch's steps, with their recipients read once for the batch: a
    reminder goes to the handlers, the other steps follow the workflow's rules."""
    notifications.notify_transitions([(ticket, event) for ticket, event in pairs if event.action != "remind"])
    reminders = [(ticket, event) for ticket, event in pairs if event.action == "remind"]
    if reminders:
        recipients = notifications.Recipients(ticket for ticket, _ in reminders)
        notifications.send(
            [(user_id, ticket, _reminder_text(ticket, event)) for ticket, event in reminders for user_id in sorted(recipients.handlers(ticket))]
        )


def _reminder_text(ticket, event):
    due = datetime.datetime.fromisoformat(event.data["due"]).astimezone(LOCAL)
    return REMINDER_TEXT.format(number=ticket.number, due=due, deadline=DEADLINE_LABELS[event.data["deadline"]])


def flag_accept_breaches(tickets, now, batch_size=BATCH_SIZE):
    candidates = tickets.filter(state__in=ACCEPT_PENDING, accept_due__lte=now, accept_overdue=False)

    def flag(ids):
        Ticket.objects.filter(pk__in=ids, accept_overdue=False).update(accept_overdue=True, updated_at=now)

    def events_for(before):
        return [{"ticket": t, "action": "overdue", "reason": "超过接单时限", "data": {"deadline": "accept", "due": t.accept_due}} for t in before]

    return _process(candidates, now, flag=flag, events_for=events_for, batch_size=batch_size)


def _escalates(ticket):
    return ticket.policy.escalate_on_breach and ticket.tier < Tier.WHISTLE


def flag_resolve_breaches(tickets, now, batch_size=BATCH_SIZE):
    candidates = tickets.filter(state__in=RESOLVE_PENDING, resolve_due__lte=now, resolve_overdue=False)

    def flag(ids):
        Ticket.objects.filter(pk__in=ids, resolve_overdue=False).update(resolve_overdue=True, updated_at=now)
        Ticket.objects.filter(pk__in=ids, tier__lt=Tier.WHISTLE, policy__escalate_on_breach=True).update(tier=F("tier") + 1)

    def events_for(before):
        specs = []
        for t in before:
            specs.append({"ticket": t, "action": "overdue", "reason": "超过办结时限", "data": {"deadline": "resolve", "due": t.resolve_due}})
            if _escalates(t):
                data = {"automatic": True, "from_tier": t.tier, "to_tier": t.tier + 1}
                specs.append({"ticket": t, "action": "escalate", "reason": "超过办结时限，自动升级", "data": data})
        return specs

    return _process(candidates, now, flag=flag, events_for=events_for, batch_size=batch_size)


def send_reminders(tickets, now, batch_size=BATCH_SIZE):
    """Remind before the running deadline: the accept limit while dispatched, then the resolve limit."""
    total = 0
    # One pass per distinct reminder lead time (a handful), so each comparison stays a plain indexed range.
    leads = SlaPolicy.objects.order_by().values_list("remind_before_minutes", flat=True).distinct()
    for lead in leads:
        horizon = now + datetime.timedelta(minutes=lead)
        candidates = tickets.filter(policy__remind_before_minutes=lead, reminded=False).filter(
            Q(state__in=ACCEPT_PENDING, accept_due__lte=horizon, accept_due__gt=now, accept_overdue=False)
            | Q(state__in=RESOLVE_ONLY_PENDING, resolve_due__lte=horizon, resolve_due__gt=now, resolve_overdue=False)
        )

        def flag(ids):
            Ticket.objects.filter(pk__in=ids, reminded=False).update(reminded=True)

        def events_for(before):
            specs = []
            for t in before:
                deadline, due = ("accept", t.accept_due) if t.state in ACCEPT_PENDING else ("resolve", t.resolve_due)
                specs.append({"ticket": t, "action": "remind", "internal": True, "data": {"deadline": deadline, "due": due}})
            return specs

        total += _process(candidates, now, flag=flag, events_for=events_for, batch_size=batch_size)
    return total


def check_deadlines(tickets, now, batch_size=BATCH_SIZE):
    """Breaches first (a breached deadline needs no reminder), then reminders. Returns counts."""
    return {
        "accept_overdue": flag_accept_breaches(tickets, now, batch_size),
        "resolve_overdue": flag_resolve_breaches(tickets, now, batch_size),
        "reminded": send_reminders(tickets, now, batch_size),
    }


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
    checker = check_ticket_deadlines
    if checker.get_backend().supports_defer:
        checker = checker.using(run_after=moment)
    return checker.enqueue(ticket.pk)
