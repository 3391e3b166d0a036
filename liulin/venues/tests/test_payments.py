"""Payments: at the counter with a receipt, online through a signed and idempotent callback,
refunds, and the daily reconciliation in integer fen."""

import json

import pytest

from liulin.core.errors import Conflict, NotPermitted
from liulin.venues.models import Membership, Payment
from liulin.venues.services import gym, payments
from liulin.venues.tests.conftest import DAY
from liulin.venues.tests.factories import at, make_resident

pytestmark = pytest.mark.django_db
NOW = at(DAY, 9)


def callback(reference, status):
    body = json.dumps({"reference": reference, "status": status}).encode()
    return body, payments.TestProvider.sign(body)


def test_a_counter_payment_activates_the_membership_and_is_reconciled(world):
    membership = gym.join_gym(actor=world.resident, plan=world.plan, now=NOW)
    payment = payments.record_counter_payment(actor=world.manager, membership=membership, receipt_no="XJ-0001", now=NOW)
    assert (payment.state, payment.amount_fen) == ("confirmed", 2500)
    assert Membership.objects.get(pk=membership.pk).state == Membership.State.ACTIVE
    with pytest.raises(Conflict):  # one live payment per period
        payments.record_counter_payment(actor=world.manager, membership=membership, receipt_no="XJ-0002", now=NOW)
    other = gym.join_gym(actor=make_resident(world.community), plan=world.plan, now=NOW)
    payments.record_counter_payment(actor=world.manager, membership=other, receipt_no="XJ-0003", now=NOW)
    day = payments.reconcile(DAY)
    assert (day["count"], day["total_fen"], day["memberships_fen"], day["balanced"]) == (2, 5000, 5000, True)
    assert day["by_provider"] == {"offline": 5000}


def test_a_resident_cannot_record_cash(world):
    membership = gym.join_gym(actor=world.resident, plan=world.plan, now=NOW)
    with pytest.raises(NotPermitted):
        payments.record_counter_payment(actor=world.resident, membership=membership, receipt_no="X", now=NOW)
    assert not Payment.objects.exists()


def test_an_online_payment_confirms_once_through_a_signed_callback(world):
    membership = gym.join_gym(actor=world.resident, plan=world.plan, now=NOW)
    payment = payments.start_online_payment(actor=world.resident, membership=membership, now=NOW)
    assert payment.state == "pending"
    body, signature = callback(payment.reference, "success")
    with pytest.raises(NotPermitted):
        payments.handle_callback(provider_code="test", body=body, signature="0" * 64, now=NOW)
    assert Membership.objects.get(pk=membership.pk).state == Membership.State.AWAITING_PAYMENT
    first = payments.handle_callback(provider_code="test", body=body, signature=signature, now=NOW)
    again = payments.handle_callback(provider_code="test", body=body, signature=signature, now=at(DAY, 10))
    assert first.state == again.state == "confirmed"
    assert Payment.objects.get(pk=payment.pk).confirmed_at == NOW  # the repeat changed nothing
    assert Membership.objects.get(pk=membership.pk).state == Membership.State.ACTIVE
    assert membership.events.filter(action="confirm_payment").count() == 1


def test_a_failed_payment_leaves_the_period_awaiting_payment_and_a_new_one_may_start(world):
    membership = gym.join_gym(actor=world.resident, plan=world.plan, now=NOW)
    payment = payments.start_online_payment(actor=world.resident, membership=membership, now=NOW)
    payments.handle_callback(provider_code="test", body=callback(payment.reference, "failed")[0],
                             signature=callback(payment.reference, "failed")[1], now=NOW)
    assert Payment.objects.get(pk=payment.pk).state == "failed"
    assert payments.start_online_payment(actor=world.resident, membership=membership, now=NOW).state == "pending"


def test_a_refund_cancels_the_period_and_refunds_the_payment(world):
    membership = gym.join_gym(actor=world.resident, plan=world.plan, now=NOW)
    payment = payments.record_counter_payment(actor=world.manager, membership=membership, receipt_no="XJ-0001", now=NOW)
    payments.refund(actor=world.manager, membership=membership, reason="搬离社区", now=at(DAY, 11))
    assert Membership.objects.get(pk=membership.pk).state == Membership.State.CANCELLED
    assert Payment.objects.get(pk=payment.pk).state == "refunded"
    # The day it was confirmed still balances: refunded payments stay in that day's figures.
    assert payments.reconcile(DAY)["balanced"] is True


def test_the_payment_api_and_its_callback(world):
    import time_machine
    from django.test import Client

    membership = gym.join_gym(actor=world.resident, plan=world.plan, now=NOW)
    member = Client()
    member.force_login(world.resident)
    with time_machine.travel(NOW, tick=False):
        started = member.post(f"/api/v1/venues/memberships/{membership.pk}/pay", "{}", content_type="application/json")
        assert started.status_code == 201 and started.json()["amount_fen"] == 2500
        body, signature = callback(started.json()["reference"], "success")
        anonymous = Client()
        forged = anonymous.post("/api/v1/venues/payments/callback/test", body, content_type="application/json",
                                headers={"X-Signature": "bad"})
        assert forged.status_code == 403 and forged.json()["code"] == "bad_signature"
        for _ in range(2):
            done = anonymous.post("/api/v1/venues/payments/callback/test", body, content_type="application/json",
                                  headers={"X-Signature": signature})
            assert done.status_code == 200 and done.json()["state"] == "confirmed"
        manager = Client()
        manager.force_login(world.manager)
        day = manager.get("/api/v1/venues/payments/reconciliation", {"day": DAY.isoformat()}).json()
        assert (day["total_fen"], day["balanced"], day["by_provider"]) == (2500, True, {"test": 2500})
        assert member.get("/api/v1/venues/payments/reconciliation").status_code == 403
