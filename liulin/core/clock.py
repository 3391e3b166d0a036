"""The one source of the current time for domain code.

Deadlines, escalations and terms depend on it; tests move it with time-machine. Never call
datetime.now() or date.today() in domain code.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import Invalid


def now():
    return timezone.now()


def today():
    return timezone.localdate(now())


# The dates a request may name. Wide enough for any record and any "until further notice";
# narrow enough that a day or a reporting span either side is still a date Python can hold
# (date.max + 1 day is an OverflowError).
EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(2999, 12, 31)
MAX_OFFSET = datetime.timedelta(hours=14)


def bounded(value, *, field=None):
    """`value` (a date, or a datetime - aware ones turned into UTC) if it lies within
    EARLIEST..LATEST; `Invalid` (code out_of_range) otherwise.

    Offsets beyond ±14:00 (the widest any place on Earth uses) are refused too (code
    invalid_offset): Python accepts up to ±23:59, PostgreSQL only ±15:59."""
    if isinstance(value, datetime.datetime) and value.tzinfo is not None and abs(value.utcoffset()) > MAX_OFFSET:
        raise Invalid(_("时区偏移须在 -14:00 与 +14:00 之间。"), code="invalid_offset", field=field)
    try:
        if isinstance(value, datetime.datetime) and value.tzinfo is not None:
            value = value.astimezone(datetime.UTC)
        day = value.date() if isinstance(value, datetime.datetime) else value
    except OverflowError:
        day = None
    if day is None or not EARLIEST <= day <= LATEST:
        raise Invalid(
            _("日期须在 %(earliest)s 与 %(latest)s 之间。") % {"earliest": EARLIEST, "latest": LATEST},
            code="out_of_range",
            field=field,
        )
    return value
