"""The kinds of notification apps send, registered by each app (in its AppConfig.ready) so
the preferences page can list them. A kind is "app.what", e.g. "whistle.ticket"."""

KINDS = {}
_delivered = {}


def register(code, label):
    """Declare a kind with the label users read (mark it with gettext_lazy)."""
    KINDS[code] = label


def choices():
    return sorted(KINDS.items())


def on_delivered(code, callback):
    """`callback(delivery)` runs when a notification of kind `code` has been delivered by an
    outside channel (e-mail, SMS provider, webhook), in the transaction that records it: the
    notices app turns it into the household's receipt (proof of service)."""
    callbacks = _delivered.setdefault(code, [])
    if callback not in callbacks:
        callbacks.append(callback)


def delivered(delivery):
    notification = delivery.notification
    if notification is None:  # an organisation's notice, not one person's
        return
    for callback in _delivered.get(notification.kind, ()):
        callback(delivery)
