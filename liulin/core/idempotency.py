"""Safe retries of POSTs: the `Idempotency-Key` request header (IETF httpapi draft "The
Idempotency-Key HTTP Header Field").

A client that lost an answer re-sends the request with the same key and gets the first
answer again (same status, body, Content-Type and Location, plus `Idempotent-Replayed:
true`) instead of a second ticket. Keys belong to an owner (a user, an Open311 api_key):
another owner's key of the same value is a different key. The same key with another request
(method, path and body, hashed) is refused 422 `idempotency_key_reused`; the same key while
its first request still runs is refused 409 `idempotency_key_in_flight` (retry later).

How it holds under concurrency: the key is claimed by inserting its row, committed before
the work starts; the unique (owner, key) constraint lets exactly one of two concurrent
requests in, on SQLite and PostgreSQL alike, and the other sees the claim. The work and the
answer are then written in one transaction, so a crash leaves either both or neither. A
claim whose request died (still unanswered after IN_FLIGHT_TIMEOUT) can be taken over; the
first request, should it still finish, then finds its claim gone and rolls its work back.

Kept are the answers a retry must see again: status below 500, except 401, 403 and 429 (who
asks, or when: nothing was done, and fixing that should let the retry run) and answers
marked `Cache-Control: no-store` (personal data is never stored here). For those the claim
is released and the retry runs. Keys expire after TTL (24 h, `IDEMPOTENCY_KEY_TTL` seconds);
an expired key is free again, and `manage.py purge_idempotency_keys` deletes the old rows.

`once(request, owner=..., run=...)` is the one entry point; the API (liulin/api.py) and
Open311 (open311/views.py) call it for every POST.
"""

import datetime
import hashlib
import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse, RawPostDataException

from . import clock
from .errors import Conflict, DomainError, Invalid
from .models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
KEPT_HEADERS = ("Content-Type", "Location")
NOT_KEPT = frozenset({401, 403, 429})
# A bare token or a structured-field string ("..."), printable ASCII.
_KEY = re.compile(r'"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*)"|([\x21\x23-\x7e]+)')


def ttl():
    return datetime.timedelta(seconds=getattr(settings, "IDEMPOTENCY_KEY_TTL", 24 * 3600))


def in_flight_timeout():
    return datetime.timedelta(seconds=getattr(settings, "IDEMPOTENCY_IN_FLIGHT_TIMEOUT", 300))


class KeyReused(DomainError):
    status = 422
    code = "idempotency_key_reused"


class KeyInFlight(Conflict):
    code = "idempotency_key_in_flight"


def key_of(request):
    """The request's Idempotency-Key, or None when it sent none; Invalid when malformed."""
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    match = _KEY.fullmatch(raw.strip())
    key = (match.group(1).replace('\\"', '"').replace("\\\\", "\\") if match.group(1) is not None else match.group(2)) if match else ""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise Invalid(f"{HEADER} 须为 1–{MAX_KEY_LENGTH} 个可打印 ASCII 字符（如 UUID）。", code="invalid_idempotency_key",
                      field=HEADER)
    return key


def fingerprint_of(request):
    """SHA-256 of the method, the path with its query and the body: what makes two requests
    "the same request"."""
    digest = hashlib.sha256(f"{request.method} {request.get_full_path()}\n".encode())
    digest.update(_body(request))
    return digest.hexdigest()


def _body(request):
    try:
        return request.body
    except RawPostDataException:
        # A multipart form read already (its raw bytes are gone): its fields in order, and
        # each file's name and size. Its boundary, random per sending, is left out anyway.
        fields = [(name, value) for name, values in request.POST.lists() for value in values]
        files = [(name, f.name, f.size) for name, found in request.FILES.lists() for f in found]
        return repr((fields, files)).encode()


def once(request, *, owner, run):
    """Answer `request` with `run()` (an HttpResponse) once per (owner, Idempotency-Key): the
    first time run it; afterwards replay its answer. Without a key, or without an owner (an
    unauthenticated request, refused by `run` anyway), simply `run()`. Raises KeyReused,
    KeyInFlight or Invalid for the caller to answer in its own error format."""
    key = key_of(request)
    if key is None or owner is None:
        return run()
    claim, earlier = _claim(owner, key, fingerprint_of(request), clock.now())
    if earlier is not None:
        return replay(earlier)
    try:
        with transaction.atomic():
            response = run()
            if _keeps(response):
                _answer(claim, response)
                return response
    except BaseException:
        _release(claim)
        raise
    _release(claim)
    return response


def _claim(owner, key, fingerprint, now):
    """(our new claim, None), or (None, the earlier answer to replay); KeyReused, KeyInFlight."""
    for _ in range(3):
        try:
            with transaction.atomic():
                return IdempotencyKey.objects.create(owner=owner, key=key, fingerprint=fingerprint, created_at=now), None
        except IntegrityError:
            pass
        earlier = IdempotencyKey.objects.filter(owner=owner, key=key).first()
        if earlier is None:
            continue  # released or purged meanwhile: claim again
        if _dead(earlier, now):
            # Taken over only as read: an answer that arrived meanwhile is kept.
            IdempotencyKey.objects.filter(pk=earlier.pk, created_at=earlier.created_at, status=earlier.status).delete()
            continue
        if earlier.fingerprint != fingerprint:
            raise KeyReused(f"该 {HEADER} 已用于另一个请求；新的请求请换一个新的键。", field=HEADER)
        if earlier.status is None:
            raise KeyInFlight(f"使用该 {HEADER} 的请求仍在处理中，请稍后重试。", field=HEADER)
        return None, earlier
    raise KeyInFlight(f"使用该 {HEADER} 的请求仍在处理中，请稍后重试。", field=HEADER)


def _dead(row, now):
    """Expired, or claimed by a request that never answered."""
    if row.created_at <= now - ttl():
        return True
    return row.status is None and row.created_at <= now - in_flight_timeout()


def _keeps(response):
    if getattr(response, "streaming", False) or response.status_code >= 500 or response.status_code in NOT_KEPT:
        return False
    return "no-store" not in response.get("Cache-Control", "")


def _answer(claim, response):
    headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
    stored = IdempotencyKey.objects.filter(pk=claim.pk, status__isnull=True).update(
        status=response.status_code, body=response.content, headers=headers
    )
    if not stored:
        # Our claim was taken over as dead: the other request's work counts, ours must not.
        raise KeyInFlight(f"使用该 {HEADER} 的请求仍在处理中，请稍后重试。", field=HEADER)


def _release(claim):
    IdempotencyKey.objects.filter(pk=claim.pk, status__isnull=True).delete()


def replay(row):
    response = HttpResponse(bytes(row.body), status=row.status)
    for name, value in row.headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def purge(*, now=None):
    """Delete the keys past their TTL; returns how many."""
    cutoff = (now or clock.now()) - ttl()
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


# --- OpenAPI ------------------------------------------------------------------------------

PARAMETER = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "description": (
        "重试安全：同一调用者的同一键 + 同一请求只执行一次，重试得到第一次的应答（状态与正文相同，附 "
        "Idempotent-Replayed: true）；同一键用于不同请求 → 422 idempotency_key_reused；第一次仍在处理 → "
        "409 idempotency_key_in_flight。键保留 24 小时。1–255 个可打印 ASCII 字符，如 UUID。"
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": "^[\\x21-\\x7e]+$"},
}


def document(schema):
    """Add the header parameter to every POST operation of an OpenAPI document."""
    for operations in schema.get("paths", {}).values():
        post = operations.get("post")
        if post is not None and not any(p.get("name") == HEADER for p in post.get("parameters", [])):
            post.setdefault("parameters", []).append(dict(PARAMETER))
    return schema
