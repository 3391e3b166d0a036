"""Pagination for the API and the pages.

Two ways: limit/offset with bounds, so a huge offset or limit is a 422, not a database
overflow (SQLite and PostgreSQL both hold OFFSET in a signed 64-bit integer); and one keyset
cursor (`encode_cursor` / `decode_cursor`) for long lists, so a deep page costs what the first
one does. A cursor is the sort key of a page's last row (ints and aware datetimes, a datetime
may be None), opaque to the client (URL-safe base64 of "|"-joined values).
"""

import base64
import binascii
import datetime

from django.utils.translation import gettext
from ninja import Field, Schema
from ninja.conf import settings as ninja_settings
from ninja.pagination import LimitOffsetPagination

from . import clock
from .errors import Invalid

MAX_OFFSET = 10**9


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(ninja_settings.PAGINATION_PER_PAGE, ge=1, le=ninja_settings.PAGINATION_MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)


def encode_cursor(*values):
    """The cursor of a row whose sort key is `values` (ints, datetimes or None)."""
    parts = []
    for value in values:
        if value is None:
            parts.append("")
        elif isinstance(value, datetime.datetime):
            parts.append(value.isoformat())
        elif isinstance(value, int) and not isinstance(value, bool):
            parts.append(str(value))
        else:
            raise TypeError(f"a cursor holds ints and datetimes, not {type(value).__name__}")
    return base64.urlsafe_b64encode("|".join(parts).encode()).decode().rstrip("=")


def decode_cursor(value, *kinds, nullable=()):
    """The values `encode_cursor` put in `value`, as `kinds` (int or datetime.datetime); the
    positions in `nullable` may be None. A cursor that is not one (wrong count, types, a naive
    or out-of-range datetime) is `Invalid` (code invalid_cursor), never a server error."""
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        parts = raw.split("|")
        if not value or len(parts) != len(kinds):
            raise ValueError
        return tuple(_parse(part, kind, index in nullable) for index, (part, kind) in enumerate(zip(parts, kinds, strict=True)))
    except (ValueError, UnicodeDecodeError, binascii.Error, TypeError, Invalid):
        raise Invalid(gettext("无效的分页游标。"), code="invalid_cursor", field="cursor") from None


def _parse(part, kind, nullable):
    if part == "" and nullable:
        return None
    if kind is int:
        if not part.lstrip("-").isdigit():
            raise ValueError
        return int(part)
    at = datetime.datetime.fromisoformat(part)
    if at.tzinfo is None:
        raise ValueError
    return clock.bounded(at, field="cursor")
