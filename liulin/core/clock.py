"""The one source of the current time for domain code.

Deadlines, escalations and terms depend on it; tests move it with time-machine. Never call
datetime.now() or date.today() in domain code.
"""

from django.utils import timezone


def now():
    return timezone.now()


def today():
    return timezone.localdate(now())
