"""core.money: integer fen in, integer fen out; floats and (unless asked) negatives refused."""

import pytest

from liulin.core.errors import Invalid
from liulin.core.money import format_fen, parse_fen


@pytest.mark.parametrize(
    "text, fen",
    [("12.50", 1250), ("12.5", 1250), ("12", 1200), ("0.05", 5), (" ¥3.20 ", 320), ("0", 0), (7, 700), ("0.1", 10)],
)
def test_text_becomes_fen(text, fen):
    assert parse_fen(text) == fen


@pytest.mark.parametrize("text", ["", "abc", "12.345", "1,000", "1e3", ".5", "12.", "--1", "1 000", "１２"])
def test_what_is_not_an_amount_is_invalid(text):
    with pytest.raises(Invalid) as caught:
        parse_fen(text, field="fee")
    assert caught.value.code == "invalid_amount" and caught.value.field == "fee"


def test_a_float_is_refused_outright():
    with pytest.raises(TypeError):
        parse_fen(12.5)
    with pytest.raises(TypeError):
        format_fen(12.5)


def test_negatives_only_where_asked():
    with pytest.raises(Invalid) as caught:
        parse_fen("-3.00")
    assert caught.value.code == "negative_amount"
    assert parse_fen("-3.05", allow_negative=True) == -305
    assert format_fen(-305) == "-3.05"
    with pytest.raises(ValueError):
        format_fen(-305, allow_negative=False)


def test_an_absurd_amount_is_invalid():
    with pytest.raises(Invalid):
        parse_fen("1" * 20)


@pytest.mark.parametrize("fen, text", [(1250, "12.50"), (5, "0.05"), (0, "0.00"), (100, "1.00"), (None, "")])
def test_fen_become_text(fen, text):
    assert format_fen(fen) == text


@pytest.mark.parametrize("fen", [0, 1, 99, 100, 1250, 123456789])
def test_format_and_parse_round_trip(fen):
    assert parse_fen(format_fen(fen)) == fen
