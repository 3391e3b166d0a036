"""`python -m bench.volunteering`: the points ledger at size.

Builds (or reuses) one community with BENCH_VOLUNTEERS volunteers (default 1,000) and
BENCH_VOLUNTEER_RECORDS confirmed service records (default 100,000) written in bulk, then
posts each record's points through the one posting function (`services.ledger.post`: a
locked ledger row, a conditional balance update, a chained posting, its entries), as a
community would over years. It prints:
- posting: postings per second and per-posting latency (p50/p95/p99);
- the balance page: `selectors.my_summary` (hours, waiting, stars, points) and the volunteer
  home page through the test client, for a volunteer with the most records;
- verify: the time to verify the whole chain and every posting's entries;
- balances: the recount of every balance from its entries.

DATABASE_URL names a scratch database (it is migrated here); figures are printed, never
asserted. Re-running reuses the records and skips postings already made (their keys)."""

import datetime
import os
import sys
import time


def log(message):
    print(message, flush=True)


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liulin.settings")
    os.environ["DJANGO_DEBUG"] = "0"
    if not os.environ.get("DATABASE_URL"):
        sys.exit("set DATABASE_URL to a scratch database")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from . import common

    volunteers = int(os.environ.get("BENCH_VOLUNTEERS", "1000"))
    records = int(os.environ.get("BENCH_VOLUNTEER_RECORDS", "100000"))
    world = build(volunteers, records)
    results = {"machine": common.machine(), "database": common.database(), "volunteers": volunteers, "records": records}
    results["posting"] = post_all(world)
    results["balance_page"] = balance_page(world)
    results["verify"] = verify(world)
    for name, figures in results.items():
        log(f"{name}: {figures}")


def build(volunteers, records):
    from django.db import transaction

    from liulin.accounts.models import RoleAssignment, User
    from liulin.core.roles import Role
    from liulin.orgs.models import Organisation
    from liulin.territory.models import Area
    from liulin.volunteering.models import Activity, PointsAccount, ServiceRecord, TeamMember, Volunteer
    from liulin.volunteering.services import ledger

    with transaction.atomic():
        district, _ = Area.objects.get_or_create(code="BV", defaults={"kind": "district", "name": "基准区"})
        community, _ = Area.objects.get_or_create(code="BV001", defaults={"kind": "community", "name": "基准社区",
                                                                          "parent": district})
        team, _ = Organisation.objects.get_or_create(name="基准志愿队", kind="volunteer_team", community=community)
        leader, created = User.objects.get_or_create(mobile="19800000000", defaults={"name": "队长"})
        if created:
            RoleAssignment.objects.create(user=leader, role=Role.VOLUNTEER_LEADER, org=team)
        book = ledger.ledger_for(community)
        have = Volunteer.objects.filter(community=community).count()
        if have < volunteers:
            users = User.objects.bulk_create([User(mobile=f"198{n:08d}", name=f"志愿者{n}") for n in range(have + 1, volunteers + 1)])
            made = Volunteer.objects.bulk_create([Volunteer(user=u, name=u.name, community=community) for u in users])
            PointsAccount.objects.bulk_create([PointsAccount(ledger=book, kind="volunteer", volunteer=v) for v in made])
            TeamMember.objects.bulk_create([TeamMember(team=team, volunteer=v, state="active") for v in made])
        people = list(Volunteer.objects.filter(community=community).order_by("pk")[:volunteers])
        per_activity = len(people)
        activities_needed = -(-records // per_activity)
        start = datetime.datetime(2024, 1, 1, 9, tzinfo=datetime.UTC)
        have_acts = Activity.objects.filter(team=team).count()
        Activity.objects.bulk_create([
            Activity(team=team, community=community, title=f"服务{n}", content="基准", place="社区", organiser=leader,
                     starts_at=start + datetime.timedelta(days=n), ends_at=start + datetime.timedelta(days=n, hours=2),
                     state="finished")
            for n in range(have_acts, activities_needed)])
        activities = list(Activity.objects.filter(team=team).order_by("pk")[:activities_needed])
        have_records = ServiceRecord.objects.filter(team=team).count()
        batch = []
        for n in range(have_records, records):
            activity, volunteer = activities[n // per_activity], people[n % per_activity]
            batch.append(ServiceRecord(volunteer=volunteer, activity=activity, team=team, community=community,
                                       served_on=activity.starts_at.date(), content=activity.title, place="社区",
                                       minutes=120, cap_minutes=120, source="attendance", state="confirmed",
                                       recorded_by=leader, confirmed_by=leader))
            if len(batch) == 5000:
                ServiceRecord.objects.bulk_create(batch)
                batch = []
        ServiceRecord.objects.bulk_create(batch)
    return {"community": community, "book": book, "leader": leader, "team": team}


def post_all(world):
    from liulin.volunteering.models import PointsAccount, Posting, ServiceRecord
    from liulin.volunteering.services import ledger

    from .common import summary

    book, leader = world["book"], world["leader"]
    issued = ledger.community_account(book, "issued")
    accounts = dict(PointsAccount.objects.filter(ledger=book, kind="volunteer").values_list("volunteer_id", "pk"))
    account_rows = {a.pk: a for a in PointsAccount.objects.filter(ledger=book)}
    done = set(Posting.objects.filter(ledger=book, key__startswith="bench:").values_list("key", flat=True))
    todo = [(pk, v, m) for pk, v, m in ServiceRecord.objects.filter(team=world["team"]).order_by("pk")
            .values_list("pk", "volunteer_id", "minutes") if f"bench:{pk}" not in done]
    latencies, started = [], time.monotonic()
    for n, (pk, volunteer_id, minutes) in enumerate(todo, 1):
        points = ledger.points_for(minutes, 10)
        t = time.perf_counter()
        ledger.post(ledger=book, key=f"bench:{pk}", kind="earn", actor=leader,
                    entries=[(account_rows[accounts[volunteer_id]], points), (issued, -points)])
        latencies.append(time.perf_counter() - t)
        if n % 10000 == 0:
            log(f"  posted {n:,} of {len(todo):,}")
    wall = time.monotonic() - started
    return summary(latencies, wall_s=wall or None, rows=Posting.objects.filter(ledger=book).count())


def balance_page(world):
    from django.db.models import Count
    from django.test import Client

    from liulin.volunteering import selectors
    from liulin.volunteering.models import ServiceRecord, Volunteer

    from .common import summary

    busiest = (ServiceRecord.objects.filter(team=world["team"]).values("volunteer").annotate(n=Count("pk"))
               .order_by("-n").first())
    volunteer = Volunteer.objects.select_related("user").get(pk=busiest["volunteer"])
    summary_times = []
    for _ in range(20):
        t = time.perf_counter()
        selectors.my_summary(volunteer.user)
        summary_times.append(time.perf_counter() - t)
    client = Client()
    client.force_login(volunteer.user)
    page_times = []
    for _ in range(20):
        t = time.perf_counter()
        assert client.get("/volunteering/").status_code == 200
        page_times.append(time.perf_counter() - t)
    return {"records_of_volunteer": busiest["n"], "summary": summary(summary_times), "home_page": summary(page_times)}


def verify(world):
    from liulin.volunteering.services import ledger

    t = time.perf_counter()
    broken = ledger.verify(world["book"])
    verify_s = time.perf_counter() - t
    t = time.perf_counter()
    off = ledger.balances_off(world["book"])
    recount_s = time.perf_counter() - t
    return {"verify_s": round(verify_s, 2), "intact": broken is None, "recount_s": round(recount_s, 2),
            "balances_off": len(off)}


if __name__ == "__main__":
    main()
