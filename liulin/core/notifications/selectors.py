"""Reads: a user sees his own notifications and settings, nobody else's."""

from .models import Notification, Preference, WebhookEndpoint

BELL_CAP = 99  # the bell shows "99+" beyond this, so counting stops there


def inbox(user, limit=50):
    return Notification.objects.filter(user=user).order_by("-at", "-id")[:limit]


def unread_count(user):
    """The bell's figure in one query, bounded: COUNT over at most BELL_CAP + 1 index rows."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).order_by()[: BELL_CAP + 1].count()


def own_notification(user, pk):
    return Notification.objects.filter(user=user, pk=pk).first()


def preferences(user):
    """{kind or "": set of channels} as the user set them."""
    return {p.kind: p.channels() for p in Preference.objects.filter(user=user)}


def own_webhook(user):
    return WebhookEndpoint.objects.filter(user=user).first()
