"""After commit: choose each notice's channels, record a Delivery per channel and address,
and queue the `deliver` task for each. Then, in the task, the senders: e-mail through
Django's mail backend, SMS through the configured provider, webhooks as a signed POST.

Who gets what outside the inbox: a user's preference for the kind, else his all-kinds
preference, else nothing; only channels the deployment offers (`LIULIN_NOTIFY_CHANNELS`);
e-mail only to a user with an address, a webhook only to a user with an active endpoint.
An organisation's notice goes to each of its active endpoints."""

from django.conf import settings
from django.db.models import Q
from django.utils import translation

from liulin.core import clock

from .models import Channel, Delivery, Preference, WebhookEndpoint
from .services import target_of


def absolute(url):
    return settings.LIULIN_SITE_URL.rstrip("/") + url if url.startswith("/") else url


def _chosen_channels(user_ids):
    """{user id: (user, {kind: channels})} for users with any outside channel chosen (one query)."""
    offered = set(settings.LIULIN_NOTIFY_CHANNELS)
    if not offered:
        return {}
    chosen = {}
    any_channel = Q(email=True) | Q(sms=True) | Q(webhook=True)
    for pref in Preference.objects.filter(any_channel, user_id__in=user_ids).select_related("user"):
        user, by_kind = chosen.setdefault(pref.user_id, (pref.user, {}))
        by_kind[pref.kind] = pref.channels() & offered
    return chosen


def _channels_for(by_kind, kind):
    return by_kind.get(kind, by_kind.get("", set()))


def webhook_body(*, kind, text, url, target_type, target_id, at, notification_id=None, user_id=None, org_id=None):
    return {
        "id": notification_id, "kind": kind, "text": text, "url": absolute(url) if url else "",
        "target": {"app_label": target_type.app_label, "model": target_type.model, "pk": target_id} if target_type else None,
        "at": at.isoformat(), "user": user_id, "org": org_id,
    }


def _user_deliveries(notification, user, channels, endpoints):
    with translation.override(user.language or settings.LANGUAGE_CODE):
        text = notification.rendered()
        subject = "六邻 · " + text[:40]
    rows = []
    if Channel.EMAIL in channels and user.email:
        body = text + ("\n\n" + absolute(notification.url) if notification.url else "")
        rows.append(Delivery(notification=notification, channel=Channel.EMAIL, address=user.email,
                             payload={"subject": subject, "body": body}))
    if Channel.SMS in channels and user.mobile:
        rows.append(Delivery(notification=notification, channel=Channel.SMS, address=user.mobile, payload={"text": text}))
    endpoint = endpoints.get(user.pk)
    if Channel.WEBHOOK in channels and endpoint is not None:
        body = webhook_body(kind=notification.kind, text=text, url=notification.url, target_type=notification.target_type,
                            target_id=notification.target_id, at=notification.at, notification_id=notification.pk, user_id=user.pk)
        rows.append(Delivery(notification=notification, channel=Channel.WEBHOOK, endpoint=endpoint, address=endpoint.url, payload=body))
    return rows


def _org_deliveries(notices):
    if Channel.WEBHOOK not in settings.LIULIN_NOTIFY_CHANNELS:
        return []
    endpoints = list(WebhookEndpoint.objects.filter(org_id__in={n.org_id for n in notices}, active=True))
    now = clock.now()
    rows = []
    for notice in notices:
        target_type, target_id = target_of(notice.target)
        for endpoint in (e for e in endpoints if e.org_id == notice.org_id):
            body = webhook_body(kind=notice.kind, text=notice.message(), url=notice.url, target_type=target_type,
                                target_id=target_id, at=now, org_id=notice.org_id)
            rows.append(Delivery(channel=Channel.WEBHOOK, endpoint=endpoint, address=endpoint.url, payload=body))
    return rows


def dispatch(notifications, org_notices=()):
    """Plan and queue the outside deliveries of freshly committed notices (runs on commit)."""
    from .tasks import deliver

    chosen = _chosen_channels({n.user_id for n in notifications})
    hooked = [user_id for user_id, (_, by_kind) in chosen.items() if any(Channel.WEBHOOK in c for c in by_kind.values())]
    endpoints = {e.user_id: e for e in WebhookEndpoint.objects.filter(user_id__in=hooked, active=True)} if hooked else {}
    rows = []
    for notification in notifications:
        if notification.user_id in chosen:
            user, by_kind = chosen[notification.user_id]
            rows += _user_deliveries(notification, user, _channels_for(by_kind, notification.kind), endpoints)
    if org_notices:
        rows += _org_deliveries(org_notices)
    for delivery in Delivery.objects.bulk_create(rows) if rows else []:
        deliver.enqueue(delivery.pk)
    return rows
