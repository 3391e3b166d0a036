"""The kinds of notification apps send, registered by each app (in its AppConfig.ready) so
the preferences page can list them. A kind is "app.what", e.g. "whistle.ticket"."""

KINDS = {}


def register(code, label):
    """Declare a kind with the label users read (mark it with gettext_lazy)."""
    KINDS[code] = label


def choices():
    return sorted(KINDS.items())
