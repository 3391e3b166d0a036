"""Formatting for the home pages' figures."""

from django import template

from liulin.core.money import format_fen

register = template.Library()


@register.filter
def yuan(fen):
    """Integer fen as yuan: 2500 -> "25", 2550 -> "25.50" (money is never a float)."""
    return format_fen(fen).removesuffix(".00")


@register.filter
def as_text(value):
    """An equipment value: a list becomes "a、b、c", anything else its text."""
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    return str(value)


@register.filter
def number(value):
    """A plain decimal without trailing zeros: Decimal("31.00") -> "31"."""
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
