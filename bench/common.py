"""Shared helpers: timing statistics, machine and database description, personas."""

import os
import platform
import statistics
import time


def percentile(sorted_values, q):
    if not sorted_values:
        return None
    k = max(0, min(len(sorted_values) - 1, round(q / 100 * (len(sorted_values) - 1))))
    return sorted_values[k]


def summary(latencies_s, *, wall_s=None, rows=None, **extra):
    """{count, p50/p95/p99/mean/max in ms, throughput per second} of a list of seconds."""
    values = sorted(latencies_s)
    out = {
        "count": len(values),
        "p50_ms": round(percentile(values, 50) * 1000, 2) if values else None,
        "p95_ms": round(percentile(values, 95) * 1000, 2) if values else None,
        "p99_ms": round(percentile(values, 99) * 1000, 2) if values else None,
        "mean_ms": round(statistics.fmean(values) * 1000, 2) if values else None,
        "max_ms": round(values[-1] * 1000, 2) if values else None,
    }
    if wall_s:
        out["throughput_per_s"] = round(len(values) / wall_s, 1)
    if rows is not None:
        out["rows"] = rows
    out.update(extra)
    return out


def timed(fn, *, repeat, warmup=2):
    """Call fn() `warmup` times untimed, then `repeat` times; returns (latencies, cpu, last
    result): each call's wall-clock seconds, and the summary of the CPU seconds this process
    spent on it (`cpu_summary`)."""
    result = None
    for _ in range(warmup):
        result = fn()
    latencies, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        latencies.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return latencies, cpu_summary(cpu), result


def cpu_summary(cpu_s):
    """The CPU seconds this process spent per call, as {cpu_p50_ms, cpu_mean_ms}. On a shared
    machine the wall clock of the same code moves by a third between runs minutes apart; the
    process's own CPU time (its Python, not the database's) moves far less, so two commits
    compare on it (docs/benchmarks.md)."""
    values = sorted(cpu_s)
    if not values:
        return {}
    return {"cpu_p50_ms": round(percentile(values, 50) * 1000, 2), "cpu_mean_ms": round(statistics.fmean(values) * 1000, 2)}


def machine():
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem_kb = 0
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal"):
                    mem_kb = int(line.split()[1])
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "os": platform.platform(),
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def database():
    from django.db import connection

    info = {"vendor": connection.vendor}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT version()")
            info["version"] = cursor.fetchone()[0].split(" on ")[0]
            settings = {}
            for name in ("shared_buffers", "work_mem", "effective_cache_size", "max_connections", "synchronous_commit",
                         "random_page_cost", "jit", "max_parallel_workers_per_gather"):
                cursor.execute(f"SHOW {name}")
                settings[name] = cursor.fetchone()[0]
            info["settings"] = settings
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            info["size"] = cursor.fetchone()[0]
        else:
            cursor.execute("SELECT sqlite_version()")
            info["version"] = "SQLite " + cursor.fetchone()[0]
            cursor.execute("PRAGMA journal_mode")
            info["settings"] = {"journal_mode": cursor.fetchone()[0]}
    return info


def personas():
    """The users the benchmarks act as: the busiest property company's staff, a department
    officer, a grid worker, a community secretary and a district supervisor (their units are
    the ones with the most open tickets, so pages are as full as they get)."""
    from django.db.models import Count

    from liulin.accounts.models import RoleAssignment
    from liulin.whistle.models import Ticket
    from liulin.whistle.selectors import WORKLIST_STATES

    open_tickets = Ticket.objects.filter(state__in=WORKLIST_STATES)

    def busiest(field, **filters):
        row = open_tickets.filter(**filters).values(field).annotate(n=Count("id")).order_by("-n").first()
        return row[field] if row else None

    def holder(**lookup):
        a = RoleAssignment.objects.filter(active=True, user__mobile__startswith="199", **lookup).select_related("user").first()
        return a.user if a else None

    company = busiest("handling_org", handling_org__kind="property_company")
    department = busiest("handling_org", handling_org__kind="department")
    grid = busiest("grid")
    community = busiest("community")
    district = None
    if community:
        from liulin.territory.models import Area

        district = Area.objects.get(pk=community).parent.parent_id
    return {
        "property_company": holder(org_id=company, role="property_staff"),
        "department": holder(org_id=department, role="department_officer"),
        "grid_worker": holder(grid_id=grid, role="grid_worker"),
        "community_secretary": holder(area_id=community, role="community_secretary"),
        "district_supervisor": holder(area_id=district, role="community_staff"),
        "operator": holder(role="hotline_operator"),
    }
