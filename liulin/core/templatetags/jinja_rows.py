"""`{% jinja_include "whistle/rows/board.html" rows=overdue %}`: a Jinja2 row template
(liulin/jinja2.py) inside a Django template, with the current context and the given
values."""

from django import template
from django.template import engines
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def jinja_include(context, template_name, **values):
    rows = engines["jinja2"].get_template(template_name)
    # Jinja2 escapes what it renders (autoescape), so its output is safe HTML.
    return mark_safe(rows.render({**context.flatten(), **values}, request=context.get("request")))
