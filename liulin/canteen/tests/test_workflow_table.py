"""Every edge of the order table, allowed and refused, and who may take it."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from liulin.canteen import services
from liulin.canteen.models import Order
from liulin.canteen.workflow import ORDER_WORKFLOW
from liulin.core.workflow import IllegalTransition

from .factories import Kitchen

pytestmark = pytest.mark.django_db
S = Order.State
DAY = datetime.date(2026, 6, 1)
PATHS = {S.ORDERED: [], S.SERVED: ["serve"], S.OUT: ["dispatch"], S.DELIVERED: ["dispatch", "deliver"], S.CANCELLED: ["cancel"]}


@pytest.fixture
def k():
    with time_machine.travel(datetime.datetime(2026, 6, 1, 8, tzinfo=timezone.get_current_timezone()), tick=False):
        yield Kitchen()


def an_order(k, state, delivery):
    elder = k.resident(birth=datetime.date(1944, 5, 1))
    order = services.place_order(actor=k.counter, period=k.lunch, day=DAY, resident=elder, channel="counter",
                                 identified_by="id_card", delivery=delivery)
    for action in PATHS[state]:
        order = services.act_on_order(actor=k.counter, order=order, action=action)
    return order


@pytest.mark.parametrize("state", list(S))
@pytest.mark.parametrize("action", list(ORDER_WORKFLOW.transitions))
def test_every_edge_allowed_or_refused(k, state, action):
    delivery = state in (S.OUT, S.DELIVERED) or action in ("dispatch", "deliver")
    if state == S.SERVED:
        delivery = False
    order = an_order(k, state, delivery)
    step = ORDER_WORKFLOW.transitions[action]
    if state in step.sources:
        done = services.act_on_order(actor=k.counter, order=order, action=action)
        assert done.state == step.target and done.events.count() == len(PATHS[state]) + 2
    else:
        with pytest.raises(IllegalTransition):
            services.act_on_order(actor=k.counter, order=order, action=action)
        order.refresh_from_db()
        assert order.state == state


def test_residents_cannot_serve_or_deliver_but_may_cancel_their_own(k):
    order = an_order(k, S.ORDERED, True)
    from liulin.accounts.models import User

    elder = order.resident
    elder.user = User.objects.get(resident=elder)
    with pytest.raises(services.NotPermitted):
        services.act_on_order(actor=elder.user, order=order, action="dispatch")
    assert services.act_on_order(actor=elder.user, order=order, action="cancel").state == S.CANCELLED


def test_a_stranger_cannot_see_the_order(k):
    order = an_order(k, S.ORDERED, False)
    stranger = k.resident(birth=datetime.date(1980, 1, 1))
    with pytest.raises(services.NotFound):
        services.act_on_order(actor=stranger.user, order=order, action="cancel")


def test_family_order_needs_live_consent_and_counter_orders_only_today(k):
    elder = k.resident(birth=datetime.date(1944, 5, 1))
    son = k.resident(birth=datetime.date(1970, 5, 1))
    with time_machine.travel(datetime.datetime(2026, 6, 1, 8, tzinfo=timezone.get_current_timezone()), tick=False):
        with pytest.raises(services.NotPermitted):
            services.place_order(actor=son.user, period=k.lunch, day=DAY, resident=elder, channel="family")
        consent = k.consent(elder, son)
        made = services.place_order(actor=son.user, period=k.lunch, day=DAY, resident=elder, channel="family")
        assert made.proxy == consent and made.identified_by == "family"
        services.revoke_consent(actor=elder.user, canteen=k.canteen, consent=consent)
        with pytest.raises(services.NotPermitted):
            services.place_order(actor=son.user, period=k.dinner, day=DAY, resident=elder, channel="family")
        with pytest.raises(services.Invalid) as later:
            services.place_order(actor=k.counter, period=k.lunch, day=DAY + datetime.timedelta(days=1), resident=son,
                                 channel="counter", identified_by="id_card")
        assert later.value.code == "counter_today_only"
    with time_machine.travel(datetime.datetime(2026, 6, 1, 10, tzinfo=timezone.get_current_timezone()), tick=False):
        with pytest.raises(services.Invalid) as late:
            services.place_order(actor=elder.user, period=k.lunch, day=DAY, resident=elder, channel="phone")
        assert late.value.code == "after_cutoff"
