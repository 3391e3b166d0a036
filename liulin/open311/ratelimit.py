"""Fixed-window rate limits on the Django cache, per api_key and per client address.

`OPEN311_RATE_LIMIT = "60/m"` allows 60 requests in each clock minute (s, m, h, d). The
cache must be shared between workers in production (a database or Redis cache) for the
limit to hold across processes; the default local-memory cache limits each process.
"""

import time

from django.conf import settings
from django.core.cache import cache

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse(rate):
    count, _, unit = (rate or "").partition("/")
    try:
        return int(count), PERIODS[unit.strip() or "m"]
    except (ValueError, KeyError):
        raise ValueError(f"OPEN311_RATE_LIMIT must look like '60/m', not {rate!r}") from None


def allow(kind, ident, rate=None):
    """Count one request for (kind, ident); False when over the limit in this window."""
    limit, period = parse(rate or getattr(settings, "OPEN311_RATE_LIMIT", "60/m"))
    window = int(time.time()) // period
    key = f"open311:rl:{kind}:{ident}:{window}"
    if cache.add(key, 1, timeout=period + 1):
        return limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=period + 1)
        count = 1
    return count <= limit
