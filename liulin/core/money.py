"""Money is integer fen (分), never a float: a float cannot hold 0.10 exactly, and a sum of
them drifts. Text from a form or an import becomes fen by `parse_fen`; fen become text by
`format_fen`. Every app that stores an amount stores fen in an integer column."""

import re

from django.utils.translation import gettext as _

from .errors import Invalid

_AMOUNT = re.compile(r"(?P<sign>-?)(?P<yuan>[0-9]+)(?:\.(?P<jiao_fen>[0-9]{1,2}))?")
MAX_FEN = 10**15  # far above any amount a community handles, far below a 64-bit column's limit


def parse_fen(text, *, allow_negative=False, field=None):
    """"12.50" -> 1250, "12" -> 1200, "0.5" -> 50. At most two decimals; no float, no
    thousands separator, no exponent (an int is taken as yuan). Negative only when asked."""
    if isinstance(text, bool) or isinstance(text, float):
        raise TypeError("money is parsed from text (or an int of yuan), never from a float")
    value = str(text).strip().replace("¥", "").replace("￥", "").strip()
    match = _AMOUNT.fullmatch(value)
    if match is None:
        raise Invalid(_("金额格式不对，如 12.50（最多两位小数）。"), code="invalid_amount", field=field)
    fen = int(match["yuan"]) * 100 + int((match["jiao_fen"] or "0").ljust(2, "0"))
    if match["sign"]:
        if not allow_negative:
            raise Invalid(_("金额不能为负数。"), code="negative_amount", field=field)
        fen = -fen
    if abs(fen) >= MAX_FEN:
        raise Invalid(_("金额过大。"), code="invalid_amount", field=field)
    return fen


def format_fen(fen, *, allow_negative=True):
    """1250 -> "12.50", 5 -> "0.05", -1250 -> "-12.50"; None -> ""."""
    if fen is None:
        return ""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError(f"fen are an int, not {type(fen).__name__}")
    if fen < 0 and not allow_negative:
        raise ValueError("a negative amount where none is allowed")
    whole, cents = divmod(abs(fen), 100)
    return f"{'-' if fen < 0 else ''}{whole}.{cents:02d}"
