"""The public transparency page (no login): recent requests anonymised to category, grid,
day and state, and counts by category and grid. No name, phone, room, address or
description is ever read for it (see selectors.public_recent)."""

from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET

from liulin.whistle import selectors


def _kpi_url():
    """W4's public KPI page, once it exists."""
    for name in ("whistle:kpi_public", "whistle:kpi"):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


@require_GET
def transparency(request):
    context = {"recent": selectors.public_recent(), "counts": selectors.public_counts(), "kpi_url": _kpi_url()}
    return render(request, "whistle/public.html", context)
