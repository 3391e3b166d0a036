"""The public transparency page (no login): recent requests as the public projection gives
them (category, place down to the estate, day, state and its public text, and the redacted
description where the requester agreed), and counts by category and grid. Open311's GET
requests read the same projection (whistle.publication)."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from liulin.core import clock
from liulin.core.calendar import month_start
from liulin.whistle import kpi, publication, selectors

RECENT = 30


@require_GET
def transparency(request):
    month = month_start(clock.today())
    rows = kpi.public_rows(period_start=month, period_end=month)
    context = {
        "recent": publication.recent(RECENT),
        "counts": selectors.public_counts(),
        "kpi_rows": rows,
        "beside": kpi.beside_units(rows),
        "kpi_month": month,
    }
    return render(request, "whistle/public.html", context)
