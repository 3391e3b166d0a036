"""The public transparency page (no login): recent requests anonymised to category, grid,
day and state, and counts by category and grid. No name, phone, room, address or
description is ever read for it (see selectors.public_recent)."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from liulin.core import clock
from liulin.core.calendar import month_start
from liulin.whistle import kpi, selectors


@require_GET
def transparency(request):
    month = month_start(clock.today())
    context = {
        "recent": selectors.public_recent(),
        "counts": selectors.public_counts(),
        "kpi_rows": kpi.public_rows(period_start=month, period_end=month),
        "kpi_month": month,
    }
    return render(request, "whistle/public.html", context)
