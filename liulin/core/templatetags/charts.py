"""Plain SVG charts drawn on the server (no chart library, no script: docs/decisions.md, "KPI
chart"). Each is decoration beside a table that carries the same figures, so it is hidden
from screen readers and its text sizes are the page's own (they hold in 长辈版).

    {% load charts %}
    <td>{% svg_bar row.count rows_max %}</td>        a bar whose length is value / max
    {% svg_columns rows "count" "month" %}           one column per row, for a series over time
"""

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()

BAR = '<svg class="chart-bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">{}</svg>'


def _share(value, top):
    value, top = int(value or 0), int(top or 0)
    return 0 if top <= 0 else max(0, min(100, value * 100 / top))


@register.simple_tag
def svg_bar(value, top):
    width = _share(value, top)
    return format_html(BAR, format_html('<rect width="{}" height="10" fill="#b3001b"></rect>', f"{width:.1f}"))


@register.filter
def max_of(rows, key):
    """The largest `key` among `rows` (dicts), 0 for none: the scale of a set of bars."""
    return max((int(row.get(key) or 0) for row in rows), default=0)


@register.simple_tag
def svg_columns(rows, value_key, label_key):
    """Columns for a short series (months): heights scaled to the largest, each with its
    value and label written below in SVG text sized by the page's font."""
    rows = list(rows)
    top = max((int(r.get(value_key) or 0) for r in rows), default=0)
    step = 40
    columns = format_html_join(
        "",
        '<rect x="{}" y="{}" width="28" height="{}" fill="#b3001b"></rect>'
        '<text x="{}" y="{}" text-anchor="middle">{}</text>',
        (
            (i * step + 6, 80 - h, h, i * step + 20, 76 - h if h > 8 else 72, r.get(value_key) or 0)
            for i, r in enumerate(rows)
            for h in [round(_share(r.get(value_key), top) * 0.7)]
        ),
    )
    labels = format_html_join(
        "", '<text x="{}" y="96" text-anchor="middle">{}</text>',
        ((i * step + 20, str(r.get(label_key))[-2:]) for i, r in enumerate(rows)),
    )
    return format_html(
        '<svg class="chart-columns" viewBox="0 0 {} 100" aria-hidden="true" focusable="false">{}{}</svg>',
        max(step * len(rows), step), columns, labels,
    )
