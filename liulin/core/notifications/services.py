"""Writes: send notifications, mark them read, set a user's channel preferences.

`send` is called inside the caller's transaction: the in-app notices are inserted with the
caller's change (one insert for any number of them), and the outside channels are planned and
queued by `transaction.on_commit`, so nothing leaves the platform for an action that rolled
back. Who is told is the calling app's rule; how they are told is decided here.
"""

from dataclasses import dataclass, field
from functools import partial

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext

from liulin.core import clock
from liulin.core.errors import Invalid

from . import kinds
from .models import Notification, Preference, WebhookEndpoint, fill

MESSAGE_LENGTH = Notification._meta.get_field("message").max_length


@dataclass(frozen=True)
class Notice:
    """What to tell one user (`user_id`) or one organisation (`org_id`, its webhook only).

    `text`: the message in the source language with `{name}` placeholders, marked for
    translation where it is defined (`gettext_noop`) and filled from `params` when read;
    `target`: the object it is about (any model instance), `url`: where the reader goes."""

    kind: str
    text: str
    params: dict = field(default_factory=dict)
    user_id: int | None = None
    org_id: int | None = None
    target: object = None
    url: str = ""

    def message(self):
        return fill(self.text, self.params)[:MESSAGE_LENGTH]


def target_of(obj):
    if obj is None:
        return None, ""
    return ContentType.objects.get_for_model(obj), str(obj.pk)


def send(notices):
    """Record the users' notices (one insert) and, after commit, deliver them and the
    organisations' notices through the channels chosen for them. Returns the notifications."""
    from . import channels

    notices = list(notices)
    rows = []
    for notice in notices:
        if notice.user_id is None:
            continue
        target_type, target_id = target_of(notice.target)
        rows.append(Notification(
            user_id=notice.user_id, kind=notice.kind, target_type=target_type, target_id=target_id, url=notice.url,
            text=notice.text, params=notice.params, message=notice.message(),
        ))
    created = Notification.objects.bulk_create(rows) if rows else []
    to_orgs = [n for n in notices if n.org_id is not None]
    if created or to_orgs:
        # robust: the action has committed; a failure to plan deliveries is logged, not raised at it.
        transaction.on_commit(partial(channels.dispatch, created, to_orgs), robust=True)
    return created


def notify(user, *, kind, text, params=None, target=None, url=""):
    """Send one notice to one user; returns the notification."""
    return send([Notice(kind=kind, text=text, params=params or {}, user_id=user.pk, target=target, url=url)])[0]


def mark_read(*, user, ids=None, now=None):
    """Mark the user's unread notifications read (all, or those of `ids`); returns how many."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=now or clock.now())


def set_preferences(*, user, choices):
    """Store the user's channels: `choices` is {kind or "": {"email", "sms", "webhook"} ⊆ set}.
    A kind whose choice equals the all-kinds one keeps no row of its own."""
    unknown = set(choices) - set(kinds.KINDS) - {""}
    if unknown:
        raise Invalid(gettext("未知的消息类型。"), code="unknown_kind", field="kind")
    default = set(choices.get("", set()))
    with transaction.atomic():
        Preference.objects.filter(user=user).delete()
        rows = [Preference(user=user, kind="", **_flags(default))]
        rows += [Preference(user=user, kind=kind, **_flags(chosen)) for kind, chosen in choices.items() if kind and set(chosen) != default]
        Preference.objects.bulk_create(rows)


def _flags(chosen):
    return {"email": "email" in chosen, "sms": "sms" in chosen, "webhook": "webhook" in chosen}


def set_webhook(*, user, url, secret):
    """Set (or, with an empty url, remove) the user's own webhook endpoint."""
    if not url:
        WebhookEndpoint.objects.filter(user=user).delete()
        return None
    if not secret or len(secret) < 16:
        raise Invalid(gettext("签名密钥至少 16 个字符。"), code="secret_too_short", field="secret")
    endpoint, _ = WebhookEndpoint.objects.update_or_create(user=user, defaults={"url": url, "secret": secret, "active": True})
    return endpoint
