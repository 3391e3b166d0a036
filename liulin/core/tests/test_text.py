"""The text rule (core.text) and the date bounds (core.clock.bounded) that keep bad input
from reaching the database or the XML feed."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.http import QueryDict

from liulin.core import clock
from liulin.core.errors import Invalid
from liulin.core.text import InvalidCharacter, clean_data, clean_querydict, clean_text, xml_text


@pytest.mark.parametrize("char", [chr(c) for c in range(1, 32) if chr(c) not in "\t\n\r"])
def test_control_characters_are_dropped(char):
    assert clean_text(f"楼道{char}灯坏了") == "楼道灯坏了"


def test_tab_newline_and_cr_are_kept():
    assert clean_text("第一行\r\n\t第二行") == "第一行\r\n\t第二行"


def test_nul_is_refused_not_dropped():
    with pytest.raises(InvalidCharacter) as caught:
        clean_text("a\x00b", field="description")
    assert caught.value.status == 400 and caught.value.code == "invalid_character" and caught.value.field == "description"


def test_clean_data_walks_keys_lists_and_nested_objects():
    assert clean_data({"a\x01": ["x\x02", {"b": "y\x1b"}], "n": 3, "t": True}) == {"a": ["x", {"b": "y"}], "n": 3, "t": True}
    with pytest.raises(InvalidCharacter):
        clean_data({"list": [1, "\x00"]})


def test_clean_querydict_copies_only_when_needed():
    plain = QueryDict("q=张三&page=2")
    assert clean_querydict(plain) is plain
    dirty = clean_querydict(QueryDict("q=%E5%BC%A0%01%E4%B8%89&tag=a%0B&tag=b"))
    assert dirty["q"] == "张三" and dirty.getlist("tag") == ["a", "b"]
    with pytest.raises(InvalidCharacter):
        clean_querydict(QueryDict("q=%00"))


def test_xml_text_drops_what_xml_cannot_carry():
    text = "".join(chr(c) for c in range(0, 32)) + "正文\ud800\ufffe\uffff😀"
    kept = xml_text(text)
    assert kept == "\t\n\r正文😀"
    ET.fromstring(f"<a>{kept}</a>".encode())


@pytest.mark.parametrize(
    "value",
    [
        datetime.date(1899, 12, 31),
        datetime.date(3000, 1, 1),
        datetime.datetime(9999, 12, 31, 23, tzinfo=datetime.timezone(datetime.timedelta(hours=-5))),
        datetime.datetime(1, 1, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=5))),
        datetime.datetime(2026, 3, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=20))),
    ],
)
def test_dates_out_of_bounds_are_refused(value):
    with pytest.raises(Invalid):
        clock.bounded(value)


def test_bounded_datetimes_come_back_in_utc():
    at = datetime.datetime(2026, 3, 1, 8, tzinfo=datetime.timezone(datetime.timedelta(hours=14)))
    assert clock.bounded(at) == at and clock.bounded(at).utcoffset() == datetime.timedelta(0)
    assert clock.bounded(datetime.date(2026, 3, 1)) == datetime.date(2026, 3, 1)
