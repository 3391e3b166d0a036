"""Canteen benchmark: a lunch hour at the counter, and the monthly claim of a district.

    DATABASE_URL=sqlite:////tmp/canteen-bench.sqlite3 python -m bench.canteen
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liulin_canteen_bench python -m bench.canteen

Its own database (created if missing). Lunch hour: BENCH_ORDERS counter orders (default 600,
a busy canteen's lunch) for as many elders, sent through the counter API endpoint
(POST /api/v1/canteen/orders, the diner found by ID card) from BENCH_THREADS threads (default
4), paced over BENCH_SECONDS (default 600, ten minutes; 0 sends them as fast as they go).
District claim: BENCH_CANTEENS canteens (default 50) with BENCH_CLAIM_LINES subsidised meals
each (default 2,000, a month of lunches), the claim's lines, hash and xlsx timed per canteen.
Figures are printed, never asserted.
"""

import datetime
import os
import sys
import threading
import time

from .common import machine, summary
from .venues import _ensure_database


def log(message):
    print(message, flush=True)


def build(canteens, elders_per_canteen):
    from liulin.accounts.models import RoleAssignment, User
    from liulin.canteen.models import Canteen, MealPeriod, Price, SubsidyTable
    from liulin.canteen.rules import STANDARD_PRICE_FEN, rule_rows
    from liulin.core.roles import Role
    from liulin.people import services as people_services
    from liulin.people.models import Resident
    from liulin.people.tests.factories import make_id_number
    from liulin.territory.models import Area, Building, Estate, Grid, Household

    stamp = str(int(time.time()))[-6:]
    district = Area.objects.create(name=f"测速区{stamp}", code=f"B{stamp}", kind="district")
    table = SubsidyTable.objects.filter(version=1).first()
    if table is None:
        table = SubsidyTable.objects.create(version=1, name="bench", effective_from=datetime.date(2000, 1, 1))
        table.rules.model.objects.bulk_create(rule_rows(table))
    made = []
    for c in range(canteens):
        community = Area.objects.create(name=f"社区{stamp}-{c}", code=f"B{stamp}{c:03d}", kind="community", parent=district)
        grid = Grid.objects.create(community=community, name="一网格", code=f"G{stamp}{c:03d}", boundary={})
        estate = Estate.objects.create(community=community, name=f"小区{c}")
        building = Building.objects.create(estate=estate, grid=grid, name="1栋")
        households = Household.objects.bulk_create([Household(building=building, grid=grid, community=community, room=f"{i + 101}")
                                                    for i in range(elders_per_canteen)])
        numbers = [make_id_number(datetime.date(1940 + i % 20, 1 + i % 12, 1), seq=i % 1000,
                                  region=f"{11 + c % 80:02d}{(int(stamp) + i // 1000) % 10000:04d}") for i in range(elders_per_canteen)]
        people = [people_services.build_resident(name=f"老人{i}", gender="M", birth_date=datetime.date(1940 + i % 20, 1 + i % 12, 1),
                                                 household=household, id_number=number)
                  for i, (household, number) in enumerate(zip(households, numbers, strict=True))]
        Resident.objects.bulk_create(people)
        canteen = Canteen.objects.create(name=f"食堂{c}", community=community)
        lunch = MealPeriod.objects.create(canteen=canteen, code="lunch", name="午餐", starts=datetime.time(11), ends=datetime.time(13),
                                          order_cutoff=datetime.time(9, 30))
        Price.objects.create(period=lunch, group="senior", price_fen=STANDARD_PRICE_FEN)
        staff = User.objects.create_user(mobile=f"17{stamp}{c:03d}", password="bench-pass", name="窗口")
        RoleAssignment.objects.create(user=staff, role=Role.COMMUNITY_STAFF, area=community)
        made.append((canteen, lunch, staff, numbers))
    return table, made


def lunch_hour(canteen, lunch, staff, numbers, threads, seconds):
    import json

    from django.test import Client

    latencies, outcomes, lock = [], {}, threading.Lock()
    interval = seconds / max(1, len(numbers))
    start = time.monotonic()

    def worker(batch):
        client = Client()
        client.force_login(staff)
        for n, number in batch:
            wait = start + n * interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            t = time.monotonic()
            response = client.post("/api/v1/canteen/orders", json.dumps({
                "period_id": lunch.pk, "day": datetime.date.today().isoformat(), "channel": "counter", "id_number": number}),
                content_type="application/json")
            with lock:
                latencies.append(time.monotonic() - t)
                outcomes[response.status_code] = outcomes.get(response.status_code, 0) + 1
        from django.db import connections

        connections.close_all()

    indexed = list(enumerate(numbers))
    pool = [threading.Thread(target=worker, args=(indexed[i::threads],)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return summary(latencies, wall_s=time.monotonic() - start, outcomes=outcomes)


def district_claim(made, table, lines):
    from liulin.canteen import claims, services
    from liulin.canteen.models import Order

    month = datetime.date.today().replace(day=1)
    for canteen, lunch, staff, _numbers in made:
        from liulin.people.models import Resident

        ids = list(Resident.objects.filter(household__community=canteen.community).values_list("pk", flat=True))
        rule = table.rules.filter(meal="lunch", status="", min_age=60).first()
        Order.objects.bulk_create([
            Order(canteen=canteen, period=lunch, day=month + datetime.timedelta(days=i // len(ids) % 28), resident_id=ids[i % len(ids)],
                  group="senior", channel="counter", identified_by="id_card", ordered_by=staff, price_fen=1200, subsidy_fen=500,
                  paid_fen=700, subsidised=True, rule_table=table, rule=rule, age=70, state="served")
            for i in range(lines) if i // len(ids) < 28], ignore_conflicts=True)
    latencies, files = [], []
    t0 = time.monotonic()
    for canteen, _lunch, staff, _numbers in made:
        t = time.monotonic()
        claim = services.generate_claim(actor=staff, canteen=canteen, month=month)
        latencies.append(time.monotonic() - t)
        t = time.monotonic()
        claims.claim_xlsx(claim).close()
        files.append(time.monotonic() - t)
    return summary(latencies, wall_s=time.monotonic() - t0, xlsx_p50_ms=round(sorted(files)[len(files) // 2] * 1000, 1))


def main():
    url = os.environ.get("DATABASE_URL")
    if not url:
        sys.exit("set DATABASE_URL to a database for this benchmark")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liulin.settings")
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    os.environ.setdefault("LIULIN_API_RATE_LIMIT_USER", "100000000/m")
    _ensure_database(url)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    orders = int(os.environ.get("BENCH_ORDERS", "600"))
    canteens = int(os.environ.get("BENCH_CANTEENS", "50"))
    lines = int(os.environ.get("BENCH_CLAIM_LINES", "2000"))
    threads = int(os.environ.get("BENCH_THREADS", "4"))
    seconds = float(os.environ.get("BENCH_SECONDS", "600"))
    t0 = time.monotonic()
    table, made = build(canteens, max(orders // canteens, 100))
    _table, made_first = build(1, orders)
    log(f"canteen bench on {django.db.connection.vendor}: {canteens} canteens (set up in {time.monotonic() - t0:.1f} s); {machine()}")
    rush = lunch_hour(*made_first[0], threads, seconds)
    log(f"lunch hour: {rush['count']} counter orders over {seconds:.0f} s from {threads} threads: p50 {rush['p50_ms']} ms, "
        f"p95 {rush['p95_ms']} ms, p99 {rush['p99_ms']} ms; outcomes {rush['outcomes']}")
    claim = district_claim(made, table, lines)
    log(f"district claim: {canteens} canteens x up to {lines} lines: p50 {claim['p50_ms']} ms, p99 {claim['p99_ms']} ms per claim, "
        f"xlsx p50 {claim['xlsx_p50_ms']} ms; {claim.get('throughput_per_s')} claims/s")


if __name__ == "__main__":
    main()
