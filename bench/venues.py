"""Venues benchmark: the morning rush and the day grid at a city's size.

    DATABASE_URL=sqlite:////tmp/venues-bench.sqlite3 python -m bench.venues
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liulin_venues_bench python -m bench.venues

Its own database (a fresh SQLite file, or a PostgreSQL database created if missing and
emptied of venue data): 20 courts open 08:00-21:00 in hourly slots (260 slots) and
BENCH_RESIDENTS residents (default 1,000), each of whom tries one random slot at the same
moment from BENCH_THREADS threads (default 16), through the same service the pages and the
API call. Printed: attempts answered per second, latency percentiles, bookings made, and
overlapping occupancies found afterwards by SQL (must be 0). Then BENCH_RESOURCES resources
(default 2,000) and the day grid of 50 of them, timed. Figures are printed, never asserted.
"""

import datetime
import os
import random
import sys
import threading
import time

from .common import machine, summary


def log(message):
    print(message, flush=True)


def _ensure_database(url):
    import dj_database_url

    config = dj_database_url.parse(url)
    if config["ENGINE"].endswith("postgresql"):
        import psycopg

        admin = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone():
                conn.execute(f'CREATE DATABASE "{config["NAME"]}"')


def build_world(residents, resources):
    from django.db import connection, transaction

    from liulin.accounts.models import RoleAssignment, User
    from liulin.core.roles import Role
    from liulin.people.models import Resident
    from liulin.territory.models import Area, Building, Estate, Facility, Grid, Household
    from liulin.venues.models import Booking, BookingEvent, Occupancy, OpeningHours, Resource, WaitlistEntry

    with transaction.atomic(), connection.cursor() as cursor:
        # The benchmark's own database: last run's bookings go (events are append-only elsewhere).
        for model in (Occupancy, BookingEvent, WaitlistEntry, Booking):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")
        city, _ = Area.objects.get_or_create(code="BENCHV", defaults={"kind": "district", "name": "基准区"})
        community, _ = Area.objects.get_or_create(code="BENCHVC", defaults={"kind": "community", "name": "基准社区", "parent": city})
        grid, _ = Grid.objects.get_or_create(code="BENCHVG", defaults={"community": community, "name": "基准网格", "boundary": {}})
        estate, _ = Estate.objects.get_or_create(community=community, name="基准小区")
        building, _ = Building.objects.get_or_create(estate=estate, name="1栋", defaults={"grid": grid, "lon": 112.9, "lat": 28.3})
        have = Resource.objects.filter(community=community).count()
        if have < resources:
            facilities = Facility.objects.bulk_create(
                Facility(community=community, name=f"球场{i:05d}", kind="court") for i in range(have, resources)
            )
            made = Resource.objects.bulk_create(
                Resource(facility=f, community=community, name=f.name, max_days_ahead=1) for f in facilities
            )
            OpeningHours.objects.bulk_create(
                OpeningHours(resource=r, weekday=d, opens=datetime.time(8), closes=datetime.time(21)) for r in made for d in range(7)
            )
        have = User.objects.filter(mobile__startswith="166").count()
        if have < residents:
            households = Household.objects.bulk_create(
                Household(building=building, room=f"{i:05d}", grid=grid, community=community) for i in range(have, residents)
            )
            people = Resident.objects.bulk_create(
                Resident(name=f"居民{i}", gender="F", birth_date=datetime.date(1960, 1, 1), household=h)
                for i, h in zip(range(have, residents), households, strict=True)
            )
            users = User.objects.bulk_create(User(mobile=f"166{i:08d}", name=p.name, resident=p) for i, p in zip(range(have, residents), people, strict=True))
            RoleAssignment.objects.bulk_create(RoleAssignment(user=u, role=Role.RESIDENT) for u in users)
    courts = list(Resource.objects.filter(community=community).order_by("pk"))
    people = list(User.objects.filter(mobile__startswith="166").select_related("resident__household").order_by("pk")[:residents])
    return community, courts, people


def morning_rush(courts, people, threads):
    from django.db import connection, connections

    from liulin.core import calendar
    from liulin.core.errors import DomainError
    from liulin.venues.services import bookings

    day = calendar.local_date(datetime.datetime.now(datetime.UTC)) + datetime.timedelta(days=1)
    zone = calendar.local_zone()
    rng = random.Random(20261205)
    attempts = [(person, rng.choice(courts[:20]), rng.randrange(8, 21)) for person in people]
    chunks = [attempts[i::threads] for i in range(threads)]
    latencies, outcomes, lock = [], {}, threading.Lock()
    barrier = threading.Barrier(threads)

    def worker(chunk):
        mine, counts = [], {}
        barrier.wait()
        for person, court, hour in chunk:
            start = datetime.datetime.combine(day, datetime.time(hour), tzinfo=zone)
            t0 = time.perf_counter()
            try:
                bookings.book_facility(actor=person, resource=court, start=start, end=start + datetime.timedelta(hours=1))
                code = "booked"
            except DomainError as error:
                code = error.code
            mine.append(time.perf_counter() - t0)
            counts[code] = counts.get(code, 0) + 1
        with lock:
            latencies.extend(mine)
            for code, n in counts.items():
                outcomes[code] = outcomes.get(code, 0) + n
        connections.close_all()

    connection.close()
    pool = [threading.Thread(target=worker, args=(chunk,)) for chunk in chunks]
    wall = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    wall = time.perf_counter() - wall
    return summary(latencies, wall_s=wall, outcomes=outcomes, threads=threads, slots=20 * 13)


def overlaps():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM venues_occupancy a JOIN venues_occupancy b ON a.resource_id = b.resource_id AND a.id < b.id "
            "AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at"
        )
        return cursor.fetchone()[0]


def day_grids(courts):
    from liulin.core import clock
    from liulin.venues import selectors

    day = clock.today() + datetime.timedelta(days=1)
    rng = random.Random(7)
    sample = rng.sample(courts, min(50, len(courts)))
    latencies = []
    for court in sample:
        t0 = time.perf_counter()
        selectors.day_grid(court, day)
        latencies.append(time.perf_counter() - t0)
    return summary(latencies, resources=len(courts))


def main():
    url = os.environ.get("DATABASE_URL")
    if not url:
        sys.exit("set DATABASE_URL to a database for this benchmark")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liulin.settings")
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    _ensure_database(url)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    residents = int(os.environ.get("BENCH_RESIDENTS", "1000"))
    resources = int(os.environ.get("BENCH_RESOURCES", "2000"))
    threads = int(os.environ.get("BENCH_THREADS", "16"))
    t0 = time.monotonic()
    _community, courts, people = build_world(residents, resources)
    log(f"venues bench on {django.db.connection.vendor}: {len(courts):,} resources, {len(people):,} residents "
        f"(set up in {time.monotonic() - t0:.1f} s); {machine()}")
    rush = morning_rush(courts, people, threads)
    log(f"morning rush: {rush['count']} attempts on {rush['slots']} slots from {threads} threads: "
        f"{rush['throughput_per_s']}/s, p50 {rush['p50_ms']} ms, p95 {rush['p95_ms']} ms, p99 {rush['p99_ms']} ms; "
        f"outcomes {rush['outcomes']}; overlapping occupancies {overlaps()}")
    grid = day_grids(courts)
    log(f"day grid with {grid['resources']:,} resources: p50 {grid['p50_ms']} ms, p99 {grid['p99_ms']} ms")


if __name__ == "__main__":
    main()
