"""未诉先办: problems that keep coming back, found before residents have to call again.

Tickets are clustered by category × grid × month (the month a ticket was filed, local time).
A cluster is recurring when it holds at least `min_total` tickets over the last `months`
months; its trend compares this month with the average of the months before. A supervisor
can turn one into a proactive task: a ticket filed through the one intake path with channel
"proactive", whose chain records the cluster it came from.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from liulin.core.calendar import add_months, local_zone, month_start, start_of_day
from liulin.core.errors import Invalid, NotFound
from liulin.core.permissions import scoped
from liulin.territory import geo
from liulin.territory.models import Grid

from .events import append_event
from .models import Category, Channel, Ticket
from .workflow import EXCLUDED_END_STATES

DEFAULT_MONTHS = 6
DEFAULT_MIN_TOTAL = 3
DEFAULT_TOP = 20


@dataclass
class Cluster:
    category: Category
    grid: Grid
    months: list  # [(first-of-month date, count)] oldest first, the whole window
    total: int
    this_month: int
    previous_average: float
    trend: str  # "up", "down" or "flat"
    task: Ticket | None = None  # the proactive task already made from it this month

    @property
    def trend_label(self):
        return {"up": _("上升"), "down": _("下降"), "flat": _("持平")}[self.trend]

    @property
    def key(self):
        return f"{self.category.pk}-{self.grid.pk}"


def _window_start(month, months):
    return start_of_day(add_months(month, -(months - 1)))


def _window_end(month):
    return start_of_day(add_months(month, 1))


def counted_tickets(user, *, month, months=DEFAULT_MONTHS):
    """The tickets that count toward clusters: filed in the window, seen by the user, not
    duplicates, withdrawn or not ours, and not our own proactive tasks."""
    qs = Ticket.objects.filter(created_at__gte=_window_start(month, months), created_at__lt=_window_end(month))
    qs = qs.exclude(state__in=EXCLUDED_END_STATES).exclude(channel=Channel.PROACTIVE)
    return scoped(user, qs, "whistle.view")


def _trend(this_month, previous_average):
    if this_month > previous_average:
        return "up"
    if this_month < previous_average:
        return "down"
    return "flat"


def clusters(user, *, month, months=DEFAULT_MONTHS, min_total=DEFAULT_MIN_TOTAL, top=DEFAULT_TOP):
    """The top recurring clusters for the window of `months` months ending with `month`."""
    if months < 2:
        raise Invalid(_("至少比较两个月。"), code="invalid_months", field="months")
    month = month_start(month)
    rows = (
        counted_tickets(user, month=month, months=months)
        .annotate(month=TruncMonth("created_at", tzinfo=local_zone()))
        .values("category_id", "grid_id", "month")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = defaultdict(dict)
    for row in rows:
        filed_month = row["month"]
        if isinstance(filed_month, datetime.datetime) and timezone.is_naive(filed_month):
            filed_month = filed_month.date()
        counts[(row["category_id"], row["grid_id"])][month_start(filed_month)] = row["n"]
    window = [add_months(month, -i) for i in range(months - 1, -1, -1)]
    chosen = []
    for (category_id, grid_id), by_month in counts.items():
        total = sum(by_month.values())
        if total < min_total:
            continue
        this_month = by_month.get(month, 0)
        previous = [by_month.get(m, 0) for m in window[:-1]]
        average = sum(previous) / len(previous)
        chosen.append((category_id, grid_id, [(m, by_month.get(m, 0)) for m in window], total, this_month, average))
    chosen.sort(key=lambda c: (-c[3], -c[4], c[0], c[1]))
    chosen = chosen[:top]
    categories = Category.objects.in_bulk({c[0] for c in chosen})
    grids = Grid.objects.select_related("community").in_bulk({c[1] for c in chosen})
    tasks = {
        (t.category_id, t.grid_id): t
        for t in Ticket.objects.filter(client_request_id__in=[_request_id(c[0], c[1], month) for c in chosen])
    }
    return [
        Cluster(
            category=categories[category_id],
            grid=grids[grid_id],
            months=series,
            total=total,
            this_month=this_month,
            previous_average=average,
            trend=_trend(this_month, average),
            task=tasks.get((category_id, grid_id)),
        )
        for category_id, grid_id, series, total, this_month, average in chosen
    ]


def _request_id(category_id, grid_id, month):
    return f"proactive:{category_id}:{grid_id}:{month:%Y-%m}"


def _inside(grid):
    point = geo.parse_boundary(grid.boundary).representative_point()
    return point.x, point.y


def make_proactive_task(*, actor, category, grid, month, months=DEFAULT_MONTHS, now=None):
    """Turn the cluster (category, grid, month) into a proactive ticket; returns (ticket,
    created). One task per cluster and month: asking again returns the first one."""
    from .services.intake import file_ticket

    month = month_start(month)
    visible = counted_tickets(actor, month=month, months=months).filter(category=category, grid=grid)
    if not scoped(actor, visible, "whistle.escalate").exists():
        # Only a supervisor of that grid's community acts on its clusters; others see nothing.
        raise NotFound(_("找不到该高频问题，或您无权处理。"))
    existing = Ticket.objects.filter(client_request_id=_request_id(category.pk, grid.pk, month)).first()
    if existing is not None:
        return existing, False
    found = {c.key: c for c in clusters(actor, month=month, months=months, min_total=1, top=10_000)}
    cluster = found[f"{category.pk}-{grid.pk}"]
    history = "，".join(f"{m:%Y年%m月}{n}件" for m, n in cluster.months if n)
    description = (
        f"未诉先办：{grid.name}“{category}”类诉求近{months}个月共{cluster.total}件（{history}），"
        f"本月{cluster.this_month}件，趋势{cluster.trend_label}。请主动排查、源头治理。"
    )
    lon, lat = _inside(grid)
    with transaction.atomic():
        ticket, created = file_ticket(
            actor=actor,
            channel=Channel.PROACTIVE,
            category=category,
            description=description,
            lon=lon,
            lat=lat,
            address=f"{grid.name}（网格范围）",
            client_request_id=_request_id(category.pk, grid.pk, month),
            now=now,
        )
        if created:
            append_event(
                ticket,
                actor=actor,
                action="internal_note",
                reason="由高频问题生成的主动治理任务",
                internal=True,
                data={
                    "source": "recurring",
                    "category": category.pk,
                    "grid": grid.pk,
                    "month": f"{month:%Y-%m}",
                    "months": {f"{m:%Y-%m}": n for m, n in cluster.months},
                    "total": cluster.total,
                    "trend": cluster.trend,
                },
                at=now,
            )
    return ticket, created
