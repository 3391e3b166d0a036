"""Open311's limits, per api_key and per client address, on the kernel's limiter
(liulin/core/limits.py), so they hold across every worker process and machine.

`OPEN311_RATE_LIMIT = "60/m"` allows 60 requests in each clock minute (s, m, h, d) to each
key and to each address (liulin/core/net.py says which address is the client's).
"""

from django.conf import settings

from liulin.core import limits

from .errors import Open311Error

WHAT = {"addr": "this address", "key": "this api_key"}


def check(kind, ident):
    """Count one request for (kind, ident); raise the spec's 429 when over the limit."""
    wait = limits.hit(f"open311:{kind}", ident, getattr(settings, "OPEN311_RATE_LIMIT", "60/m"))
    if wait:
        raise Open311Error(429, f"too many requests for {WHAT[kind]}; retry in {wait} seconds", retry_after=wait)
