"""Signed webhook POSTs, and the check a receiver makes.

The body is JSON (UTF-8). Two headers: `X-Liulin-Timestamp` (Unix seconds) and
`X-Liulin-Signature: sha256=<hex>`, the HMAC-SHA256 with the endpoint's secret of
"<timestamp>.<body>". A receiver recomputes it and refuses a timestamp older than a few
minutes, so a captured request cannot be replayed later. Redirects are not followed and,
unless `LIULIN_WEBHOOK_ALLOW_PRIVATE`, an endpoint on a loopback, private or link-local
address is refused: users type these URLs, and must not reach the servers' own network."""

import hashlib
import hmac
import ipaddress
import json
import socket
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings

from liulin.core import clock

SIGNATURE_HEADER = "X-Liulin-Signature"
TIMESTAMP_HEADER = "X-Liulin-Timestamp"


class WebhookRefused(Exception):
    pass


def sign(secret, timestamp, body):
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret, timestamp, body, signature, *, now=None, tolerance=300):
    """Whether a received body is signed with `secret` and its timestamp is recent."""
    now = (now or clock.now()).timestamp()
    try:
        fresh = abs(now - int(timestamp)) <= tolerance
    except (TypeError, ValueError):
        return False
    return fresh and hmac.compare_digest(sign(secret, timestamp, body), signature or "")


def _refuse_private(url):
    if settings.LIULIN_WEBHOOK_ALLOW_PRIVATE:
        return
    host = urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError as error:
        raise WebhookRefused(f"cannot resolve {host}") from error
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global:
            raise WebhookRefused(f"{host} resolves to a non-public address")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def post(url, secret, payload):
    """POST the payload signed; returns the HTTP status. Raises OSError (network) or
    WebhookRefused; a 3xx, 4xx or 5xx answer is returned as its status."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise WebhookRefused("only http and https endpoints")
    _refuse_private(url)
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = str(int(clock.now().timestamp()))
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(secret, timestamp, body),
        "User-Agent": "Liulin-Webhook/1",
    })
    try:
        with _opener.open(request, timeout=settings.LIULIN_WEBHOOK_TIMEOUT) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
