"""Owners' votes at scale (`python -m bench.votes`, DATABASE_URL set; figures printed, never
asserted):

1. counting one estate of BENCH_VOTE_UNITS units (5,000) with BENCH_VOTE_BALLOTS ballots
   (4,000): the count (`act count`: the tally by aggregates and the thresholds), the export
   of its public record, and the record re-added from scratch (`verify_document`);
2. publishing results for a district of BENCH_VOTE_ESTATES estates (500) of
   BENCH_VOTE_ESTATE_UNITS units each (200), each with a closed vote: count and publish
   every vote, then export every record.

Everything is generated with bulk inserts inside one transaction that is rolled back, so the
database is left as it was."""

import os
import random
import sys
import time
from datetime import timedelta


class _Rollback(Exception):
    pass


def _size(name, default):
    return int(os.environ.get(name, default))


def _world(estates, units_per_estate, ballots_per_estate, *, rng, log):
    """A district with `estates` estates, each with its committee, register and a closed vote
    holding `ballots_per_estate` ballots (one owner per unit; a few owners of two units)."""
    from liulin.accounts.models import RoleAssignment, User
    from liulin.core import chain, clock
    from liulin.orgs.models import Organisation
    from liulin.territory.models import Area, Estate
    from liulin.votes.models import Ballot, Choice, Owner, RollEntry, State, Unit, Vote, VoteEvent
    from liulin.votes.services import receipt_hash

    started = time.perf_counter()
    tag = f"bench-votes-{rng.randrange(10**9)}"
    district = Area.objects.create(kind="district", code=f"{tag}-d", name="表决基准区")
    sub = Area.objects.create(kind="subdistrict", code=f"{tag}-s", name="表决基准街道", parent=district)
    communities = [Area.objects.create(kind="community", code=f"{tag}-c{i}", name=f"表决基准社区{i}", parent=sub)
                   for i in range(max(1, estates // 50))]
    Estate.objects.bulk_create([Estate(community=communities[i % len(communities)], name=f"{tag}小区{i}") for i in range(estates)])
    estate_rows = list(Estate.objects.filter(name__startswith=tag).order_by("pk"))
    Organisation.objects.bulk_create([Organisation(name=f"{e.name}业委会", kind="owners_committee", community=e.community, estate=e)
                                      for e in estate_rows])
    committees = {o.estate_id: o for o in Organisation.objects.filter(estate__in=estate_rows, kind="owners_committee")}
    chair = User.objects.create(mobile=f"198{rng.randrange(10**8):08d}", name="基准主任")
    RoleAssignment.objects.bulk_create([RoleAssignment(user=chair, role="committee_member", org=c) for c in committees.values()])
    owners = []
    for e in estate_rows:
        owners += [Owner(estate=e, name=f"业主{i}", code=f"o{i}") for i in range(units_per_estate - units_per_estate // 20)]
    Owner.objects.bulk_create(owners, batch_size=5000)
    by_estate = {}
    for o in Owner.objects.filter(estate__in=estate_rows).order_by("pk").values_list("estate_id", "pk"):
        by_estate.setdefault(o[0], []).append(o[1])
    units = []
    for e in estate_rows:
        heads = by_estate[e.pk]
        for i in range(units_per_estate):
            owner = heads[i] if i < len(heads) else heads[i - len(heads)]  # the last 5 % go to owners of a first unit
            units.append(Unit(estate=e, label=f"{i // 100 + 1}栋{i % 100 + 101}", area_cm2=rng.randint(600_000, 1_500_000),
                              owner_id=owner))
    Unit.objects.bulk_create(units, batch_size=5000)
    now = clock.now()
    opens, closes = now - timedelta(days=20), now - timedelta(days=1)
    Vote.objects.bulk_create([Vote(estate=e, committee=committees[e.pk], title="选聘物业服务企业", matter=4, state=State.CLOSED,
                                   opens_at=opens, closes_at=closes, created_by=chair) for e in estate_rows])
    votes = list(Vote.objects.filter(estate__in=estate_rows).order_by("pk"))
    unit_rows = {}
    for u in Unit.objects.filter(estate__in=estate_rows).values_list("estate_id", "pk", "owner_id", "label", "area_cm2"):
        unit_rows.setdefault(u[0], []).append(u[1:])
    rolls, ballots, steps, totals = [], [], [], []
    for vote in votes:
        rows = unit_rows[vote.estate_id]
        rolls += [RollEntry(vote=vote, unit_id=pk, owner_id=o, label=label, area_cm2=a) for pk, o, label, a in rows]
        totals.append((vote.pk, sum(a for *_, a in rows), len({o for _, o, _, _ in rows})))
        voters = {}
        for pk, o, label, a in rows:
            voters.setdefault(o, []).append((pk, label, a))
        chosen = rng.sample(sorted(voters), k=min(len(voters), ballots_per_estate))
        for owner in chosen:
            choice = Choice.YES if rng.random() < 0.8 else Choice.NO
            digest = receipt_hash(vote.pk, f"{owner}")
            ballots += [Ballot(vote=vote, unit_id=pk, owner_id=owner, area_cm2=a, choice=choice, channel="online",
                               receipt_hash=digest, cast_at=opens) for pk, _, a in voters[owner]]
            steps.append((vote, {"actor": None, "actor_role": "owner", "action": "cast", "at": opens,
                                 "data": {"owner": owner, "units": [[label, a] for _, label, a in voters[owner]],
                                          "choice": str(choice), "channel": "online", "receipt": digest}}))
    RollEntry.objects.bulk_create(rolls, batch_size=5000)
    Ballot.objects.bulk_create(ballots, batch_size=5000)
    for pk, area, heads in totals:
        Vote.objects.filter(pk=pk).update(total_area_cm2=area, total_owners=heads)
    for vote in votes:
        chain.new_chain(VoteEvent, vote)
    for start in range(0, len(steps), 5000):
        chain.append_many(VoteEvent, steps[start:start + 5000])
    log(f"  generated {len(estate_rows)} estates, {len(units):,} units, {len(ballots):,} ballots in "
        f"{time.perf_counter() - started:.1f} s")
    return chair, votes


def _count_one(*, units, ballots, rng, log):
    from liulin.votes import publication, services

    chair, [vote] = _world(1, units, ballots, rng=rng, log=log)
    t = time.perf_counter()
    services.act(actor=chair, vote=vote, action="count")
    count_ms = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    doc = publication.export(vote)
    export_ms = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    problems, figures = publication.verify_document(doc)
    verify_ms = (time.perf_counter() - t) * 1000
    vote.refresh_from_db()
    result = {"units": units, "ballot_owners": ballots, "count_ms": round(count_ms, 1), "export_ms": round(export_ms, 1),
              "verify_ms": round(verify_ms, 1), "events": len(doc["events"]), "problems": len(problems), "passed": vote.passed}
    log(f"  count one estate: {units:,} units, {ballots:,} owners voting: count {result['count_ms']} ms, "
        f"export {result['export_ms']} ms ({result['events']:,} events), re-add {result['verify_ms']} ms; problems {len(problems)}")
    return result


def _publish_district(*, estates, units, ballots, rng, log):
    from liulin.votes import publication, services

    chair, votes = _world(estates, units, ballots, rng=rng, log=log)
    t = time.perf_counter()
    for vote in votes:
        services.act(actor=chair, vote=vote, action="count")
        services.act(actor=chair, vote=vote, action="publish_result")
    publish_s = time.perf_counter() - t
    t = time.perf_counter()
    events = sum(len(publication.export(vote)["events"]) for vote in votes)
    export_s = time.perf_counter() - t
    result = {"estates": estates, "units_each": units, "count_and_publish_s": round(publish_s, 2),
              "per_estate_ms": round(publish_s * 1000 / max(estates, 1), 1), "export_all_s": round(export_s, 2), "events": events}
    log(f"  publish a district: {estates} estates × {units} units: count + publish {result['count_and_publish_s']} s "
        f"({result['per_estate_ms']} ms an estate), export every record {result['export_all_s']} s ({events:,} events)")
    return result


def run(*, log=print, seed=278):
    from django.db import transaction

    rng = random.Random(seed)
    results = {}
    try:
        with transaction.atomic():
            results["count_one_estate"] = _count_one(units=_size("BENCH_VOTE_UNITS", 5000),
                                                     ballots=_size("BENCH_VOTE_BALLOTS", 4000), rng=rng, log=log)
            results["publish_district"] = _publish_district(estates=_size("BENCH_VOTE_ESTATES", 500),
                                                            units=_size("BENCH_VOTE_ESTATE_UNITS", 200),
                                                            ballots=_size("BENCH_VOTE_ESTATE_BALLOTS", 150), rng=rng, log=log)
            raise _Rollback
    except _Rollback:
        pass
    return results


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liulin.settings")
    os.environ["DJANGO_DEBUG"] = "0"
    if not os.environ.get("DATABASE_URL"):
        sys.exit("set DATABASE_URL")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from django.db import connection

    print(f"bench votes on {connection.vendor}", flush=True)
    run(log=lambda message: print(message, flush=True))


if __name__ == "__main__":
    main()
