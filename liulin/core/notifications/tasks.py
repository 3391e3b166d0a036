"""The delivery task: one try of one Delivery, recorded as an Attempt; a failure is tried
again later (`LIULIN_NOTIFY_RETRY_SECONDS`: the waits after the 1st, 2nd... failure), and
the delivery is marked failed when the waits run out. With a task backend that cannot defer
(the immediate one), a failure is final at once rather than retried in a tight loop."""

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django_tasks import task

from liulin.core import clock

from . import kinds, sms, webhooks
from .models import Attempt, Channel, Delivery

log = logging.getLogger(__name__)


def _send_email(delivery):
    send_mail(delivery.payload["subject"], delivery.payload["body"], None, [delivery.address])
    return None


def _send_sms(delivery):
    sms.provider().send(delivery.address, delivery.payload["text"])
    return None


def _send_webhook(delivery):
    if delivery.endpoint is None or not delivery.endpoint.active:
        raise webhooks.WebhookRefused("endpoint removed or inactive")
    return webhooks.post(delivery.endpoint.url, delivery.endpoint.secret, delivery.payload)


SENDERS = {Channel.EMAIL: _send_email, Channel.SMS: _send_sms, Channel.WEBHOOK: _send_webhook}


def _try(delivery):
    """(ok, response code, error) of one try."""
    try:
        code = SENDERS[delivery.channel](delivery)
    except (OSError, sms.SmsError, webhooks.WebhookRefused) as error:
        return False, None, f"{type(error).__name__}: {error}"[:300]
    if code is not None and not 200 <= code < 300:
        return False, code, f"HTTP {code}"
    return True, code, ""


def retry_delay(attempts):
    """The wait after the `attempts`-th failure, or None when there is no further try."""
    delays = settings.LIULIN_NOTIFY_RETRY_SECONDS
    return datetime.timedelta(seconds=delays[attempts - 1]) if attempts <= len(delays) else None


@task()
def deliver(delivery_id):
    delivery = Delivery.objects.select_related("endpoint").filter(pk=delivery_id, status=Delivery.Status.PENDING).first()
    if delivery is None:  # sent already, given up, or gone
        return None
    ok, code, error = _try(delivery)
    now = clock.now()
    delivery.attempts += 1
    delay = None if ok else retry_delay(delivery.attempts)
    if delay is not None and not deliver.get_backend().supports_defer:
        delay = None
    if ok:
        delivery.status, delivery.sent_at = Delivery.Status.SENT, now
    elif delay is None:
        delivery.status = Delivery.Status.FAILED
        log.warning("notification delivery %s by %s failed for good: %s", delivery.pk, delivery.channel, error)
    with transaction.atomic():
        Attempt.objects.create(delivery=delivery, at=now, ok=ok, response_code=code, error=error)
        delivery.save(update_fields=["status", "sent_at", "attempts"])
        if ok:
            kinds.delivered(delivery)  # e.g. a 公示's receipt for the household
    if delay is not None:
        deliver.using(run_after=now + delay).enqueue(delivery.pk)
    return delivery.status
