from django import template

from liulin.core.money import format_fen

register = template.Library()


@register.filter
def yuan(fen):
    """Integer fen as yuan text: 2500 -> "25.00"."""
    return format_fen(fen) if isinstance(fen, int) else ""
