"""Writes of the Open311 endpoint: api keys, and filing a service request as a work order.

A POST is checked completely (key, service, location, attributes, lengths) before anything
is written; then the work order is filed through `whistle.services.intake.file_ticket`
with channel "open311", acting as the key's service user, in one transaction with the
Open311Request row. Anything refused changes nothing.
"""

import datetime
import hashlib
import hmac
import re
import secrets

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from liulin.core import audit, clock
from liulin.core.errors import DomainError, NotFound, NotPermitted
from liulin.territory.models import Building, Household
from liulin.whistle.services import intake

from . import selectors
from .errors import Open311Error
from .models import Open311Key, Open311Request, ServiceAttribute

MAX_DESCRIPTION = 4000
KEY_PREFIX = "o311"
# An address_id that does not exist reads the same as one outside the key's scope, so a key
# cannot probe which building and household ids exist.
PLACE_REFUSED = "address_id is not a place this api_key may file requests at"


# --- api keys -------------------------------------------------------------------------


def _hash(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def create_key(*, actor, name, user):
    """A new api_key for `name`, acting as `user`; returns (row, raw key shown once)."""
    name = (name or "").strip()
    if not name:
        raise Open311Error(400, "name is required")
    if Open311Key.objects.filter(name=name).exists():
        raise Open311Error(400, f"an api_key named {name!r} exists already")
    prefix = secrets.token_hex(6)
    raw = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(24)}"
    key = Open311Key.objects.create(name=name, prefix=prefix, key_hash=_hash(raw), user=user)
    audit.record(actor=actor, action="open311.key_create", target=key, user=user.pk)
    return key, raw


@transaction.atomic
def revoke_key(*, actor, key):
    if key.revoked_at is None:
        key.revoked_at = clock.now()
        key.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="open311.key_revoke", target=key)
    return key


def key_for(raw):
    """The active key for a raw api_key value, or None (constant-time comparison)."""
    parts = (raw or "").split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    key = Open311Key.objects.select_related("user").filter(prefix=parts[1]).first()
    if key is None or key.revoked_at is not None or not key.user.is_active:
        return None
    if not hmac.compare_digest(key.key_hash, _hash(raw)):
        return None
    now = clock.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() >= 60:
        Open311Key.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


# --- checking a POST ------------------------------------------------------------------


def _text(data, name, limit):
    value = (data.get(name) or "").strip()
    if len(value) > limit:
        raise Open311Error(400, f"{name} must be at most {limit} characters")
    return value


def _location(data, user):
    """(lon, lat, building, household, address_string, address_id) from lat/long, address_id
    or address_string; at least one is required."""
    lat, lon = (data.get("lat") or "").strip(), (data.get("long") or "").strip()
    address_string = _text(data, "address_string", 128)
    address_id = _text(data, "address_id", 32)
    building = household = None
    if lat or lon:
        try:
            lat_f, lon_f = float(lat), float(lon)
        except ValueError:
            raise Open311Error(400, "lat and long must both be given as decimal degrees (WGS84)") from None
        if not (-90 <= lat_f <= 90 and -180 <= lon_f <= 180) or lat_f != lat_f or lon_f != lon_f:
            raise Open311Error(400, "lat must be within -90..90 and long within -180..180")
        return lon_f, lat_f, None, None, address_string, address_id
    if address_id:
        match = re.fullmatch(r"([BbHh]?)(\d{1,12})", address_id)
        if not match:
            raise Open311Error(400, "address_id must be a building id (B123) or household id (H123)")
        model = Household if match.group(1).upper() == "H" else Building
        place = model.objects.filter(pk=int(match.group(2))).first()
        if place is None:
            raise Open311Error(403, PLACE_REFUSED)  # the intake service checks the scope of one that exists
        if model is Household:
            household = place
        else:
            building = place
        return None, None, building, household, address_string, address_id
    if address_string:
        # Located by the intake service (whistle.routing.locate_address), as on every channel:
        # a building, a landmark's grid, or the community's queue as 待定位.
        return None, None, None, None, address_string, ""
    raise Open311Error(400, "a location is required: lat and long, address_string or address_id")


def _attributes(data, service):
    """attribute[CODE] (attribute[CODE][] for multivaluelist) checked against the definition."""
    definition = {a.code: a for a in selectors.attributes_of(service) if a.variable}
    sent = {}
    for name in data:
        match = re.fullmatch(r"attribute\[([^\]]+)\](\[\])?", name)
        if not match:
            continue
        code = match.group(1)
        if code not in definition:
            raise Open311Error(400, f"attribute {code} is not defined for service {service.code}")
        values = [v.strip() for v in data.getlist(name) if v.strip()]
        sent[code] = values
    answers = {}
    for code, attribute in definition.items():
        values = sent.get(code, [])
        if not values:
            if attribute.required:
                raise Open311Error(400, f"attribute {code} is required")
            continue
        answers[code] = _check_value(attribute, values)
    return answers


def _check_value(attribute, values):
    kind = ServiceAttribute.Datatype
    if attribute.datatype == kind.MULTIVALUELIST:
        bad = [v for v in values if v not in attribute.keys()]
        if bad:
            raise Open311Error(400, f"attribute {attribute.code}: unknown value {bad[0]!r}")
        return values
    if len(values) > 1:
        raise Open311Error(400, f"attribute {attribute.code} takes one value")
    value = values[0]
    if len(value) > 1000:
        raise Open311Error(400, f"attribute {attribute.code} is too long")
    if attribute.datatype == kind.SINGLEVALUELIST and value not in attribute.keys():
        raise Open311Error(400, f"attribute {attribute.code}: unknown value {value!r}")
    if attribute.datatype == kind.NUMBER:
        try:
            number = float(value)
        except ValueError:
            raise Open311Error(400, f"attribute {attribute.code} must be a number") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise Open311Error(400, f"attribute {attribute.code} must be a number")
    if attribute.datatype == kind.DATETIME:
        try:
            parsed = parse_datetime(value)
        except ValueError:
            parsed = None
        if parsed is None:
            raise Open311Error(400, f"attribute {attribute.code} must be an ISO 8601 datetime")
    if attribute.datatype == kind.STRING and len(value) > 200:
        raise Open311Error(400, f"attribute {attribute.code} is too long")
    return value


def _answers_text(service, answers):
    labels = {a.code: a for a in selectors.attributes_of(service)}
    lines = []
    for code, value in answers.items():
        attribute = labels[code]
        names = {str(v.get("key")): v.get("name") for v in attribute.values or [] if isinstance(v, dict)}
        shown = "、".join(names.get(v, v) for v in value) if isinstance(value, list) else names.get(value, value)
        lines.append(f"{attribute.description}：{shown}")
    return "\n".join(lines)


def _contact(data):
    email = _text(data, "email", 254)
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            raise Open311Error(400, "email is not a valid address") from None
    phone = _text(data, "phone", 20)
    if phone and not re.fullmatch(r"\+?[\d\- ]{5,20}", phone):
        raise Open311Error(400, "phone is not a valid number")
    # Chinese order: family name first.
    name = f"{_text(data, 'last_name', 32)}{_text(data, 'first_name', 32)}"[:32]
    return name, phone


def _media_url(data):
    url = _text(data, "media_url", 500)
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise Open311Error(400, "media_url must be an http(s) URL") from None
    return url


def _consent(data):
    """publish_description: true/false (1/0); absent, the channel's default (not published)."""
    value = (data.get("publish_description") or "").strip().lower()
    if not value:
        return None
    if value not in ("true", "false", "1", "0"):
        raise Open311Error(400, "publish_description must be true or false")
    return value in ("true", "1")


def submit_request(*, key, data):
    """File a service request from a POST's form data; returns the Open311Request."""
    service = selectors.service(data.get("service_code", ""))
    if service is None:
        raise Open311Error(400, "service_code not found" if data.get("service_code") else "service_code is required")
    description = (data.get("description") or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise Open311Error(400, f"description must be at most {MAX_DESCRIPTION} characters")
    lon, lat, building, household, address_string, address_id = _location(data, key.user)
    answers = _attributes(data, service)
    name, phone = _contact(data)
    media_url = _media_url(data)
    publish = _consent(data)
    account_id, device_id = _text(data, "account_id", 64), _text(data, "device_id", 64)

    text = "\n".join(part for part in (description or service.name, _answers_text(service, answers)) if part)
    if len(text) > MAX_DESCRIPTION:
        raise Open311Error(400, f"description and attributes together must be at most {MAX_DESCRIPTION} characters")
    token = secrets.token_hex(16)
    try:
        with transaction.atomic():
            ticket, _ = intake.file_ticket(
                actor=key.user,
                channel="open311",
                category=service,
                description=text,
                contact_name=name,
                contact_phone=phone,
                household=household,
                building=building,
                lon=lon,
                lat=lat,
                address=address_string,
                client_request_id=f"open311-{token}",
                publish_description=publish,
            )
            return Open311Request.objects.create(
                ticket=ticket,
                key=key,
                token=token,
                attributes=answers,
                media_url=media_url,
                account_id=account_id,
                device_id=device_id,
                address_id=address_id,
            )
    except NotPermitted as error:
        raise Open311Error(403, f"this api_key may not file requests here: {error.detail}") from None
    except NotFound:
        raise Open311Error(403, PLACE_REFUSED) from None  # the only record a request names is its place
    except DomainError as error:
        raise Open311Error(400, error.detail) from None


def parse_range(start, end, *, now, max_days=90):
    """(start, end) datetimes of a GET requests query: default the last `max_days` days."""
    def one(name, value):
        if not value:
            return None
        try:
            parsed = parse_datetime(value.strip())
        except ValueError:
            parsed = None
        if parsed is None:
            raise Open311Error(400, f"{name} must be an ISO 8601 datetime, e.g. 2026-03-01T00:00:00+08:00")
        if parsed.tzinfo is None:
            parsed = timezone.make_aware(parsed)  # the jurisdiction's own time zone
        try:
            return clock.bounded(parsed)
        except DomainError:
            raise Open311Error(
                400, f"{name} must lie between {clock.EARLIEST} and {clock.LATEST}, with a UTC offset within ±14:00"
            ) from None

    start, end = one("start_date", start), one("end_date", end)
    span = datetime.timedelta(days=max_days)
    if end is None:
        end = start + span if start is not None else now
    if start is None:
        start = end - span
    if end < start:
        raise Open311Error(400, "end_date is before start_date")
    if end - start > span:
        raise Open311Error(400, f"the date range may span at most {max_days} days")
    return start, end
