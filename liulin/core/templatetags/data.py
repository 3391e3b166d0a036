"""`{{ value|data }}`: a value from the database (a name, an address, a category) marked
`translate="no"`, the HTML standard's "do not translate this". Inside a translated sentence
(`{% blocktrans with name=user.name|data %}`) it marks the value without changing the msgid;
the English-mode tests (tests/test_english_pages.py) look for Chinese outside such marks."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def data(value):
    if value in (None, ""):
        return ""
    return format_html('<span translate="no">{}</span>', value)
