"""Demo owners' register and two votes in 同心家园 (the demo community's first estate), and
the register of 中南佳苑.

The register: every flat of the estate is an exclusive unit whose area follows its position
(the x01, x02, x03 flats of a floor are three plans; higher floors measure a little more, as
balconies were enclosed), its owner the head of the household living there; the top floors'
x03 flats of 1栋 and 2栋 belong to the owner of the x01 flat below them (one owner, two units,
one head), and three flats of the last building are unsold (the developer: one head).

The votes, all figures computed from the generated rows:
- 续聘物业服务企业 (art. 278 (4)), finished and published: ballots from most owners, online
  for owners with an account and at the counter or on paper (typed twice) for the others;
  its result is a notice in the 公示栏 whose period has run, for community staff to finalise.
- 使用维修资金维修电梯 (art. 278 (5)), open now: about two fifths have voted; the demo
  resident accounts have not, so they can.
Every ballot and step is a link of the vote's hash chain, as in production. Idempotent: an
estate with a register and a vote with its title are left as they are.
"""

import random
from datetime import timedelta

from liulin.accounts.models import User
from liulin.core import chain, clock
from liulin.demo import facts
from liulin.demo.roster import owners_committee
from liulin.people.models import Resident
from liulin.territory.models import Household

from . import announcement, notifications, result_notice
from .models import (
    Ballot,
    Channel,
    Choice,
    EstateRules,
    Owner,
    PaperEntry,
    RollEntry,
    State,
    Unit,
    Vote,
    VoteEvent,
)
from .rules import Matter, decide
from .services import new_receipt_code, receipt_hash, rules_for
from .tally import recount

REGISTER_ESTATES = [facts.ESTATES[0][0], facts.ESTATES[1][0]]
VOTE_ESTATE = facts.ESTATES[0][0]
PLANS_CM2 = {1: 895_600, 2: 1_183_200, 3: 1_367_500}  # 89.56, 118.32, 136.75 m²
UNSOLD = 3
FINISHED = "续聘中南物业为同心家园物业服务企业"
OPEN = "使用专项维修资金维修 3栋、5栋电梯"
SEED = 278


def _area(building_no, room):
    floor, plan = int(room[:-2]), int(room[-2:])
    return PLANS_CM2[plan] + (floor - 1) * 1_100 + building_no * 37


def seed_register(estate):
    """Owners and units of `estate` from its households; returns nothing new if present."""
    if Unit.objects.filter(estate=estate).exists():
        return
    households = list(Household.objects.filter(building__estate=estate).select_related("building").order_by("building__name", "room"))
    heads = dict(Resident.objects.filter(household__in=households, relation=Resident.Relation.HEAD)
                 .order_by("household_id", "pk").values_list("household_id", "pk").distinct())
    accounts = dict(User.objects.filter(resident_id__in=heads.values()).values_list("resident_id", "pk"))
    top = max(int(h.room[:-2]) for h in households)
    last_building = max(int(h.building.name.rstrip("栋")) for h in households)
    plan, owners = [], {}
    unsold = [h for h in households if int(h.building.name.rstrip("栋")) == last_building][-UNSOLD:]
    developer = Owner(estate=estate, kind=Owner.Kind.DEVELOPER, name=f"{estate.name}建设单位", is_demo=True)
    for h in households:
        building_no = int(h.building.name.rstrip("栋"))
        if h in unsold:
            plan.append((h, developer))
            continue
        if building_no in (1, 2) and int(h.room[:-2]) == top and h.room.endswith("03"):
            plan.append((h, ("second", h.building_id, f"{top}01")))
            continue
        resident_id = heads.get(h.pk)
        key = resident_id or ("flat", h.pk)
        if key not in owners:
            owners[key] = Owner(estate=estate, name=f"{h.building.name}{h.room}业主", resident_id=resident_id,
                                user_id=accounts.get(resident_id), is_demo=True)
        plan.append((h, owners[key]))
    Owner.objects.bulk_create([developer, *owners.values()])
    by_flat = {(h.building_id, h.room): owner for h, owner in plan if isinstance(owner, Owner)}
    sources = [Unit.Source.REGISTER] * 8 + [Unit.Source.SURVEY, Unit.Source.CONTRACT]
    Unit.objects.bulk_create([
        Unit(estate=estate, household=h, label=f"{h.building.name}{h.room}", area_cm2=_area(int(h.building.name.rstrip("栋")), h.room),
             area_source=sources[i % len(sources)], owner=owner if isinstance(owner, Owner) else by_flat[(owner[1], owner[2])],
             is_demo=True)
        for i, (h, owner) in enumerate(plan)
    ], batch_size=500)
    EstateRules.objects.get_or_create(estate=estate, defaults={"is_demo": True})


def seed_vote(demo, estate, *, title, matter, opens_at, closes_at, share, yes_share, state, rng):
    if Vote.objects.filter(estate=estate, title=title).exists():
        return
    committee = demo.orgs[owners_committee(estate.name)]
    chair, staff = demo.users["19900000007"], demo.users["19900000002"]
    units = list(Unit.objects.filter(estate=estate).select_related("owner").order_by("label"))
    vote = Vote.objects.create(estate=estate, committee=committee, title=title, matter=matter, state=state, opens_at=opens_at,
                               closes_at=closes_at, noticed_at=opens_at - timedelta(days=16), created_by=chair, is_demo=True,
                               created_at=opens_at - timedelta(days=18),
                               total_area_cm2=sum(u.area_cm2 for u in units), total_owners=len({u.owner_id for u in units}),
                               description="演示数据。" if state == State.OPEN else "演示数据：已计票并公示。")
    RollEntry.objects.bulk_create([RollEntry(vote=vote, unit=u, owner=u.owner, label=u.label, area_cm2=u.area_cm2) for u in units])
    # its announcement in the 公示栏, as publishing the notice does
    vote.announcement_id = announcement.publish(actor=chair, vote=vote, days=rules_for(estate).notice_days, now=vote.noticed_at).id
    vote.save(update_fields=["announcement_id"])
    by_owner = {}
    for u in units:
        by_owner.setdefault(u.owner, []).append(u)
    demo_accounts = {u.pk for u in demo.users.values()}
    steps = [{"actor": chair, "actor_role": "committee_member", "action": "create", "at": vote.created_at,
              "data": {"title": title, "matter": int(matter), "opens_at": opens_at, "closes_at": closes_at,
                       "channel_rule": vote.channel_rule, "non_voter_rule": vote.non_voter_rule}},
             {"actor": chair, "actor_role": "committee_member", "action": "publish_notice", "at": vote.noticed_at,
              "data": {"notice_days": 15, "notice": vote.announcement_id}},
             {"actor": None, "actor_role": "system", "action": "open", "at": opens_at,
              "data": {"total_area_cm2": vote.total_area_cm2, "total_owners": vote.total_owners, "units": len(units)}}]
    ballots, papers, at = [], [], opens_at
    for owner, held in by_owner.items():
        # The demo resident accounts keep the open vote for themselves.
        if rng.random() >= share or (state == State.OPEN and owner.user_id in demo_accounts):
            continue
        choice = Choice.YES if rng.random() < yes_share else rng.choice([Choice.NO, Choice.ABSTAIN])
        channel = Channel.ONLINE if owner.user_id else (Channel.COUNTER if rng.random() < 0.75 else Channel.PAPER)
        code, at = new_receipt_code(), at + timedelta(minutes=rng.randint(3, 90))
        digest = receipt_hash(vote.pk, code)
        entered_by = {Channel.ONLINE: owner.user_id, Channel.COUNTER: staff.pk, Channel.PAPER: chair.pk}[channel]
        if channel == Channel.PAPER:
            papers += [PaperEntry(vote=vote, owner=owner, choice=choice, receipt_hash=digest, entered_by=clerk, entered_at=at)
                       for clerk in (staff, chair)]
            for clerk, copy in ((staff, 1), (chair, 2)):
                steps.append({"actor": clerk, "actor_role": "community_staff" if clerk == staff else "committee_member",
                              "action": "enter_paper", "at": at, "data": {"owner": owner.pk, "copy": copy}})
        ballots += [Ballot(vote=vote, unit=u, owner=owner, area_cm2=u.area_cm2, choice=choice, channel=channel,
                           entered_by_id=entered_by, receipt_hash=digest, cast_at=at) for u in held]
        steps.append({"actor": None if channel == Channel.ONLINE else (staff if channel == Channel.COUNTER else chair),
                      "actor_role": "owner" if channel == Channel.ONLINE else ("community_staff" if channel == Channel.COUNTER
                                                                               else "committee_member"),
                      "action": "cast", "at": at,
                      "data": {"owner": owner.pk, "units": [[u.label, u.area_cm2] for u in held], "choice": str(choice),
                               "channel": str(channel), "receipt": digest}})
    Ballot.objects.bulk_create(ballots, batch_size=500)
    PaperEntry.objects.bulk_create(papers)
    if state == State.PUBLISHED:
        figures = recount([(b.owner_id, b.area_cm2, b.choice) for b in ballots], total_area=vote.total_area_cm2,
                          total_owners=vote.total_owners)
        vote.voted_area_cm2, vote.voted_owners = figures.voted_area, figures.voted_owners
        vote.yes_area_cm2, vote.yes_owners, vote.no_area_cm2, vote.no_owners = (figures.yes_area, figures.yes_owners,
                                                                                 figures.no_area, figures.no_owners)
        vote.passed = decide(matter, figures).passed
        vote.counted_at = closes_at + timedelta(hours=2)
        vote.published_at = closes_at + timedelta(days=1)
        vote.save()
        # its result on 公示 in the 公示栏, as publishing does; the period has run and community
        # staff finalise it there
        vote.notice_id = result_notice.publish(actor=chair, vote=vote, days=rules_for(estate).objection_days,
                                               now=vote.published_at).id
        vote.save(update_fields=["notice_id"])
        steps += [
            {"actor": None, "actor_role": "system", "action": "close", "at": closes_at, "data": {}},
            {"actor": chair, "actor_role": "committee_member", "action": "count", "at": vote.counted_at,
             "data": {"voted_area_cm2": figures.voted_area, "voted_owners": figures.voted_owners, "yes_area_cm2": figures.yes_area,
                      "yes_owners": figures.yes_owners, "no_area_cm2": figures.no_area, "no_owners": figures.no_owners,
                      "passed": vote.passed}},
            {"actor": chair, "actor_role": "committee_member", "action": "publish_result", "at": vote.published_at,
             "data": {"notice": vote.notice_id}},
        ]
    chain.new_chain(VoteEvent, vote)
    chain.append_many(VoteEvent, [(vote, step) for step in steps])
    if state == State.OPEN:
        notifications.send_ballots(vote)  # the owners' inbox, as opening a vote does


def seed(demo):
    estates = {b.estate.name: b.estate for b in demo.buildings.values()}
    for name in REGISTER_ESTATES:
        seed_register(estates[name])
    estate, now, rng = estates[VOTE_ESTATE], clock.now().replace(minute=0, second=0, microsecond=0), random.Random(SEED)
    seed_vote(demo, estate, title=FINISHED, matter=Matter.PROPERTY_SERVICE, opens_at=now - timedelta(days=60),
              closes_at=now - timedelta(days=45), share=0.86, yes_share=0.82, state=State.PUBLISHED, rng=rng)
    seed_vote(demo, estate, title=OPEN, matter=Matter.USE_FUND, opens_at=now - timedelta(days=3),
              closes_at=now + timedelta(days=12), share=0.42, yes_share=0.78, state=State.OPEN, rng=rng)
