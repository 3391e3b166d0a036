from django import template

from liulin.votes.rules import format_area

register = template.Library()


@register.filter
def m2(cm2):
    """An area held in cm² shown in m² with two decimals, exactly."""
    return format_area(cm2 or 0)
