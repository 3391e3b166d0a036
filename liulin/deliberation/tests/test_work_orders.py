"""议事→办事: an action item filed as a 雷锋哨 work order in one step, and the order's end
reported back through core.workorders (no import of the work-order app by 议事)."""

import datetime

import pytest

from liulin.core import chain, clock
from liulin.core.errors import Invalid
from liulin.deliberation import services
from liulin.deliberation.models import ActionItem, ItemState, MeetingEvent, State
from liulin.whistle.models import Channel, Ticket
from liulin.whistle.models import State as TicketState
from liulin.whistle.tests.factories import PATHS, CategoryFactory, drive

from .factories import meeting_in_state, resident_user


@pytest.fixture
def item(world):
    meeting = meeting_in_state(world, State.IN_SESSION)
    services.sign_in(actor=resident_user(world.building), meeting=meeting, token=meeting.sign_in_token)
    today = clock.today()
    decision = services.record_decision(actor=world.staff, meeting=meeting, text="物业修好楼道灯", item={
        "title": "修好楼道灯", "owner": world.staff, "due_date": today + datetime.timedelta(days=7),
        "acceptance": "每层灯亮", "review_date": today + datetime.timedelta(days=3)})
    return decision.action_items.get()


def _rest_of_path(ticket, target):
    done = {TicketState.SUBMITTED: 0, TicketState.DISPATCHED: 1}[ticket.state]
    return PATHS[target][done:]


def test_file_order_in_one_step_and_the_order_closing_closes_the_item(world, item, django_capture_on_commit_callbacks):
    category = CategoryFactory()
    services.act_on_item(actor=world.staff, item=item, action="file_order", category=category.code)
    item.refresh_from_db()
    ticket = Ticket.objects.get(pk=item.work_order_id)
    assert item.state == ItemState.ORDERED and item.work_order_number == ticket.number
    assert ticket.channel == Channel.DELIBERATION and ticket.building == world.building
    with django_capture_on_commit_callbacks(execute=True):
        drive(ticket, _rest_of_path(ticket, TicketState.RESOLVED))
    item.refresh_from_db()
    assert item.state == ItemState.ORDERED and item.work_order_state == "已办结"
    with django_capture_on_commit_callbacks(execute=True):
        drive(Ticket.objects.get(pk=ticket.pk), [("community_secretary", "verify")])
    item.refresh_from_db()
    assert item.state == ItemState.DONE and item.done_at is not None
    assert item.meeting.events.filter(action="order_done").count() == 1
    assert chain.verify(MeetingEvent, item.meeting) is None


def test_an_order_that_ends_undone_puts_the_item_back(world, item, django_capture_on_commit_callbacks):
    services.act_on_item(actor=world.staff, item=item, action="file_order", category=CategoryFactory().code)
    ticket = Ticket.objects.get(pk=ActionItem.objects.get(pk=item.pk).work_order_id)
    with django_capture_on_commit_callbacks(execute=True):
        drive(ticket, _rest_of_path(ticket, TicketState.UNRESOLVABLE))
    item.refresh_from_db()
    assert item.state == ItemState.OPEN and item.work_order_id is None and item.work_order_state == "无法办理"


def test_file_order_needs_a_category_and_changes_nothing_without_one(world, item):
    with pytest.raises(Invalid):
        services.act_on_item(actor=world.staff, item=item, action="file_order", category=None)
    assert not Ticket.objects.exists()
    item.refresh_from_db()
    assert item.state == ItemState.OPEN


def test_other_tickets_do_not_report(world, django_capture_on_commit_callbacks):
    from liulin.whistle.tests.factories import TicketFactory

    ticket = TicketFactory(building=world.building)
    with django_capture_on_commit_callbacks() as callbacks:
        drive(ticket, [("community_staff", "dispatch")])
    assert not [c for c in callbacks if getattr(c, "func", None) is services.order_changed]


def test_an_item_without_a_building_cannot_become_an_order(world):
    from liulin.deliberation.models import Kind

    meeting = meeting_in_state(world, State.IN_SESSION, kind=Kind.RESIDENTS)
    services.sign_in_for(actor=world.staff, meeting=meeting, resident=resident_user(world.building).resident)
    today = clock.today()
    decision = services.record_decision(actor=world.staff, meeting=meeting, text="议定", item={
        "title": "张贴告示", "owner": world.staff, "due_date": today, "acceptance": "已张贴", "review_date": None})
    with pytest.raises(Invalid) as e:
        services.act_on_item(actor=world.staff, item=decision.action_items.get(), action="file_order",
                             category=CategoryFactory().code)
    assert e.value.code == "building_required"
    assert not Ticket.objects.exists()
