"""`make bench` / `make bench-sqlite`: generate (or reuse) the city, run every benchmark,
print a table and write bench/out/results.json.

Sizes (environment): BENCH_TICKETS, BENCH_OPEN and the other `generate.Params` fields
(BENCH_SEED, BENCH_DISTRICTS ...); BENCH_ONLY=worklists,kpis,dashboard,sweep,intake,multinode picks
benchmarks; BENCH_CLIENTS and BENCH_INTAKE_SECONDS for the HTTP load (wrk).
BENCH_KEEP_EVENTS=0 (with BENCH_ONLY=kpis) counts each chunk's events into the KPI rollups
and deletes them, for sizes whose events the disk cannot hold."""

import datetime
import json
import os
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
ALL = ("worklists", "kpis", "dashboard", "sweep", "intake", "multinode")
DEFAULTS = {"postgresql": {"tickets": 500_000, "open": 125_000}, "sqlite": {"tickets": 100_000, "open": 25_000}}


def log(message):
    print(message, flush=True)


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liulin.settings")
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    # Benchmarks send far more than a real client may: limits that never refuse, still counted.
    os.environ.setdefault("LIULIN_API_RATE_LIMIT_TOKEN", "100000000/m")
    os.environ.setdefault("LIULIN_API_RATE_LIMIT_USER", "100000000/m")
    if not os.environ.get("DATABASE_URL"):
        sys.exit("set DATABASE_URL (make bench / make bench-sqlite do)")
    from . import db, generate

    vendor = "postgresql" if os.environ["DATABASE_URL"].startswith("postgres") else "sqlite"
    params = generate.Params.from_env(**DEFAULTS[vendor])
    started = time.monotonic()
    db.prepare(params, log=log)

    import django

    django.setup()
    db.migrate()
    from . import common

    results = {"machine": common.machine(), "params": json.loads(params.as_json())}
    log(f"bench: {params.tickets:,} tickets ({params.open:,} open) on {vendor}")
    only = [x for x in os.environ.get("BENCH_ONLY", ",".join(ALL)).split(",") if x]
    keep_events = os.environ.get("BENCH_KEEP_EVENTS", "1") != "0"
    if not keep_events and set(only) - {"kpis", "dashboard"}:
        sys.exit("BENCH_KEEP_EVENTS=0 loads tickets and their KPI rollups only: use it with BENCH_ONLY=kpis")
    t0 = time.monotonic()
    results["data"] = generate.ensure(params, keep_events=keep_events, log=log)
    results["data"]["ensure_seconds"] = round(time.monotonic() - t0, 1)
    results["database"] = common.database()
    now = datetime.datetime.fromisoformat(params.now)

    from liulin.accounts.models import User
    from liulin.apitokens.services import create_token

    personas = common.personas()
    admin = User.objects.filter(is_superuser=True).first() or personas["operator"]
    tokens = {}
    for name, user in personas.items():
        if user is not None:
            scopes = ["tickets:write"] if name == "operator" else ["tickets:read"]
            tokens[name] = create_token(actor=admin, user=user, name=f"bench {name}", scopes=scopes)[1]
    results["personas"] = {k: (v.name if v else None) for k, v in personas.items()}
    figures, memory = {}, {}
    if "worklists" in only:
        from . import worklists

        log("worklists:")
        figures.update(worklists.run(personas, tokens, now=now, log=log))
    if "kpis" in only:
        from . import kpis

        log("kpis:")
        figures.update(kpis.run(personas, now=now, log=log))
    if "dashboard" in only:
        from . import dashboard

        log("dashboard:")
        figures.update(dashboard.run(personas, now=now, log=log))
    if "sweep" in only:
        from . import sweep

        log("sweep:")
        figures.update(sweep.run(now=now, log=log))
    if "intake" in only:
        from . import intake

        log("intake:")
        found, mem = intake.run(personas, tokens, log=log)
        figures.update(found)
        memory.update(mem)
    if "multinode" in only and vendor == "postgresql":  # SKIP LOCKED queue sharing needs PostgreSQL
        from . import multinode

        log("multinode:")
        found, mem = multinode.run(log=log)
        figures.update(found)
        memory.update(mem)
    results["figures"] = figures
    results["memory"] = memory
    results["total_seconds"] = round(time.monotonic() - started, 1)
    results["machine"]["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    OUT.mkdir(exist_ok=True)
    path = OUT / ("results.json" if vendor == "postgresql" else "results-sqlite.json")
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    print_table(results)
    log(f"written {path} ({results['total_seconds']} s in all)")


def print_table(results):
    m, d = results["machine"], results["database"]
    log("")
    log(f"machine: {m['nproc']} CPU ({m['cpu']}), {m['ram_gb']} GB RAM, load {m['loadavg_at_start']} -> {m.get('loadavg_at_end')}")
    log(f"database: {d['version']} {d.get('settings', {})} size {d.get('size', '-')}")
    data = results["data"]
    log(f"data: {data.get('tickets', 0):,} tickets, {data.get('events', 0):,} events, {data.get('open', 0):,} open, "
        f"{data.get('rollup_rows', 0):,} rollup rows; generated in {data.get('seconds')} s")
    log("")
    log(f"{'benchmark':<58} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'cpu p50':>8} {'per s':>8} {'rows':>6}")
    for name, f in results["figures"].items():
        if name == "sweep":
            continue
        if "p50_ms" not in f:
            continue
        log(f"{name[:58]:<58} {f['count']:>6} {f['p50_ms']:>8} {f['p95_ms']:>8} {f['p99_ms']:>8} "
            f"{f.get('cpu_p50_ms', ''):>8} {f.get('throughput_per_s', ''):>8} {str(f.get('rows', '')):>6}")
    sweep = results["figures"].get("sweep")
    if sweep:
        log(f"sweep with {sweep['open_tickets']:,} open tickets: per-minute run median {sweep['per_minute_run_ms_median']} ms, "
            f"max {sweep['per_minute_run_ms_max']} ms, CPU median {sweep['per_minute_run_cpu_ms_median']} ms (mean {sweep['per_minute_flagged_mean']} flagged per run; "
            f"{sweep['nothing_due_ms_median']} ms when nothing is due); "
            f"one hour's backlog: {sweep['catch_up_hour']}")
    multi = results["figures"].get("multinode")
    if multi:
        log(f"multinode: {json.dumps({k: v for k, v in multi.items() if k != 'per_worker'}, ensure_ascii=False)}")
    if results.get("memory"):
        log(f"memory (RSS MB): {json.dumps(results['memory'])}")


if __name__ == "__main__":
    main()
