"""Demo volunteering for the demo community (called by `manage.py seed_demo`), from the
article's facts: the 银发生辉志愿服务队 (30 veteran party members) and the 老年人协会 as
teams, their members as volunteers; the veterans' red-education afternoons for the 雷锋号
youth care station's children; past activities of the kinds the article names (助学、敬老、
助残、扶贫) with confirmed hours and the points they earned; an open activity to sign up
for; and the 雷锋超市's shelf. Prices and stock are demo figures, marked demo.

Idempotent: volunteers and memberships are made only where missing, and the activities,
records and postings only when the community has no demo activity yet. Rows are written in
bulk; the points postings are chained in one pass (core.chain.append_many)."""

import datetime
from collections import defaultdict

from django.utils import timezone

from liulin.accounts.models import User
from liulin.core import chain, clock
from liulin.demo import facts
from liulin.orgs.models import Membership

from .models import (
    Activity,
    Entry,
    Good,
    Ledger,
    PointsAccount,
    Post,
    Posting,
    RecordEvent,
    Rules,
    ServiceRecord,
    StockEntry,
    TeamMember,
    Volunteer,
)
from .services import ledger as ledgers

TEAMS = (facts.VETERAN_VOLUNTEERS, facts.ELDERLY_ASSOCIATION)
LEADER_MOBILE = "19900000010"
STAFF_MOBILE = "19900000002"
RESIDENT_MOBILES = ("19900000014", "19900000015")

# (days ago, start hour, hours, title, kind, content, place, how many of the team served)
PAST = [
    (40, 9, 2, "重阳敬老上门探访", Activity.Kind.ELDERLY, "上门看望独居、高龄老人，读报聊天、测血压。", "中南社区各小区", 20),
    (33, 14, 2, "“雷锋号”红色故事课堂", Activity.Kind.YOUTH, "老党员给孩子讲红色故事，开展爱心教育、责任教育。",
     "雷锋驿站阅览室", 8),
    (26, 15, 2, "暑期助学辅导", Activity.Kind.STUDENTS, "为双职工家庭孩子辅导作业。", "公共服务中心儿童书屋", 10),
    (19, 9, 3, "助残陪同就医", Activity.Kind.DISABLED, "陪同行动不便的残疾居民就医取药。", "社区卫生服务站", 6),
    (12, 8, 2, "扶贫帮困物资分发", Activity.Kind.POVERTY, "为困难家庭分发米、油等生活物资。", "公共服务中心服务大厅", 12),
    (5, 8, 3, "同心公园环境整治", Activity.Kind.COMMUNITY, "清理公园绿化带垃圾，劝导文明养犬。", "同心公园", 25),
]
UPCOMING = ("周末敬老义剪", Activity.Kind.ELDERLY, "为社区老人免费理发、修面。", "雷锋驿站", [("理发", 4), ("引导", 4)])
GOODS = [("肥皂", 5, 40), ("毛巾", 10, 30), ("洗衣液", 20, 20), ("食用油", 40, 10), ("大米（5公斤）", 50, 10)]


def seed(demo):
    community = demo.community
    Rules.objects.get_or_create(community=community)
    book = ledgers.ledger_for(community)
    users = {u.mobile: u for u in User.objects.filter(mobile__in=[LEADER_MOBILE, STAFF_MOBILE, *RESIDENT_MOBILES])}
    teams = [demo.orgs[name] for name in TEAMS if name in demo.orgs]
    volunteers = _seed_volunteers(community, teams, users)
    if Activity.objects.filter(community=community, is_demo=True).exists() or not teams:
        return
    leader = users.get(LEADER_MOBILE) or users[STAFF_MOBILE]
    staff = users[STAFF_MOBILE]
    veterans = volunteers[teams[0].pk]
    _seed_activities(community, teams[0], veterans, leader, staff, book)
    _seed_shop(community, staff, book)
    ledgers.publish_hash(ledger=book, day=clock.today())


def _seed_volunteers(community, teams, users):
    """{team id: [volunteers]}: every resident member of the teams, and the two demo resident
    accounts in the 老年人协会; each with a points account."""
    members = list(Membership.objects.filter(org__in=teams, resident__isnull=False).order_by("org_id", "pk")
                   .values_list("org_id", "resident_id", "resident__name"))
    resident_accounts = {u.resident_id: u for u in users.values() if u.resident_id}
    for mobile in RESIDENT_MOBILES:
        user = users.get(mobile)
        if user is not None and user.resident_id and len(teams) > 1:
            members.append((teams[1].pk, user.resident_id, user.name))
    user_of = dict(User.objects.filter(resident_id__in=[r for _, r, _ in members]).values_list("resident_id", "pk"))
    user_of.update({r: u.pk for r, u in resident_accounts.items()})
    existing = {v.resident_id: v for v in Volunteer.objects.filter(resident_id__in=[r for _, r, _ in members])}
    taken_users = set(Volunteer.objects.filter(user_id__in=user_of.values()).values_list("user_id", flat=True))
    new = []
    for _org, resident_id, name in members:
        if resident_id in existing or any(v.resident_id == resident_id for v in new):
            continue
        user_id = user_of.get(resident_id)
        new.append(Volunteer(resident_id=resident_id, name=name, community=community, is_demo=True,
                             user_id=user_id if user_id not in taken_users else None))
    Volunteer.objects.bulk_create(new)
    by_resident = {v.resident_id: v for v in Volunteer.objects.filter(resident_id__in=[r for _, r, _ in members])}
    book = Ledger.objects.get(community=community)
    have_account = set(PointsAccount.objects.filter(volunteer__in=by_resident.values()).values_list("volunteer_id", flat=True))
    PointsAccount.objects.bulk_create([PointsAccount(ledger=book, kind=PointsAccount.Kind.VOLUNTEER, volunteer=v)
                                       for v in by_resident.values() if v.pk not in have_account])
    joined = set(TeamMember.objects.filter(team__in=teams).values_list("team_id", "volunteer_id"))
    now = clock.now()
    TeamMember.objects.bulk_create([
        TeamMember(team_id=org, volunteer=by_resident[r], state=TeamMember.State.ACTIVE, applied_at=now, decided_at=now,
                   is_demo=True)
        for org, r in dict.fromkeys((org, r) for org, r, _ in members) if (org, by_resident[r].pk) not in joined])
    grouped = defaultdict(list)
    for org, r, _ in members:
        if by_resident[r] not in grouped[org]:
            grouped[org].append(by_resident[r])
    return grouped


def _at(days_ago, hour):
    day = clock.today() - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _seed_activities(community, team, veterans, leader, staff, book):
    rules = Rules.objects.get(community=community)
    activities = [Activity(team=team, community=community, title=title, kind=kind, content=content, place=place,
                           starts_at=_at(days, hour), ends_at=_at(days, hour) + datetime.timedelta(hours=hours),
                           for_minors=kind == Activity.Kind.YOUTH, organiser=leader, state=Activity.State.FINISHED,
                           is_demo=True)
                  for days, hour, hours, title, kind, content, place, _served in PAST]
    title, kind, content, place, posts = UPCOMING
    starts = _at(-3, 9)
    activities.append(Activity(team=team, community=community, title=title, kind=kind, content=content, place=place,
                               starts_at=starts, ends_at=starts + datetime.timedelta(hours=2), organiser=leader,
                               is_demo=True))
    Activity.objects.bulk_create(activities)
    Post.objects.bulk_create([Post(activity=a, name="志愿者", capacity=len(veterans), taken=0) for a in activities[:-1]]
                             + [Post(activity=activities[-1], name=n, capacity=c) for n, c in posts])
    records = []
    for activity, (_d, _h, hours, *_rest, served) in zip(activities, PAST, strict=False):
        for volunteer in veterans[:served]:
            records.append(ServiceRecord(
                volunteer=volunteer, activity=activity, team=team, community=community,
                served_on=timezone.localdate(activity.starts_at), content=activity.title, place=activity.place,
                minutes=hours * 60, cap_minutes=hours * 60, source=ServiceRecord.Source.ATTENDANCE,
                state=ServiceRecord.State.CONFIRMED, recorded_by=leader, recorded_at=activity.ends_at,
                confirmed_by=staff, confirmed_at=activity.ends_at + datetime.timedelta(hours=1), is_demo=True))
    ServiceRecord.objects.bulk_create(records)
    steps = []
    for record in records:
        snapshot = {"volunteer": record.volunteer_id, "activity": record.activity_id, "minutes": record.minutes,
                    "served_on": record.served_on.isoformat(), "source": record.source}
        chain.new_chain(RecordEvent, record)
        steps.append((record, {"actor": leader, "action": "record", "at": record.recorded_at,
                               "data": {**snapshot, "state": ServiceRecord.State.PENDING}}))
        steps.append((record, {"actor": staff, "action": "confirm", "actor_role": "community_staff",
                               "at": record.confirmed_at,
                               "data": {**snapshot, "state": ServiceRecord.State.CONFIRMED, "from": "pending", "reason": ""}}))
    chain.append_many(RecordEvent, steps)
    accounts = {a.volunteer_id: a for a in PointsAccount.objects.filter(volunteer__in=veterans)}
    issued = ledgers.community_account(book, PointsAccount.Kind.ISSUED)
    postings = [(book, {"actor": staff, "action": Posting.Kind.EARN, "actor_role": "community_staff",
                        "at": record.confirmed_at, "key": f"record:{record.pk}:2", "reason": record.content,
                        "data": {"entries": [[accounts[record.volunteer_id].pk, points], [issued.pk, -points]],
                                 "stock": []}})
                for record in records if (points := ledgers.points_for(record.minutes, rules.points_per_hour))]
    _post_in_bulk(book, postings)


def _post_in_bulk(book, steps):
    """Chain prepared postings in one pass and write their entries and the balances they move."""
    made = chain.append_many(Posting, steps)
    entries, stock, moved, shelf = [], [], defaultdict(int), defaultdict(int)
    for _book, posting in made:
        for account_id, amount in posting.data["entries"]:
            entries.append(Entry(posting=posting, account_id=account_id, amount=amount))
            moved[account_id] += amount
        for good_id, place, quantity in posting.data["stock"]:
            stock.append(StockEntry(posting=posting, good_id=good_id, place=place, quantity=quantity))
            if place == StockEntry.Place.SHELF:
                shelf[good_id] += quantity
    Entry.objects.bulk_create(entries)
    StockEntry.objects.bulk_create(stock)
    accounts = list(PointsAccount.objects.filter(pk__in=moved))
    for account in accounts:
        account.balance += moved[account.pk]
    PointsAccount.objects.bulk_update(accounts, ["balance"])
    goods = list(Good.objects.filter(pk__in=shelf))
    for good in goods:
        good.stock += shelf[good.pk]
    Good.objects.bulk_update(goods, ["stock"])


def _seed_shop(community, staff, book):
    have = set(Good.objects.filter(community=community).values_list("name", flat=True))
    Good.objects.bulk_create([Good(community=community, name=name, price_points=price, is_demo=True)
                              for name, price, _stock in GOODS if name not in have])
    goods = {g.name: g for g in Good.objects.filter(community=community)}
    _post_in_bulk(book, [
        (book, {"actor": staff, "action": Posting.Kind.RESTOCK, "actor_role": "community_staff", "key": f"demo-restock:{name}",
                "reason": "", "data": {"entries": [], "stock": [[goods[name].pk, "supplier", -stock],
                                                                [goods[name].pk, "shelf", stock]]}})
        for name, _price, stock in GOODS])
