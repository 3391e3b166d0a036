"""The deadline sweep (`whistle.tasks.sweep_deadlines`) with the generated open tickets:
runs a minute apart from the generation moment (what cron does), then one an hour later
(catching up after an outage). All inside one transaction that is rolled back, so every
benchmark run starts from the same data."""

import datetime
import os
import statistics
import time

from django.db import transaction


class _Rollback(Exception):
    pass


def run(*, now, minutes=None, log=print):
    from liulin.whistle.models import Ticket
    from liulin.whistle.tasks import sweep_deadlines
    from liulin.whistle.workflow import OPEN_STATES

    minutes = minutes or int(os.environ.get("BENCH_SWEEP_RUNS", "10"))
    _vacuum()
    open_count = Ticket.objects.filter(state__in=OPEN_STATES).count()
    runs = []
    try:
        with transaction.atomic():
            offsets = [*range(1, minutes + 1), minutes + 60]
            for offset in offsets:
                at = now + datetime.timedelta(minutes=offset)
                start, start_cpu = time.perf_counter(), time.process_time()
                counts = sweep_deadlines(now=at)
                elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
                start = time.perf_counter()
                sweep_deadlines(now=at)  # again at once: what a pass costs when nothing is due
                idle = time.perf_counter() - start
                runs.append({"offset_min": offset, "ms": round(elapsed * 1000, 1), "cpu_ms": round(cpu * 1000, 1),
                             "nothing_due_ms": round(idle * 1000, 1), **counts})
            raise _Rollback
    except _Rollback:
        pass
    minute_runs = [r for r in runs if r["offset_min"] <= minutes]
    result = {
        "open_tickets": open_count,
        "runs": runs,
        "per_minute_run_ms_median": _median(r["ms"] for r in minute_runs),
        "per_minute_run_ms_max": max((r["ms"] for r in minute_runs), default=None),
        # This process's CPU (the sweep's Python), read apart from the machine's noise.
        "per_minute_run_cpu_ms_median": _median(r["cpu_ms"] for r in minute_runs),
        "nothing_due_ms_median": _median(r["nothing_due_ms"] for r in minute_runs),
        "per_minute_flagged_mean": round(sum(r["accept_overdue"] + r["resolve_overdue"] + r["reminded"] for r in minute_runs)
                                         / max(len(minute_runs), 1), 1),
        "catch_up_hour": runs[-1] if runs else None,
    }
    log(f"  sweep: {open_count:,} open; per-minute run median {result['per_minute_run_ms_median']} ms "
        f"(nothing due: {result['nothing_due_ms_median']} ms), "
        f"max {result['per_minute_run_ms_max']} ms, CPU median {result['per_minute_run_cpu_ms_median']} ms; "
        f"an hour's backlog {runs[-1]['ms'] if runs else '-'} ms")
    return {"sweep": result}


def _median(values):
    """The middle value (the upper one of an even count), or None."""
    values = list(values)
    return statistics.median_high(values) if values else None


def _vacuum():
    """Each run's rolled-back updates leave dead rows behind in the tables the sweep writes;
    vacuum them first, so every run reads the same tables (PostgreSQL; SQLite needs nothing)."""
    from django.db import connection

    from liulin.core.notifications.models import Notification
    from liulin.whistle.models import KpiRollup, Ticket, TicketEvent

    if connection.vendor != "postgresql":
        return
    tables = ", ".join(model._meta.db_table for model in (Ticket, TicketEvent, Notification, KpiRollup))
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {tables}")
