"""`python -m bench.rush`: an enrolment rush on the REST API, the elderly-university opening
day. Figures are printed (and written to bench/out/rush.json), never asserted.

A production-like server (bench/server.py: granian, DEBUG off) serves
`POST /api/v1/activities/<id>/enrol`; a bounded load client (BENCH_RUSH_CLIENTS threads,
each with its own keep-alive connection and its own residents' tokens) sends every attempt
once and records its latency and answer. Each scenario gets fresh classes:

  shape     50 clients, 500 attempts, one class of 30 (the shape pretix was measured at)
  one       2,000 attempts, one class of 30
  seven     2,000 attempts over seven classes of 30 at once

After each scenario the database is read back: places taken never exceed capacity, the
confirmed rows equal the places taken, every attempt was answered (201 confirmed or waiting,
or a clear 4xx refusal), and nobody holds two live enrolments.

Environment: DATABASE_URL (a database of its own: it is migrated and filled with bench
residents, e.g. postgres://postgres@127.0.0.1:5432/liulin_rush or
sqlite:///bench/out/rush.sqlite3), BENCH_RUSH_CLIENTS (100), BENCH_WEB_WORKERS (2),
BENCH_WEB_THREADS (4).
"""

import datetime
import http.client
import json
import os
import queue
import secrets
import sys
import threading
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
CAPACITY = 30
# BENCH_RUSH_SCALE shrinks every scenario's attempts (e.g. 0.05 to check the benchmark runs).
SCALE = float(os.environ.get("BENCH_RUSH_SCALE", "1"))
PEOPLE = int(4_500 * SCALE) + 10  # enough distinct residents for every attempt of every scenario


def log(message):
    print(message, flush=True)


def _setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liulin.settings")
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    os.environ.setdefault("BENCH_WEB_THREADS", "4")
    if not os.environ.get("DATABASE_URL"):
        sys.exit("set DATABASE_URL to a database of its own for the rush benchmark")
    url = os.environ["DATABASE_URL"]
    if url.startswith("postgres"):
        import dj_database_url
        import psycopg

        config = dj_database_url.parse(url)
        with psycopg.connect(host=config["HOST"] or "127.0.0.1", port=config["PORT"] or 5432, user=config["USER"],
                             dbname="postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone():
                conn.execute(f'CREATE DATABASE "{config["NAME"]}"')
    else:
        OUT.mkdir(exist_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _world():
    """A community, its residents (women of 60, eligible for every class) with resident
    accounts and API tokens. Made once; a re-run reuses it."""
    from liulin.accounts.models import RoleAssignment, User
    from liulin.apitokens.models import ApiToken
    from liulin.apitokens.services import TOKEN_PREFIX, hash_key
    from liulin.people.models import Resident
    from liulin.territory.models import Area, Building, Estate, Grid, Household

    community = Area.objects.filter(code="RUSH-COMMUNITY").first()
    if community is None:
        community = Area.objects.create(kind="community", code="RUSH-COMMUNITY", name="抢报社区")
        square = {"type": "Polygon", "coordinates": [[[112.8, 28.3], [112.81, 28.3], [112.81, 28.31], [112.8, 28.31], [112.8, 28.3]]]}
        grid = Grid.objects.create(community=community, code="RUSH-G1", name="抢报网格", boundary=square)
        estate = Estate.objects.create(community=community, name="抢报小区")
        building = Building.objects.create(estate=estate, grid=grid, name="1栋")
    households = list(Household.objects.filter(community=community).order_by("id"))
    if len(households) < PEOPLE:
        building = Building.objects.filter(community=community).first()
        Household.objects.bulk_create([Household(building=building, grid=building.grid, community=community, room=str(1000 + n))
                                       for n in range(len(households), PEOPLE)])
        households = list(Household.objects.filter(community=community).order_by("id"))
    have = Resident.objects.filter(household__in=households).count()
    if have < PEOPLE:
        born = datetime.date(datetime.date.today().year - 60, 1, 1)
        Resident.objects.bulk_create([
            Resident(name=f"学员{n}", gender="F", birth_date=born, household=h, relation="head")
            for n, h in enumerate(households[have:PEOPLE], start=have)
        ])
    residents = list(Resident.objects.filter(household__in=households).order_by("id"))
    users = {u.resident_id: u for u in User.objects.filter(resident__in=residents)}
    missing = [r for r in residents if r.pk not in users]
    if missing:
        User.objects.bulk_create([User(mobile=f"166{r.pk:08d}", name=r.name, resident=r) for r in missing])
        users = {u.resident_id: u for u in User.objects.filter(resident__in=residents)}
        RoleAssignment.objects.bulk_create([RoleAssignment(user=users[r.pk], role="resident") for r in missing])
    tokens = {}
    ApiToken.objects.filter(user__in=users.values(), name="rush").delete()
    rows = []
    for r in residents:
        prefix = secrets.token_hex(6)
        raw = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(24)}"
        rows.append(ApiToken(user=users[r.pk], name="rush", prefix=prefix, key_hash=hash_key(raw), scopes=["write"]))
        tokens[r.pk] = raw
    ApiToken.objects.bulk_create(rows)
    return community, residents, tokens


def _classes(community, label, count):
    from liulin.activities import services
    from liulin.activities.models import Activity, Course, Term

    today = datetime.date.today()
    term = Term.objects.create(community=community, name=f"{label} {time.time_ns()}", starts_on=today + datetime.timedelta(days=30),
                               ends_on=today + datetime.timedelta(days=150), max_classes=7)
    start = datetime.datetime.combine(term.starts_on, datetime.time(9), tzinfo=datetime.UTC)
    made = []
    for n in range(count):
        course, _ = Course.objects.get_or_create(community=community, name=f"课程{n}")
        activity = services.create_activity(
            actor=None, community=community, kind=Activity.Kind.CLASS, title=f"{label}班{n}", course=course, term=term,
            starts_at=start, ends_at=start + datetime.timedelta(days=100), capacity=CAPACITY,
            slots=[(n % 7, datetime.time(9), datetime.time(10))],
        )
        Activity.objects.filter(pk=activity.pk).update(state=Activity.State.OPEN)  # bench set-up: straight to open
        made.append(activity)
    return made


def _rush(port, attempts, clients):
    """Send every (activity id, resident id, token) once from `clients` threads; returns
    (latencies in s, statuses, wall seconds)."""
    work = queue.Queue()
    for attempt in attempts:
        work.put(attempt)
    latencies, statuses, lock = [], [], threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        barrier.wait()
        while True:
            try:
                activity_id, resident_id, token = work.get_nowait()
            except queue.Empty:
                break
            body = json.dumps({"resident_id": resident_id})
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            started = time.perf_counter()
            try:
                conn.request("POST", f"/api/v1/activities/{activity_id}/enrol", body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
                status = response.status
                if status == 201:
                    status = f"201 {json.loads(payload)['state']}"
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status = "no answer"
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses.append(str(status))
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    return latencies, statuses, time.perf_counter() - started


def _check(classes, attempts):
    from django.db.models import Count

    from liulin.activities.models import LIVE_STATES, Activity, Enrolment

    rows = []
    for activity in Activity.objects.filter(pk__in=[a.pk for a in classes]):
        confirmed = Enrolment.objects.filter(activity=activity, state=Enrolment.State.CONFIRMED).count()
        waiting = Enrolment.objects.filter(activity=activity, state=Enrolment.State.WAITING).count()
        rows.append({"class": activity.title, "capacity": activity.capacity, "taken": activity.taken,
                     "confirmed": confirmed, "waiting": waiting})
    doubles = (Enrolment.objects.filter(activity__in=classes, state__in=LIVE_STATES).values("activity", "resident")
               .annotate(n=Count("id")).filter(n__gt=1).count())
    oversold = sum(1 for r in rows if r["taken"] > r["capacity"] or r["confirmed"] != r["taken"])
    return {"classes": rows, "oversold_classes": oversold, "double_enrolments": doubles,
            "rows": sum(r["confirmed"] + r["waiting"] for r in rows), "attempts": len(attempts)}


def _warm_up(port, token, requests=40):
    """Let each server worker import and connect before the clock starts."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for _ in range(requests):
        conn.request("GET", "/api/v1/activities/?limit=1", headers={"Authorization": f"Bearer {token}"})
        conn.getresponse().read()
    conn.close()


def _scenario(name, port, community, people, tokens, *, attempts, classes, clients):
    from bench.common import summary

    made = _classes(community, name, classes)
    chosen = people[:attempts]
    del people[:attempts]
    work = [(made[i % classes].pk, r.pk, tokens[r.pk]) for i, r in enumerate(chosen)]
    latencies, statuses, wall = _rush(port, work, clients)
    figures = summary(latencies, wall_s=wall)
    figures["answers"] = {s: statuses.count(s) for s in sorted(set(statuses))}
    figures["answered"] = sum(1 for s in statuses if s != "no answer")
    figures["clients"] = clients
    figures["check"] = _check(made, work)
    c = figures["check"]
    log(f"  {name:6} {attempts:5} attempts on {classes} class(es) of {CAPACITY}, {clients} clients: "
        f"{figures['throughput_per_s']:7.1f}/s  p50 {figures['p50_ms']:7.1f} ms  p95 {figures['p95_ms']:7.1f} ms  "
        f"p99 {figures['p99_ms']:7.1f} ms  answered {figures['answered']}/{attempts}  "
        f"oversold classes {c['oversold_classes']}  double enrolments {c['double_enrolments']}  {figures['answers']}")
    return figures


def main():
    _setup_django()
    from django.db import connection

    from bench import server
    from bench.common import machine

    vendor = connection.vendor
    community, residents, tokens = _world()
    log(f"rush on {vendor}: {len(residents)} residents with tokens; server {server.web_settings()}")
    proc, port = server.start_web(log=log)
    results = {"machine": machine(), "database": vendor, "server": server.web_settings(), "scenarios": {}}
    people = list(residents)
    _warm_up(port, tokens[people[-1].pk])
    clients = int(os.environ.get("BENCH_RUSH_CLIENTS", "100"))
    try:
        results["scenarios"]["shape"] = _scenario("shape", port, community, people, tokens, attempts=int(500 * SCALE), classes=1,
                                                  clients=min(50, int(500 * SCALE)))
        results["scenarios"]["one"] = _scenario("one", port, community, people, tokens, attempts=int(2000 * SCALE), classes=1,
                                                clients=min(clients, int(2000 * SCALE)))
        results["scenarios"]["seven"] = _scenario("seven", port, community, people, tokens, attempts=int(2000 * SCALE), classes=7,
                                                  clients=min(clients, int(2000 * SCALE)))
    finally:
        server.stop(proc)
    OUT.mkdir(exist_ok=True)
    path = OUT / f"rush-{vendor}.json"
    path.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    log(f"written {path}")
    return results


if __name__ == "__main__":
    main()
