"""core.pagination: one keyset cursor for the pages and the API."""

import datetime

import pytest

from liulin.core.errors import Invalid
from liulin.core.pagination import decode_cursor, encode_cursor

AT = datetime.datetime(2026, 3, 1, 8, 30, tzinfo=datetime.UTC)


def test_a_cursor_round_trips_ints_datetimes_and_none():
    assert decode_cursor(encode_cursor(AT, 42), datetime.datetime, int) == (AT, 42)
    assert decode_cursor(encode_cursor(1, None, 7), int, datetime.datetime, int, nullable=(1,)) == (1, None, 7)


def test_a_cursor_is_opaque_and_url_safe():
    cursor = encode_cursor(AT, 42)
    assert "|" not in cursor and "=" not in cursor and "+" not in cursor and "/" not in cursor


@pytest.mark.parametrize(
    "value, kinds",
    [
        ("", (int,)),
        ("%%%", (int,)),
        (encode_cursor(1, 2), (int,)),  # wrong count
        (encode_cursor(AT, 1), (int, int)),  # wrong type
        (encode_cursor(None, 1), (datetime.datetime, int)),  # None where none is allowed
        (encode_cursor(AT.replace(tzinfo=None), 1), (datetime.datetime, int)),  # naive
        (encode_cursor(datetime.datetime(1, 1, 1, tzinfo=datetime.UTC), 1), (datetime.datetime, int)),  # out of range
    ],
)
def test_a_cursor_that_is_not_one_is_invalid_never_a_server_error(value, kinds):
    with pytest.raises(Invalid) as caught:
        decode_cursor(value, *kinds)
    assert caught.value.code == "invalid_cursor"


def test_only_ints_and_datetimes_go_in():
    with pytest.raises(TypeError):
        encode_cursor(1.5)
