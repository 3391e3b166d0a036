"""Printing: a template rendered to PDF by WeasyPrint with Debian's Noto CJK fonts, and the
response that serves it (inline, never cached: printed documents may carry names)."""

from django.http import HttpResponse
from django.template.loader import render_to_string

# The font stack every printed template uses (fonts-noto-cjk, see docs/decisions.md).
CJK_FONTS = '"Noto Serif CJK SC", "Noto Sans CJK SC", serif'


def render(template, context):
    """The template rendered with `context` (plus `cjk_fonts`) as PDF bytes."""
    from weasyprint import HTML

    html = render_to_string(template, {"cjk_fonts": CJK_FONTS, **context})
    return HTML(string=html).write_pdf()


def response(pdf, *, filename):
    found = HttpResponse(pdf, content_type="application/pdf")
    found["Content-Disposition"] = f'inline; filename="{filename}"'
    found["Cache-Control"] = "no-store"
    return found
