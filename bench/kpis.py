"""三率 KPIs from the rollups: one community-month, one district-year, the whole city-year,
and the monthly ranking of handling units (what the KPI pages ask)."""

import datetime
import os

from .common import summary, timed


def run(personas, *, now, repeat=None, log=print):
    from liulin.territory.models import Area
    from liulin.whistle import kpi

    repeat = repeat or int(os.environ.get("BENCH_KPI_REPEAT", "20"))
    secretary, supervisor, operator = personas["community_secretary"], personas["district_supervisor"], personas["operator"]
    community = secretary.role_assignments.first().area
    district = supervisor.role_assignments.first().area
    city = Area.objects.get(kind="city", code="BC")
    month = (now.date().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)  # the last whole month
    year_start = month.replace(year=month.year - 1) + datetime.timedelta(days=31)
    year_start = year_start.replace(day=1)
    cases = [
        ("community-month total", secretary, dict(period_start=month, period_end=month, area=community)),
        ("community-month by grid", secretary, dict(period_start=month, period_end=month, group_by="grid", area=community)),
        ("district-year total", supervisor, dict(period_start=year_start, period_end=month, area=district)),
        ("district-year by unit", supervisor, dict(period_start=year_start, period_end=month, group_by="handling_org", area=district)),
        ("city-year total", operator, dict(period_start=year_start, period_end=month, area=city)),
        ("city-year by month", operator, dict(period_start=year_start, period_end=month, group_by="month", area=city)),
        ("city-year by community", operator, dict(period_start=year_start, period_end=month, group_by="community", area=city)),
    ]
    results = {}
    for label, user, kwargs in cases:
        latencies, cpu, rows = timed(lambda user=user, kwargs=kwargs: kpi.kpis(user, **kwargs), repeat=repeat)
        results[f"kpi {label}"] = summary(latencies, rows=len(rows), dispatched=rows[0].counts["dispatched"] if rows else 0, **cpu)
        log(f"  kpi {label}: p95 {results[f'kpi {label}']['p95_ms']} ms")
    latencies, cpu, ranking = timed(lambda: kpi.ranking(supervisor, month, by="handling_org"), repeat=repeat)
    results["kpi district ranking (month)"] = summary(latencies, rows=len(ranking.rows), **cpu)
    log(f"  kpi district ranking: p95 {results['kpi district ranking (month)']['p95_ms']} ms")
    return results
