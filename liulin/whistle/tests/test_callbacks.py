import datetime
from zoneinfo import ZoneInfo

import pytest

from liulin.core.errors import Conflict, Invalid, NotPermitted
from liulin.core.roles import Role
from liulin.whistle import events
from liulin.whistle.models import Callback, Satisfaction, State
from liulin.whistle.services import callbacks
from liulin.whistle.tests.factories import PATHS, actor_for, drive, ticket_in_state

pytestmark = pytest.mark.django_db
LOCAL = ZoneInfo("Asia/Shanghai")
VERIFIED_AT = datetime.datetime(2026, 3, 16, 10, 0, tzinfo=LOCAL)


@pytest.fixture
def verified():
    return ticket_in_state(State.VERIFIED, now=VERIFIED_AT)


def test_operator_phone_callback_closes_the_ticket(verified):
    operator = actor_for(verified, Role.HOTLINE_OPERATOR)
    later = VERIFIED_AT + datetime.timedelta(hours=3)
    callback = callbacks.record_callback(
        actor=operator, ticket=verified, solved=True, satisfaction=Satisfaction.SATISFIED, comment="修好了", now=later
    )
    assert (callback.round, callback.method, callback.by) == (1, Callback.Method.PHONE, operator)
    verified.refresh_from_db()
    assert verified.state == State.CLOSED and verified.closed_at == later
    assert (verified.solved, verified.satisfaction) == (True, Satisfaction.SATISFIED)
    event = verified.events.last()
    assert event.action == "callback"
    assert event.data == {"solved": True, "satisfaction": "satisfied", "method": "phone", "round": 1}
    assert events.verify_chain(verified) is None


def test_unsatisfied_operator_callback_reopens_and_counts(verified):
    operator = actor_for(verified, Role.HOTLINE_OPERATOR)
    callbacks.record_callback(
        actor=operator, ticket=verified, solved=False, satisfaction=Satisfaction.UNSATISFIED, comment="还是漏水", reopen=True,
        now=VERIFIED_AT + datetime.timedelta(hours=1),
    )
    verified.refresh_from_db()
    assert verified.state == State.DISPATCHED
    assert verified.reopen_count == 1
    assert list(verified.events.values_list("action", flat=True))[-2:] == ["callback", "reopen"]


def test_second_round_callback_is_recorded_as_round_two(verified):
    operator = actor_for(verified, Role.HOTLINE_OPERATOR)
    callbacks.record_callback(actor=operator, ticket=verified, solved=False, satisfaction="unsatisfied", reopen=True, comment="没修好")
    verified.refresh_from_db()
    # Handle it again: accept, start, resolve, verify.
    ticket = drive(verified, PATHS[State.VERIFIED][1:], org=verified.handling_org)
    callback = callbacks.record_callback(actor=operator, ticket=ticket, solved=True, satisfaction="basic")
    assert callback.round == 2
    assert Callback.objects.filter(ticket=ticket).count() == 2


def test_resident_asking_to_reopen_is_recorded_for_the_community(verified):
    resident = verified.requester_user
    callback = callbacks.record_callback(
        actor=resident, ticket=verified, solved=False, satisfaction="unsatisfied", method="phone", reopen=True, comment="没人来"
    )
    assert callback.method == Callback.Method.SELF
    verified.refresh_from_db()
    assert verified.state == State.CLOSED and verified.reopen_count == 0
    assert verified.events.last().data["reopen_requested"] is True


def test_bad_verdicts_change_nothing(verified):
    operator = actor_for(verified, Role.HOTLINE_OPERATOR)
    for kwargs, code in (
        ({"solved": True, "satisfaction": "great"}, "invalid_satisfaction"),
        ({"solved": True, "satisfaction": "not_rated"}, "invalid_satisfaction"),
        ({"solved": None, "satisfaction": "basic"}, "solved_required"),
        ({"solved": True, "satisfaction": "basic", "method": "pigeon"}, "invalid_method"),
    ):
        with pytest.raises(Invalid) as error:
            callbacks.record_callback(actor=operator, ticket=verified, **kwargs)
        assert error.value.code == code
    verified.refresh_from_db()
    assert verified.state == State.VERIFIED and not Callback.objects.exists()


def test_only_verified_tickets_are_called_back():
    resolved = ticket_in_state(State.RESOLVED)
    with pytest.raises(Invalid) as error:
        callbacks.record_callback(actor=actor_for(resolved, Role.HOTLINE_OPERATOR), ticket=resolved, solved=True, satisfaction="basic")
    assert error.value.code == "not_awaiting_callback"
    assert not Callback.objects.exists()


def test_property_staff_may_not_record_a_callback(verified):
    with pytest.raises(NotPermitted):
        callbacks.record_callback(actor=actor_for(verified, Role.PROPERTY_STAFF), ticket=verified, solved=True, satisfaction="basic")
    verified.refresh_from_db()
    assert verified.state == State.VERIFIED and not Callback.objects.exists()


def test_double_callback_is_refused(verified):
    operator = actor_for(verified, Role.HOTLINE_OPERATOR)
    callbacks.record_callback(actor=operator, ticket=verified, solved=True, satisfaction="satisfied")
    with pytest.raises((Invalid, Conflict)):
        callbacks.record_callback(actor=operator, ticket=verified, solved=True, satisfaction="satisfied")
    assert Callback.objects.count() == 1


def test_unrated_tickets_expire_as_not_rated_after_n_days(verified, settings):
    settings.LIULIN_CALLBACK_DAYS = 7
    fresh = ticket_in_state(State.VERIFIED, now=VERIFIED_AT + datetime.timedelta(days=3))
    six_days = VERIFIED_AT + datetime.timedelta(days=6, hours=23)
    assert callbacks.expire_unrated(six_days) == 0
    eight_days = VERIFIED_AT + datetime.timedelta(days=8)
    assert callbacks.expire_unrated(eight_days) == 1
    assert callbacks.expire_unrated(eight_days) == 0  # idempotent
    verified.refresh_from_db()
    fresh.refresh_from_db()
    assert verified.state == State.CLOSED and verified.satisfaction == Satisfaction.NOT_RATED
    callback = verified.callbacks.get()
    assert (callback.method, callback.by, callback.solved) == (Callback.Method.TIMEOUT, None, None)
    event = verified.events.last()
    assert (event.actor_id, event.actor_role, event.action) == (None, "system", "callback")
    assert fresh.state == State.VERIFIED
