"""core.redaction: what could identify a person is taken out of text before it is published."""

import pytest

from liulin.core.redaction import NAME_MASK, redact


def test_the_leaking_request_loses_name_and_room():
    assert redact("王小明家漏水，住同心家园2栋401室") == "某某家漏水，住同心家园***"


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("回电13812345678", "13812345678"),
        ("电话 138 1234 5678 下午在家", "138 1234 5678"),
        ("电话+86-13812345678", "13812345678"),
        ("固话0731-84561234", "84561234"),
        ("家里电话8765-4321", "8765-4321"),
        ("身份证430104199001011234", "430104199001011234"),
        ("证件号43010419900101123X已核对", "43010419900101123X"),
        ("邮箱 wang.xm@example.com", "wang.xm@example.com"),
        ("3号楼1单元502噪音扰民", "502"),
        ("住2-1-401的老人", "2-1-401"),
        ("1单元302漏水", "302"),
        ("楼上1802室漏水", "1802"),
        ("１２栋３０１室", "３０１"),
    ],
)
def test_numbers_and_rooms_are_masked(text, gone):
    redacted = redact(text)
    assert gone not in redacted, redacted
    assert "***" in redacted


@pytest.mark.parametrize(
    "text",
    [
        "2栋楼道灯不亮",  # a building alone is a public place
        "2026-03-02发现路灯不亮",  # a date is not a phone
        "井盖丢失，飞线充电",  # the community terms (whistle registers them) are words, not names
        "电梯停在一楼，被困2人",
        "派单规则#1",
        "小区门口路灯不亮",
    ],
)
def test_public_details_stay(text):
    assert redact(text) == text


def test_jieba_person_names_and_forms_of_address_are_masked():
    redacted = redact("张阿姨说楼道灯坏了，李师傅来看过，网格员刘芳也知道")
    for name in ("张阿姨", "李师傅", "刘芳"):
        assert name not in redacted
    assert redacted.count(NAME_MASK) == 3


def test_registry_names_are_masked_even_where_jieba_sees_no_name():
    text = "石榴说电梯坏了"
    assert redact(text) == text  # jieba reads 石榴 as a fruit
    assert redact(text, names=["石榴"]) == "某某说电梯坏了"


def test_kept_terms_are_not_taken_for_names():
    text = "请阳光物业处理"
    assert "阳光" not in redact(text)  # jieba's guess: 阳光 is a person
    assert redact(text, keep=["阳光物业"]) == text
    assert redact("阳光家门口漏水", names=["阳光"], keep=["阳光物业"]) == "某某家门口漏水"


def test_redaction_is_stable():
    once = redact("王小明家漏水，电话13812345678，住同心家园2栋401室，张阿姨知道")
    assert redact(once) == once
    assert redact("") == "" and redact(None) == ""
