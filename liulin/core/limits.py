"""Rate limits that hold across processes and machines: one limiter for every limit.

A limit is a rate such as "60/m" (a count per s, m, h or d) applied to a name and an
identity, e.g. ("open311:addr", "203.0.113.9") or ("reveal", user id). Requests are counted
in fixed clock windows in Django's default cache, which is shared by every worker: the
database cache by default (core migration 0002 creates its table), Redis when `REDIS_URL`
is set (docs/deployment.md). A per-process cache would multiply the limit by the number of
workers and forget it whenever one is respawned.

Count before a service opens its transaction: on the database cache the count is a row in
the same database, and a transaction rolled back by the refusal it led to would take the
count back with it.

`check` raises `RateLimited` (HTTP 429, code "rate_limited") carrying the seconds until the
window ends; the API, the pages and Open311 send them as `Retry-After`.
"""

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import gettext as _

from .errors import DomainError

logger = logging.getLogger(__name__)

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"

    def __init__(self, detail, *, retry_after, code=None):
        super().__init__(detail, code=code)
        self.retry_after = retry_after


def parse(rate):
    """ "60/m" → Rate(60, 60); "" or "off" → None (no limit)."""
    text = (rate or "").strip()
    if text.lower() in ("", "off", "none"):
        return None
    count, _sep, unit = text.partition("/")
    try:
        return Rate(int(count), PERIODS[unit.strip() or "m"])
    except (ValueError, KeyError):
        raise ValueError(f"a rate limit must look like '60/m' (s, m, h, d), not {rate!r}") from None


def _key(name, ident, window):
    # Identities may come from clients (addresses, token prefixes): hash them so every key is
    # short and safe for any cache backend.
    digest = hashlib.sha256(str(ident).encode()).hexdigest()[:32]
    return f"limit:{name}:{digest}:{window}"


def _count(key, timeout):
    """One more request under `key`; the count so far. `incr` is atomic on both backends."""
    for _attempt in range(3):
        try:
            return cache.incr(key)
        except ValueError:  # no entry yet in this window (or it just expired)
            if cache.add(key, 1, timeout=timeout):
                return 1
    # The entry kept vanishing between incr and add (the database cache's add fails quietly
    # on a locked table, and its "expired" is to the second where get's is exact): a limiter
    # must not turn a request into a server error, so the window's count starts again.
    logger.warning("rate limit %s: the count could not be kept; starting it again", key)
    cache.set(key, 1, timeout=timeout)
    return 1


def clock():
    """The time windows are counted in (tests hold it still so no window ends mid-test)."""
    return time.time()


def hit(name, ident, rate, *, now=None):
    """Count one request; 0 when it is allowed, else the seconds until the window ends."""
    limit = parse(rate) if isinstance(rate, str) or rate is None else rate
    if limit is None:
        return 0
    now = clock() if now is None else now
    window, elapsed = divmod(now, limit.seconds)
    remaining = max(1, math.ceil(limit.seconds - elapsed))
    count = _count(_key(name, ident, int(window)), timeout=remaining + 1)
    return 0 if count <= limit.count else remaining


def check(name, ident, rate, *, detail=None, code=None):
    """Count one request; raise RateLimited when over the limit. `detail` may name the wait
    as %(seconds)s; `code` replaces "rate_limited" where a client must tell limits apart."""
    wait = hit(name, ident, rate)
    if wait:
        message = detail or _("请求过于频繁，请 %(seconds)s 秒后再试。")
        raise RateLimited(message % {"seconds": wait}, retry_after=wait, code=code)
