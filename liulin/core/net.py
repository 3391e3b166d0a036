"""The client's address, the same for the login lockout (django-axes) and every rate limit.

Behind a reverse proxy REMOTE_ADDR is the proxy's address: keyed on it, one client's
failures would lock out everyone. `X-Forwarded-For` is believed only as far as
`LIULIN_TRUSTED_PROXIES` says: with N proxies in front of the application, each appending
the address it received the request from, the client is the N-th entry from the right;
whatever lies to its left was written by the client and may be forged. With 0 (the
default, no proxy) the header is ignored.
"""

import ipaddress

from django.conf import settings


def _valid(value):
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request):
    """The client's IP address; None when the request has none (a request made in code)."""
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = getattr(settings, "LIULIN_TRUSTED_PROXIES", 0)
    if proxies <= 0:
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if len(hops) < proxies:
        return remote  # the request did not come through all our proxies
    return _valid(hops[-proxies]) or remote
