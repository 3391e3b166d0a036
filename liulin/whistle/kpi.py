"""三率 KPIs (响应率, 解决率, 满意率), the composite score and the monthly red/black lists.

Every figure is read from the KpiRollup counters (whistle/rollups.py), summed over months,
areas, units or categories, and narrowed by the permission layer: a user sees the KPIs of
exactly the rows his "whistle.view" scope covers (his grid, his community or district, his
organisation). The formulas are in docs/kpi.md; `rates()` is their one implementation.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q, Sum
from django.utils.translation import gettext, gettext_lazy

from liulin.core import plugins
from liulin.core.calendar import month_start
from liulin.core.errors import Invalid
from liulin.core.permissions import NOTHING, active_assignments, scope_q
from liulin.core.roles import GRID_ROLES
from liulin.orgs.models import Organisation
from liulin.territory.models import Area, Grid

from .models import Category, KpiRollup
from .rollups import COUNTERS

GROUPINGS = {
    None: None,
    "grid": "grid_key",
    "handling_org": "org_key",
    "category": "category_key",
    "month": "month",
    "community": "community_key",
}
GROUP_LABELS = {
    None: gettext_lazy("合计"),
    "grid": gettext_lazy("网格"),
    "handling_org": gettext_lazy("承办单位"),
    "category": gettext_lazy("类别"),
    "month": gettext_lazy("月份"),
    "community": gettext_lazy("社区"),
}

DEFAULT_WEIGHTS = {"response": 0.1, "resolution": 0.5, "satisfaction": 0.4}
DEFAULT_BASIC_WEIGHT = 0.9
DEFAULT_LIST_SIZE = 3
DEFAULT_BLACK_THRESHOLD = 0.8


def weights():
    configured = getattr(settings, "LIULIN_KPI_WEIGHTS", None) or {}
    merged = {**DEFAULT_WEIGHTS, **configured}
    return {k: float(merged[k]) for k in DEFAULT_WEIGHTS}


def basic_weight():
    return float(getattr(settings, "LIULIN_KPI_BASIC_WEIGHT", DEFAULT_BASIC_WEIGHT))


def _ratio(numerator, denominator):
    return numerator / denominator if denominator else None


def pct(value):
    return "—" if value is None else f"{value * 100:.1f}%"


def hours(minutes):
    return "—" if minutes is None else f"{minutes / 60:.1f}"


@dataclass
class KpiRow:
    key: object
    label: str
    counts: dict
    response_rate: float | None = None
    resolution_rate: float | None = None
    satisfaction_rate: float | None = None
    composite: float | None = None
    on_time_rate: float | None = None
    avg_accept_minutes: float | None = None
    avg_resolve_minutes: float | None = None
    closed_total: int = 0
    tier_shares: dict = field(default_factory=dict)
    excluded_total: int = 0
    rank: int | None = None

    def __getattr__(self, name):
        # Templates read counters as row.dispatched, row.urges ...
        counts = self.__dict__.get("counts") or {}
        if name in counts:
            return counts[name]
        raise AttributeError(name)

    # For pages: percentages with one decimal, "—" where there is no denominator.
    @property
    def response_pct(self):
        return pct(self.response_rate)

    @property
    def resolution_pct(self):
        return pct(self.resolution_rate)

    @property
    def satisfaction_pct(self):
        return pct(self.satisfaction_rate)

    @property
    def composite_score(self):
        return "—" if self.composite is None else f"{self.composite * 100:.2f}"

    @property
    def on_time_pct(self):
        return pct(self.on_time_rate)

    @property
    def grid_share_pct(self):
        return pct(self.tier_shares.get("grid"))

    @property
    def community_share_pct(self):
        return pct(self.tier_shares.get("community"))

    @property
    def whistle_share_pct(self):
        return pct(self.tier_shares.get("whistle"))

    @property
    def avg_accept_hours(self):
        return hours(self.avg_accept_minutes)

    @property
    def avg_resolve_hours(self):
        return hours(self.avg_resolve_minutes)

    def as_dict(self):
        return {
            "key": str(self.key) if self.key is not None else None,
            "label": str(self.label),
            "response_rate": self.response_rate,
            "resolution_rate": self.resolution_rate,
            "satisfaction_rate": self.satisfaction_rate,
            "composite": self.composite,
            "on_time_rate": self.on_time_rate,
            "avg_accept_minutes": self.avg_accept_minutes,
            "avg_resolve_minutes": self.avg_resolve_minutes,
            "tier_shares": self.tier_shares,
            **self.counts,
        }


def rates(counts):
    """Every KPI of one set of summed counters (see docs/kpi.md)."""
    c = {name: int(counts.get(name) or 0) for name in COUNTERS}
    w = weights()
    response = _ratio(c["accepted_in_time"], c["dispatched"])
    resolution = _ratio(c["callbacks_solved"], c["callbacks_valid"])
    satisfaction = _ratio(c["satisfied"] + basic_weight() * c["basic"], c["rated"])
    parts = [(w["response"], response), (w["resolution"], resolution), (w["satisfaction"], satisfaction)]
    present = [(weight, value) for weight, value in parts if value is not None]
    weight_sum = sum(weight for weight, _ in present)
    # A rate without a denominator is left out and the other weights scaled up to 1; with
    # no rate at all there is no composite (the unit is not ranked).
    composite = sum(weight * value for weight, value in present) / weight_sum if present and weight_sum else None
    closed_total = c["closed_grid"] + c["closed_community"] + c["closed_whistle"]
    return {
        "counts": c,
        "response_rate": response,
        "resolution_rate": resolution,
        "satisfaction_rate": satisfaction,
        "composite": composite,
        "on_time_rate": _ratio(c["resolved_in_time"], c["resolved"]),
        "avg_accept_minutes": _ratio(c["accept_minutes_sum"], c["accepted"]),
        "avg_resolve_minutes": _ratio(c["resolve_minutes_sum"], c["resolved"]),
        "closed_total": closed_total,
        "tier_shares": {
            "grid": _ratio(c["closed_grid"], closed_total),
            "community": _ratio(c["closed_community"], closed_total),
            "whistle": _ratio(c["closed_whistle"], closed_total),
        },
        "excluded_total": c["merged"] + c["withdrawn"] + c["forwarded"],
    }


def _as_date(value, name):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    raise Invalid(f"{name} 应为日期。", code="invalid_period", field=name)


AREA_GROUPINGS = frozenset({None, "month", "community"})


def _grain_for(user, group_by):
    """Grid rows where a grid is asked for or the user's scope is a grid (community rows carry
    no grid, so a grid worker would see nothing in them). Area rows (one per community and
    month) for totals, months and communities when the user sees by area alone: they carry
    no unit, so a unit's staff, whose scope is its unit, read the community rows. Community
    rows otherwise (ten times fewer than grid rows, a hundred times more than area rows)."""
    assignments = active_assignments(user)
    if group_by == "grid" or any(a.role in GRID_ROLES for a in assignments):
        return KpiRollup.Grain.GRID
    by_area = user.is_superuser or (assignments and all(a.area_id for a in assignments))
    if group_by in AREA_GROUPINGS and by_area:
        return KpiRollup.Grain.AREA
    return KpiRollup.Grain.COMMUNITY


def scoped_rollups(user, *, period_start, period_end, group_by=None, area=None):
    """The rollup rows behind `kpis`: the user's scope, the months of the period, the area."""
    start = month_start(_as_date(period_start, "period_start"))
    end = month_start(_as_date(period_end, "period_end"))
    if end < start:
        raise Invalid(gettext("结束月份早于开始月份。"), code="invalid_period", field="period_end")
    q = scope_q(user, "whistle.view", KpiRollup)
    if q == NOTHING:
        return KpiRollup.objects.none()
    qs = KpiRollup.objects.filter(q, grain=_grain_for(user, group_by), month__gte=start, month__lte=end)
    if area is not None:
        qs = qs.filter(Q(area_path__startswith=area.path))
    return qs


def _labels(group_by, keys):
    keys = [k for k in keys if k not in (None, 0)]
    if group_by == "grid":
        return dict(Grid.objects.filter(pk__in=keys).values_list("pk", "name"))
    if group_by == "handling_org":
        return dict(Organisation.objects.filter(pk__in=keys).values_list("pk", "name"))
    if group_by == "category":
        return {c.pk: str(c) for c in Category.objects.filter(pk__in=keys).select_related("parent")}
    if group_by == "community":
        return dict(Area.objects.filter(pk__in=keys).values_list("pk", "name"))
    return {}


def _label(group_by, key, labels):
    if group_by is None:
        return gettext("合计")
    if group_by == "month":
        return f"{key:%Y-%m}"
    if key in (0, None):
        return gettext("未派单") if group_by == "handling_org" else "—"
    return labels.get(key, f"#{key}")


def kpis(user, *, period_start, period_end, group_by=None, area=None):
    """KPI rows for the months from `period_start` to `period_end` (whole months, both
    included), one per group (or one total row), from the rollups the user may see."""
    if group_by not in GROUPINGS:
        raise Invalid(gettext("不支持的分组方式。"), code="invalid_group_by", field="group_by")
    qs = scoped_rollups(user, period_start=period_start, period_end=period_end, group_by=group_by, area=area)
    sums = {name: Sum(name) for name in COUNTERS}
    column = GROUPINGS[group_by]
    if column is None:
        results = [{"key": None, **qs.aggregate(**sums)}]
    else:
        results = [
            {"key": r.pop(column), **r} for r in qs.values(column).annotate(**sums).order_by(column)
        ]
    labels = _labels(group_by, [r["key"] for r in results])
    rows = []
    for r in results:
        key = r.pop("key")
        rows.append(KpiRow(key=key, label=_label(group_by, key, labels), **rates(r)))
    return rows


@dataclass
class Ranking:
    month: datetime.date
    by: str
    rows: list  # ranked rows, best first
    red: list
    black: list
    unranked: list  # no rate had a denominator this month


def ranking(user, month, by="handling_org", *, list_size=None, threshold=None):
    """The month's units (or grids, categories ...) ordered by composite score, best first.
    Red list: the top `list_size`. Black list: the bottom `list_size` and any unit below
    `threshold` (settings LIULIN_KPI_LIST_SIZE, LIULIN_KPI_BLACK_THRESHOLD); a unit is never
    on both."""
    if by is None or by == "month":
        raise Invalid(gettext("排名须按单位、网格、社区或类别。"), code="invalid_group_by", field="by")
    size = list_size if list_size is not None else int(getattr(settings, "LIULIN_KPI_LIST_SIZE", DEFAULT_LIST_SIZE))
    limit = threshold if threshold is not None else float(getattr(settings, "LIULIN_KPI_BLACK_THRESHOLD", DEFAULT_BLACK_THRESHOLD))
    month = month_start(_as_date(month, "month"))
    rows = kpis(user, period_start=month, period_end=month, group_by=by)
    if by == "handling_org":
        rows = [r for r in rows if r.key]  # tickets nobody handled yet rank no unit
    ranked = sorted(
        (r for r in rows if r.composite is not None),
        key=lambda r: (-round(r.composite, 9), -r.counts["dispatched"], r.label),
    )
    for position, row in enumerate(ranked, start=1):
        row.rank = position
    red = ranked[:size]
    red_keys = {r.key for r in red}
    bottom_keys = {r.key for r in ranked[-size:]} if size else set()
    black = [r for r in ranked if r.key not in red_keys and (r.key in bottom_keys or r.composite < limit)]
    black.sort(key=lambda r: r.rank, reverse=True)
    unranked = [r for r in rows if r.composite is None]
    return Ranking(month=month, by=by, rows=ranked, red=red, black=black, unranked=unranked)


def beside_units(rows):
    """The columns other apps show beside each unit's 三率 (core.plugins unit figures, e.g. a
    property company's published owners' satisfaction): their labels, and each row's values
    in `row.beside`, in the same order."""
    figures = plugins.unit_figures([row.key for row in rows])
    for row in rows:
        row.beside = [values.get(row.key, "") for _label, values in figures]
    return [label for label, _values in figures]


def public_rows(*, period_start, period_end, area=None):
    """三率 per handling unit for the public page: no login, no scope, no person - only unit
    names and their rates and counts (every unit's figures are published, as in 接诉即办)."""
    start = month_start(_as_date(period_start, "period_start"))
    end = month_start(_as_date(period_end, "period_end"))
    qs = KpiRollup.objects.filter(grain=KpiRollup.Grain.COMMUNITY, month__gte=start, month__lte=end).exclude(org_key=0)
    if area is not None:
        qs = qs.filter(area_path__startswith=area.path)
    results = qs.values("org_key").annotate(**{name: Sum(name) for name in COUNTERS}).order_by("org_key")
    labels = _labels("handling_org", [r["org_key"] for r in results])
    rows = [KpiRow(key=r.pop("org_key"), label="", **rates(r)) for r in results]
    for row in rows:
        row.label = labels.get(row.key, f"#{row.key}")
    return sorted(rows, key=lambda r: (r.composite is None, -(r.composite or 0), r.label))
