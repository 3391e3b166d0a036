"""Breaches, reminders and automatic escalation: by the per-ticket task and by the sweep."""

import datetime

import pytest
from django.core.management import call_command
from django_tasks import default_task_backend

from liulin.core.calendar import local_zone
from liulin.core.notifications.models import Notification
from liulin.core.roles import Role
from liulin.whistle import sla
from liulin.whistle.events import verify_chain
from liulin.whistle.models import State, Ticket, Tier
from liulin.whistle.services import transitions
from liulin.whistle.tasks import check_ticket_deadlines, sweep_deadlines
from liulin.whistle.tests.factories import actor_for, handling_org_for, ticket_in_state

pytestmark = pytest.mark.django_db

LOCAL = local_zone()
MONDAY_9 = datetime.datetime(2025, 9, 22, 9, 0, tzinfo=LOCAL)


@pytest.fixture(autouse=True)
def dummy_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    yield default_task_backend
    default_task_backend.clear()


def actions(ticket):
    return list(ticket.events.order_by("seq").values_list("action", flat=True))


def test_the_sweep_flags_a_resolve_breach_and_escalates_one_tier_once():
    ticket = ticket_in_state(State.IN_PROGRESS, now=MONDAY_9)
    late = ticket.resolve_due + datetime.timedelta(minutes=1)

    counts = sweep_deadlines(late)
    assert counts["resolve_overdue"] == 1
    ticket.refresh_from_db()
    assert (ticket.resolve_overdue, ticket.tier) == (True, Tier.COMMUNITY)
    escalation = ticket.events.get(action="escalate")
    assert escalation.actor is None
    assert escalation.data == {"automatic": True, "from_tier": Tier.GRID, "to_tier": Tier.COMMUNITY}
    assert verify_chain(ticket) is None

    # Running again, or later, does nothing twice.
    assert sweep_deadlines(late + datetime.timedelta(hours=5))["resolve_overdue"] == 0
    ticket.refresh_from_db()
    assert ticket.tier == Tier.COMMUNITY
    assert ticket.events.filter(action="escalate").count() == 1


def test_the_task_does_the_same_for_its_ticket_and_is_idempotent(time_machine):
    ticket = ticket_in_state(State.ACCEPTED, now=MONDAY_9)
    bystander = ticket_in_state(State.ACCEPTED, now=MONDAY_9)
    time_machine.move_to(ticket.resolve_due + datetime.timedelta(seconds=1), tick=False)

    check_ticket_deadlines.call(ticket.pk)
    check_ticket_deadlines.call(ticket.pk)
    ticket.refresh_from_db()
    bystander.refresh_from_db()
    assert (ticket.resolve_overdue, ticket.tier) == (True, Tier.COMMUNITY)
    assert actions(ticket)[-2:] == ["overdue", "escalate"]
    assert ticket.events.filter(action="escalate").count() == 1
    assert (bystander.resolve_overdue, bystander.tier) == (False, Tier.GRID)


def test_an_accept_breach_is_flagged_without_escalating():
    ticket = ticket_in_state(State.DISPATCHED, now=MONDAY_9)
    sweep_deadlines(ticket.accept_due)
    ticket.refresh_from_db()
    assert (ticket.accept_overdue, ticket.resolve_overdue, ticket.tier) == (True, False, Tier.GRID)
    overdue = ticket.events.get(action="overdue")
    assert overdue.data["deadline"] == "accept"


def test_no_escalation_past_the_whistle_tier_or_where_the_policy_says_no():
    at_top = ticket_in_state(State.IN_PROGRESS, now=MONDAY_9)
    at_top.__class__.objects.filter(pk=at_top.pk).update(tier=Tier.WHISTLE)
    quiet = ticket_in_state(State.IN_PROGRESS, now=MONDAY_9)
    quiet.policy.escalate_on_breach = False
    quiet.policy.save()

    sweep_deadlines(max(at_top.resolve_due, quiet.resolve_due) + datetime.timedelta(minutes=1))
    for ticket, tier in ((at_top, Tier.WHISTLE), (quiet, Tier.GRID)):
        ticket.refresh_from_db()
        assert (ticket.resolve_overdue, ticket.tier) == (True, tier)
        assert ticket.events.filter(action="escalate").count() == 0


def test_suspended_and_resolved_tickets_are_not_flagged():
    suspended = ticket_in_state(State.SUSPENDED, now=MONDAY_9)
    resolved = ticket_in_state(State.RESOLVED, now=MONDAY_9)
    counts = sweep_deadlines(MONDAY_9 + datetime.timedelta(days=60))
    assert counts == {"accept_overdue": 0, "accept_escalated": 0, "resolve_overdue": 0, "reminded": 0}
    for ticket in (suspended, resolved):
        ticket.refresh_from_db()
        assert not (ticket.accept_overdue or ticket.resolve_overdue)


def test_a_reminder_goes_to_the_handling_unit_before_the_deadline_once():
    ticket = ticket_in_state(State.DISPATCHED, now=MONDAY_9)
    handler = actor_for(ticket, Role.PROPERTY_STAFF)
    remind_at = ticket.accept_due - datetime.timedelta(minutes=ticket.policy.remind_before_minutes)

    assert sweep_deadlines(remind_at - datetime.timedelta(minutes=1))["reminded"] == 0
    assert sweep_deadlines(remind_at)["reminded"] == 1
    assert sweep_deadlines(remind_at + datetime.timedelta(minutes=1))["reminded"] == 0
    ticket.refresh_from_db()
    assert ticket.reminded
    remind = ticket.events.get(action="remind")
    assert (remind.internal, remind.data["deadline"]) == (True, "accept")
    notice = Notification.objects.about(ticket).get(user=handler)
    assert ticket.number in notice.message and "接单时限" in notice.message


def test_accepting_rearms_the_reminder_for_the_resolve_deadline():
    ticket = ticket_in_state(State.DISPATCHED, now=MONDAY_9)
    sweep_deadlines(ticket.accept_due - datetime.timedelta(minutes=1))
    handler = actor_for(ticket, Role.PROPERTY_STAFF)
    ticket = transitions.act(actor=handler, ticket=ticket, action="accept", now=ticket.accept_due - datetime.timedelta(seconds=30))
    assert ticket.reminded is False
    sweep_deadlines(ticket.resolve_due - datetime.timedelta(minutes=1))
    assert [e.data["deadline"] for e in ticket.events.filter(action="remind").order_by("seq")] == ["accept", "resolve"]


def test_each_step_queues_a_check_at_the_next_deadline_moment(django_capture_on_commit_callbacks, dummy_tasks):
    ticket = ticket_in_state(State.SUBMITTED, now=MONDAY_9)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = transitions.act(
            actor=actor_for(ticket, Role.COMMUNITY_STAFF), ticket=ticket, action="dispatch", org=handling_org_for(ticket), now=MONDAY_9
        )
    (result,) = dummy_tasks.results
    assert result.task.func is check_ticket_deadlines.func
    assert list(result.args) == [ticket.pk]
    assert result.task.run_after == ticket.accept_due - datetime.timedelta(minutes=ticket.policy.remind_before_minutes)


def test_a_small_batch_still_handles_every_breached_ticket():
    tickets = [ticket_in_state(State.IN_PROGRESS, now=MONDAY_9) for _ in range(5)]
    latest = max(t.resolve_due for t in tickets)
    assert sweep_deadlines(latest + datetime.timedelta(minutes=1), batch_size=2)["resolve_overdue"] == 5
    for ticket in tickets:
        assert verify_chain(ticket) is None
        assert actions(ticket)[-2:] == ["overdue", "escalate"]


def test_the_command_reports_what_it_did(capsys, time_machine):
    ticket = ticket_in_state(State.IN_PROGRESS, now=MONDAY_9)
    time_machine.move_to(ticket.resolve_due + datetime.timedelta(minutes=1), tick=False)
    call_command("sweep_deadlines")
    assert "办结超时 1" in capsys.readouterr().out


def test_the_sweeps_partial_indexes_cover_exactly_the_states_whose_clocks_run():
    """The partial indexes repeat the running states in the model's Meta; they must stay the
    sweep's own, or the sweep falls back to reading every overdue ticket."""
    indexes = {index.name: index for index in Ticket._meta.indexes}
    accept = dict(indexes["ticket_accept_running"].condition.children)
    resolve = dict(indexes["ticket_resolve_running"].condition.children)
    assert {accept["state"]} == set(sla.ACCEPT_PENDING) and accept["accept_overdue"] is False
    assert set(resolve["state__in"]) == set(sla.RESOLVE_PENDING) and resolve["resolve_overdue"] is False
    accept_reminders = dict(indexes["ticket_accept_unreminded"].condition.children)
    resolve_reminders = dict(indexes["ticket_resolve_unreminded"].condition.children)
    assert {accept_reminders["state"]} == set(sla.ACCEPT_PENDING) and accept_reminders["reminded"] is False
    assert set(resolve_reminders["state__in"]) == set(sla.RESOLVE_PENDING - sla.ACCEPT_PENDING)
    assert resolve_reminders["reminded"] is False and resolve_reminders["resolve_overdue"] is False
    # A reminder check asks for its lead time's policies: the index must lead with them.
    assert indexes["ticket_accept_unreminded"].fields == ["policy", "accept_due"]
    assert indexes["ticket_resolve_unreminded"].fields == ["policy", "resolve_due"]


def test_the_worklist_indexes_cover_exactly_the_worklist_states():
    from liulin.whistle.models import OPEN_AFTER_DISPATCH
    from liulin.whistle.selectors import WORKLIST_STATES

    assert set(dict(OPEN_AFTER_DISPATCH.children)["state__in"]) == set(WORKLIST_STATES)
    indexes = {index.name: index for index in Ticket._meta.indexes}
    for key in ("org", "verifier", "grid", "community", "building"):
        # Those on a column a ticket may lack also leave out the tickets without one.
        assert OPEN_AFTER_DISPATCH.children[0] in indexes[f"ticket_{key}_worklist"].condition.children
        # A segment's filter is read from the index (an index-only scan), never the table.
        assert set(indexes[f"ticket_{key}_worklist"].include) == {"resolve_overdue", "accept_overdue"}
    conditions = {name: index.condition for name, index in indexes.items()}
    assert conditions["ticket_open_by_due"] == OPEN_AFTER_DISPATCH


def test_the_notices_read_each_ticket_as_its_flags_left_it(monkeypatch):
    """The sweep writes its notices from copies of the rows with what each UPDATE set applied,
    not from a second read: the copies must equal the rows as stored."""
    from liulin.whistle import notifications

    told = []
    real = notifications.notify_transitions
    monkeypatch.setattr(notifications, "notify_transitions", lambda pairs: told.extend(pairs) or real(pairs))
    escalating = ticket_in_state(State.IN_PROGRESS, now=MONDAY_9)
    at_top = ticket_in_state(State.IN_PROGRESS, now=MONDAY_9)
    Ticket.objects.filter(pk=at_top.pk).update(tier=Tier.WHISTLE)
    unaccepted = ticket_in_state(State.DISPATCHED, now=MONDAY_9)
    reminded = ticket_in_state(State.DISPATCHED, now=MONDAY_9)
    fields = ("state", "tier", "accept_overdue", "resolve_overdue", "reminded", "updated_at")

    def stored(pk):
        return Ticket.objects.values(*fields).get(pk=pk)

    remind_at = reminded.accept_due - datetime.timedelta(minutes=reminded.policy.remind_before_minutes)
    for moment in (remind_at, max(escalating.resolve_due, at_top.resolve_due) + datetime.timedelta(minutes=1)):
        told.clear()
        sweep_deadlines(moment)
        assert told
        for ticket, _event in told:
            assert {f: getattr(ticket, f) for f in fields} == stored(ticket.pk)
    escalating.refresh_from_db()
    unaccepted.refresh_from_db()
    assert escalating.tier == Tier.COMMUNITY and unaccepted.accept_overdue


# -- a missed acceptance: flagged, then one tier up after the policy's grace ------------------


def _grace(ticket):
    return datetime.timedelta(minutes=ticket.policy.accept_escalate_after_minutes)


def test_an_accept_breach_escalates_one_tier_after_the_grace_once(time_machine):
    ticket = ticket_in_state(State.DISPATCHED, now=MONDAY_9)
    assert ticket.policy.accept_escalate_after_minutes == 60

    time_machine.move_to(ticket.accept_due, tick=False)
    sweep_deadlines(ticket.accept_due + _grace(ticket) - datetime.timedelta(seconds=1))
    ticket.refresh_from_db()
    assert (ticket.accept_overdue, ticket.accept_escalated, ticket.tier) == (True, False, Tier.GRID)

    counts = sweep_deadlines(ticket.accept_due + _grace(ticket))
    assert counts["accept_escalated"] == 1
    ticket.refresh_from_db()
    assert (ticket.accept_escalated, ticket.tier) == (True, Tier.COMMUNITY)
    escalation = ticket.events.get(action="escalate")
    assert escalation.actor is None and escalation.actor_role == "system"
    assert escalation.data == {"automatic": True, "deadline": "accept", "from_tier": Tier.GRID, "to_tier": Tier.COMMUNITY}
    assert verify_chain(ticket) is None

    assert sweep_deadlines(ticket.accept_due + _grace(ticket) * 5)["accept_escalated"] == 0
    ticket.refresh_from_db()
    assert ticket.tier == Tier.COMMUNITY
    assert ticket.events.filter(action="escalate").count() == 1


def test_an_accept_breach_urges_the_unit_then_the_escalation_reaches_the_grids_supervisor():
    """docs/kpi.md, "What each breach does": at the breach the handling unit is urged; after
    the grace the ticket is the community's, and its supervisor is told of the escalation."""
    ticket = ticket_in_state(State.DISPATCHED, now=MONDAY_9)
    handler = actor_for(ticket, Role.PROPERTY_STAFF)
    supervisor = actor_for(ticket, Role.COMMUNITY_SECRETARY)
    sweep_deadlines(ticket.accept_due)
    urged = Notification.objects.about(ticket).get(user=handler)
    assert "超过接单时限" in urged.message
    assert not Notification.objects.about(ticket).filter(user=supervisor, message__contains="升级").exists()

    sweep_deadlines(ticket.accept_due + _grace(ticket))
    ticket.refresh_from_db()
    assert ticket.tier == Tier.COMMUNITY
    told = Notification.objects.about(ticket).get(user=supervisor, message__contains="升级")
    assert ticket.number in told.message


def test_a_sweep_long_after_the_deadline_flags_then_escalates_in_one_pass():
    ticket = ticket_in_state(State.DISPATCHED, now=MONDAY_9)
    sweep_deadlines(ticket.accept_due + _grace(ticket) + datetime.timedelta(minutes=1))
    ticket.refresh_from_db()
    assert (ticket.accept_overdue, ticket.tier) == (True, Tier.COMMUNITY)
    assert actions(ticket)[-2:] == ["overdue", "escalate"]


def test_an_accepted_ticket_is_not_escalated_for_its_accept_breach():
    ticket = ticket_in_state(State.DISPATCHED, now=MONDAY_9)
    sweep_deadlines(ticket.accept_due)
    handler = actor_for(ticket, Role.PROPERTY_STAFF)
    ticket = transitions.act(actor=handler, ticket=ticket, action="accept", now=ticket.accept_due + datetime.timedelta(minutes=1))
    counts = sweep_deadlines(ticket.accept_due + _grace(ticket) + datetime.timedelta(minutes=1))
    assert counts["accept_escalated"] == 0
    ticket.refresh_from_db()
    assert (ticket.accept_overdue, ticket.tier) == (True, Tier.GRID)
    assert not ticket.events.filter(action="escalate").exists()


def test_a_policy_without_a_grace_only_flags_the_accept_breach():
    ticket = ticket_in_state(State.DISPATCHED, now=MONDAY_9)
    ticket.policy.accept_escalate_after_minutes = None
    ticket.policy.save()
    sweep_deadlines(ticket.accept_due + datetime.timedelta(days=1))
    ticket.refresh_from_db()
    assert (ticket.accept_overdue, ticket.tier) == (True, Tier.GRID)
    assert sla.next_check_at(ticket) == ticket.resolve_due


def test_the_task_and_the_sweep_agree_on_the_accept_escalation(time_machine, dummy_tasks):
    by_task = ticket_in_state(State.DISPATCHED, now=MONDAY_9)
    by_sweep = ticket_in_state(State.DISPATCHED, now=MONDAY_9)
    assert by_task.accept_due == by_sweep.accept_due

    # The task at the breach flags it and queues itself for the end of the grace.
    time_machine.move_to(by_task.accept_due, tick=False)
    default_task_backend.clear()
    check_ticket_deadlines.call(by_task.pk)
    (queued,) = [r for r in dummy_tasks.results if list(r.args) == [by_task.pk]]
    assert queued.task.run_after == by_task.accept_due + _grace(by_task)

    time_machine.move_to(queued.task.run_after, tick=False)
    check_ticket_deadlines.call(by_task.pk)
    check_ticket_deadlines.call(by_task.pk)
    sweep_deadlines(by_sweep.accept_due + _grace(by_sweep))
    for ticket in (by_task, by_sweep):
        ticket.refresh_from_db()
        assert (ticket.accept_overdue, ticket.accept_escalated, ticket.tier) == (True, True, Tier.COMMUNITY)
        assert [a for a in actions(ticket) if a in ("overdue", "escalate")] == ["overdue", "escalate"]
