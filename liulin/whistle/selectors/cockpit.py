"""The 数据驾驶舱's work-order tile: 三率 and the tiers that closed orders, from the KPI
counters (kpi.py); orders by category, by grid and by month, counted from the tickets the
user may see. A fixed number of queries whatever the number of tickets."""

from django.db.models import Count, Q

from liulin.core import clock
from liulin.core.calendar import add_months, month_start, start_of_day
from liulin.core.permissions import scoped
from liulin.territory.models import Grid

from .. import kpi
from ..models import Category, Ticket, Tier
from ..workflow import OPEN_STATES

MONTHS = 6  # the months the chart covers, this one included


def month_starts(today, months=MONTHS):
    first = month_start(today)
    return [add_months(first, n) for n in range(-(months - 1), 1)]


def _by_month(tickets, starts):
    """Orders filed per month, in one query: one conditional count per month."""
    bounds = [*starts, add_months(starts[-1], 1)]
    counts = tickets.aggregate(**{
        f"m{i}": Count("pk", filter=Q(created_at__gte=start_of_day(bounds[i]), created_at__lt=start_of_day(bounds[i + 1])))
        for i in range(len(starts))
    })
    return [{"month": f"{start:%Y-%m}", "count": counts[f"m{i}"]} for i, start in enumerate(starts)]


def _by_category(tickets):
    """Orders per top-level category (a sub-category counts under its parent), most first."""
    per_category = dict(tickets.values_list("category_id").annotate(n=Count("pk")).order_by())
    categories = {c.pk: c for c in Category.objects.filter(pk__in=per_category).select_related("parent")}
    totals = {}
    for pk, n in per_category.items():
        top = categories[pk].parent or categories[pk]
        totals[top.name] = totals.get(top.name, 0) + n
    return [{"label": name, "count": n} for name, n in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))]


def _by_grid(user, tickets):
    """Every grid the user sees, with its open orders and all its orders (zeros included)."""
    counts = {
        row["grid_id"]: row
        for row in tickets.values("grid_id").annotate(
            total=Count("pk"), open=Count("pk", filter=Q(state__in=OPEN_STATES))
        ).order_by()
    }
    grids = scoped(user, Grid.objects.all(), "territory.view").order_by("code").values("pk", "code", "name")
    return [
        {"code": g["code"], "name": g["name"], "open": counts.get(g["pk"], {}).get("open", 0),
         "total": counts.get(g["pk"], {}).get("total", 0)}
        for g in grids
    ]


def cockpit_tile(user):
    today = clock.today()
    starts = month_starts(today)
    tickets = scoped(user, Ticket.objects.all(), "whistle.view")
    total = kpi.kpis(user, period_start=starts[0], period_end=today)[0]
    tiers = dict(tickets.filter(state__in=OPEN_STATES).values_list("tier").annotate(n=Count("pk")).order_by())
    return {
        "rates": {"response": total.response_pct, "resolution": total.resolution_pct,
                  "satisfaction": total.satisfaction_pct, "composite": total.composite_score},
        "closed_by_tier": {"grid": total.grid_share_pct, "community": total.community_share_pct,
                           "whistle": total.whistle_share_pct},
        "open_by_tier": [{"tier": t.value, "label": t.label, "count": tiers.get(t.value, 0)} for t in Tier],
        "by_month": _by_month(tickets, starts),
        "by_category": _by_category(tickets),
        "by_grid": _by_grid(user, tickets),
        "since": starts[0],
    }
