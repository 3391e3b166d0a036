"""Payments for gym memberships behind a small provider interface.

A provider starts a payment (gives it a reference), verifies a callback's signature, and
refunds. Two ship: `offline` (cash or transfer at the counter, recorded by staff with the
receipt number as the reference) and `test` (an online provider for tests and demos, whose
callback is signed with HMAC-SHA256). A real provider (WeChat Pay, Alipay, a bank) is a
class with the same three methods.

Confirmation is idempotent: a callback repeated for a confirmed payment changes nothing and
answers as the first did. Confirming a payment activates its membership (the membership
workflow's `confirm_payment`, in the same transaction). `reconcile(day)` checks that the
day's confirmed total equals the sum of its payments and of the memberships they paid.
"""

import hashlib
import hmac
import json
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from liulin.core import calendar, clock
from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted
from liulin.core.permissions import can

from ..models import Membership, Payment
from . import gym


class Provider:
    code = ""

    def start(self, payment):
        """A reference for the new payment."""
        return uuid.uuid4().hex

    def verify(self, body, signature):
        return False

    def refund(self, payment):
        """Return the money; True when done."""
        return True


class OfflineProvider(Provider):
    """Cash or transfer at the counter: the staff member's receipt number is the reference."""

    code = "offline"


class TestProvider(Provider):
    """An online provider that confirms through a signed callback."""

    code = "test"

    @staticmethod
    def key():
        return hmac.new(settings.LIULIN_HMAC_KEY.encode(), b"venues-test-payment-provider", hashlib.sha256).digest()

    @classmethod
    def sign(cls, body):
        return hmac.new(cls.key(), body, hashlib.sha256).hexdigest()

    def verify(self, body, signature):
        return hmac.compare_digest(self.sign(body), signature or "")


PROVIDERS = {p.code: p for p in (OfflineProvider(), TestProvider())}


def provider(code):
    found = PROVIDERS.get(code)
    if found is None:
        raise Invalid(_("未知的支付渠道。"), code="unknown_provider")
    return found


def _require_counter(actor, membership):
    if actor is not None and not can(actor, "venues.confirm_payment", membership):
        raise NotPermitted(_("您的角色不能登记收款。"))


@transaction.atomic
def record_counter_payment(*, actor, membership, receipt_no, now=None):
    """Staff record cash or a transfer with its receipt number: the payment is confirmed and
    the membership activated in one step."""
    now = now or clock.now()
    _require_counter(actor, membership)
    payment = _create(membership, provider("offline"), reference=receipt_no, now=now, recorded_by=actor)
    gym.confirm_payment(actor=actor, membership=membership, receipt_no=payment.reference, now=now)
    _confirm_row(payment, now=now)
    return payment


def _create(membership, chosen, *, reference, now, recorded_by=None):
    if membership.price_fen <= 0:
        raise Invalid(_("该会员期无需付款。"), code="nothing_to_pay")
    reference = (reference or "").strip()
    if not reference or len(reference) > 64:
        raise Invalid(_("请填写收据号（最多 32 个字符）。"), code="receipt_required", field="receipt_no")
    try:
        with transaction.atomic():
            return Payment.objects.create(membership=membership, provider=chosen.code, reference=reference, amount_fen=membership.price_fen,
                                          state=Payment.State.PENDING, created_at=now, recorded_by=recorded_by)
    except IntegrityError:
        raise Conflict(_("该会员期已有付款，或该流水号已登记过。"), code="duplicate_payment") from None


def _confirm_row(payment, *, now):
    if not Payment.objects.filter(pk=payment.pk, state=Payment.State.PENDING).update(
        state=Payment.State.CONFIRMED, confirmed_at=now, confirmed_on=calendar.local_date(now)
    ):
        raise Conflict(_("付款状态已变化。"), code="state_changed")
    payment.state = Payment.State.CONFIRMED


@transaction.atomic
def start_online_payment(*, actor, membership, provider_code="test", now=None):
    """The member starts paying online: a pending payment with the provider's reference."""
    now = now or clock.now()
    if actor is not None and actor.pk != membership.member_id and not can(actor, "venues.confirm_payment", membership):
        raise NotFound(_("找不到该会员记录，或您无权查看。"))
    if membership.state != Membership.State.AWAITING_PAYMENT:
        raise Conflict(_("该会员期不在待付款状态。"), code="not_awaiting_payment")
    chosen = provider(provider_code)
    if chosen.code == "offline":
        raise Invalid(_("线下付款请到前台办理。"), code="offline_at_counter")
    return _create(membership, chosen, reference=chosen.start(None), now=now)


@transaction.atomic
def handle_callback(*, provider_code, body, signature, now=None):
    """A provider tells us a payment succeeded or failed. Refused unless signed; a repeat is
    answered with the payment as it stands. Returns the payment."""
    now = now or clock.now()
    chosen = provider(provider_code)
    if not chosen.verify(body, signature):
        raise NotPermitted(_("签名无效。"), code="bad_signature")
    try:
        data = json.loads(body)
        reference, outcome = str(data["reference"]), str(data["status"])
    except (ValueError, KeyError, TypeError):
        raise Invalid(_("回调内容无效。"), code="bad_callback") from None
    payment = Payment.objects.select_for_update().filter(provider=chosen.code, reference=reference).first()
    if payment is None:
        raise NotFound(_("找不到该付款。"))
    if payment.state != Payment.State.PENDING:
        return payment  # already answered: idempotent
    if outcome == "success":
        gym.confirm_payment(actor=None, membership=payment.membership, receipt_no=reference[:32], now=now)
        _confirm_row(payment, now=now)
    elif outcome == "failed":
        Payment.objects.filter(pk=payment.pk, state=Payment.State.PENDING).update(state=Payment.State.FAILED)
        payment.state = Payment.State.FAILED
    else:
        raise Invalid(_("回调内容无效。"), code="bad_callback")
    return payment


@transaction.atomic
def refund(*, actor, membership, reason, now=None):
    """Refund a paid period: the membership is cancelled (`refund`) and its payment refunded
    through its provider."""
    now = now or clock.now()
    payment = Payment.objects.select_for_update().filter(membership=membership, state=Payment.State.CONFIRMED).first()
    gym.act(actor=actor, membership=membership, action="refund", reason=reason, now=now)
    if payment is not None:
        if not provider(payment.provider).refund(payment):
            raise Conflict(_("退款未成功，请稍后再试。"), code="refund_failed")
        Payment.objects.filter(pk=payment.pk).update(state=Payment.State.REFUNDED)
    return payment


def reconcile(day, *, memberships=None):
    """The day's reconciliation: the payments confirmed that day (still confirmed or refunded
    since), their total in fen, and the total of the memberships they paid, which must be
    equal. Figures from rows."""
    payments = Payment.objects.filter(confirmed_on=day, state__in=[Payment.State.CONFIRMED, Payment.State.REFUNDED])
    if memberships is not None:  # what the reader may see (selectors.memberships_for)
        payments = payments.filter(membership__in=memberships)
    rows = list(payments.values_list("amount_fen", "membership__price_fen", "provider"))
    total = payments.aggregate(total=Sum("amount_fen"))["total"] or 0
    by_provider = {}
    for amount, _price, code in rows:
        by_provider[code] = by_provider.get(code, 0) + amount
    return {
        "day": day, "count": len(rows), "total_fen": total, "sum_of_payments_fen": sum(a for a, _p, _c in rows),
        "memberships_fen": sum(p for _a, p, _c in rows), "by_provider": by_provider,
        "balanced": total == sum(a for a, _p, _c in rows) == sum(p for _a, p, _c in rows),
    }
