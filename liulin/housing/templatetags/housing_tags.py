from django import template

from liulin.core.masking import mask_name
from liulin.core.money import format_fen

register = template.Library()


@register.filter
def housing_yuan(fen):
    return f"¥{format_fen(int(fen))}" if fen is not None else ""


@register.filter
def housing_masked(name):
    return mask_name(name or "")
