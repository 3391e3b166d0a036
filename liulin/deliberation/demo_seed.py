"""Demo 议事 for the demo community, from the article: 小楼议事 in every estate chaired by the
estate's party branch secretary (who chairs its owners' committee), a 居民议事 at the
居民议事吧 of the 雷锋驿站, and a 协调议事 of the community, an owners' committee, the
property company and a department. Held meetings have sign-ins, a closed poll, a decision
with its action item and final minutes; their events are chained like any other.

Idempotent: nothing is written when the community already has demo meetings. Bulk inserts,
a fixed number of queries whatever the size of the community."""

import datetime
from collections import defaultdict

from liulin.core import chain, clock
from liulin.demo import facts
from liulin.demo.roster import estate_branch, owners_committee
from liulin.orgs.models import Membership
from liulin.people.models import Resident
from liulin.territory.models import Facility

from .models import (
    STANCE_OPTIONS,
    ActionItem,
    AgendaItem,
    Attendance,
    Ballot,
    BallotChoice,
    Capacity,
    CommitteeDecision,
    CommitteeMeeting,
    CommitteeTerm,
    Decision,
    Invitation,
    ItemState,
    Kind,
    MajorMatter,
    MediationCase,
    Meeting,
    MeetingEvent,
    MinutesState,
    Poll,
    PollOption,
    PollState,
    State,
    Via,
)
from .services import minutes_digest

MATTER_TITLE = "同心家园加装电梯"

SECRETARY = "19900000001"  # 社区书记 (demo/logins.py)
CHAIR = "19900000007"  # 同心家园业主委员会主任, the estate's party branch secretary
PROPERTY = "19900000006"  # 物业客服主管
ATTENDEES = 9  # signed in per held estate meeting
QUORUM = 5
# (title, the action item, its acceptance, days ago held, done?) per estate, in estate order;
# a second round, held months earlier and all done, gives each estate a few held meetings.
ESTATE_MATTERS = [
    ("楼道灯坏了怎么修", "更换3栋各层楼道灯", "每层楼道灯夜间正常亮", 40, True),
    ("电动车进楼充电怎么管", "增设集中充电桩", "充电桩投用且楼道无电动车", 30, True),
    ("小区绿化补种", "补种中心花园绿植", "补种完成并验收成活", 25, True),
    ("雨棚漏水维修", "维修2栋雨棚", "雨天无渗漏", 20, False),
    ("停车位划线", "重新划定地面车位", "车位线清晰、通道畅通", 15, False),
    ("垃圾分类投放点调整", "迁移投放点至北门", "新投放点启用且原址清洁", 10, False),
    ("单元门禁常坏", "更换1栋单元门禁", "门禁刷卡正常开关", 95, True),
    ("楼顶防水怎么修", "维修顶层防水层", "雨后顶层住户无渗漏", 90, True),
    ("健身器材损坏", "更换损坏的健身器材", "器材安装牢固并可正常使用", 85, True),
    ("楼道堆物清理", "清理各楼道堆放杂物", "楼道畅通无堆物", 80, True),
    ("宠物粪便管理", "设置宠物便袋箱并张贴公约", "便袋箱投用、公约张贴到位", 75, True),
    ("消防通道占用", "施划消防通道标线并劝离车辆", "消防通道标线清晰、无车辆占用", 70, True),
]


def seed(demo):
    community = demo.community
    if not CommitteeTerm.objects.filter(community=community, is_demo=True).exists():
        seed_committees(demo)
    if not MajorMatter.objects.filter(community=community, is_demo=True).exists():
        seed_matter(demo)
    if not MediationCase.objects.filter(community=community, is_demo=True).exists():
        seed_case(demo)
    if Meeting.objects.filter(community=community, is_demo=True).exists():
        return
    secretary, property_user = demo.users[SECRETARY], demo.users[PROPERTY]
    now = clock.now()
    estates = {b.estate.name: b.estate for b in demo.buildings.values()}
    first_building = {}
    for (estate_name, _), building in sorted(demo.buildings.items(), key=lambda kv: kv[1].pk):
        first_building.setdefault(estate_name, building)
    # The committee's chair where the estate has a committee, else its party branch secretary.
    chairs = dict(Membership.objects.filter(org__name__in=[estate_branch(e) for e in estates], title="支部书记")
                  .values_list("org__estate__name", "name"))
    chairs.update(Membership.objects.filter(org__name__in=[owners_committee(e) for e in estates], title="主任")
                  .values_list("org__estate__name", "name"))
    bar = Facility.objects.filter(community=community, name="居民议事吧").first()
    residents = defaultdict(list)
    for r in (Resident.objects.filter(household__community=community, household__isnull=False)
              .order_by("household__building__estate_id", "pk").values("pk", "name", "household__building__estate_id")):
        if len(residents[r["household__building__estate_id"]]) < ATTENDEES:
            residents[r["household__building__estate_id"]].append(r)

    meetings, plans = [], []
    for n, matter in enumerate(ESTATE_MATTERS):
        estate_name = facts.ESTATES[n % len(facts.ESTATES)][0]
        estate = estates[estate_name]
        title, item_title, acceptance, days_ago, done = matter
        start = (now - datetime.timedelta(days=days_ago)).replace(hour=11, minute=0, second=0, microsecond=0)
        meetings.append(Meeting(
            kind=Kind.BUILDING, title=title, community=community, estate=estate, building=first_building[estate_name],
            place=f"{first_building[estate_name].name}架空层", starts_at=start, ends_at=start + datetime.timedelta(hours=1),
            quorum=QUORUM, chair=chairs.get(estate_name, ""), convener=secretary, state=State.HELD,
            minutes=f"小楼议事：{title}。议定：{item_title}，验收标准：{acceptance}。", minutes_state=MinutesState.FINAL,
            is_demo=True, created_at=start - datetime.timedelta(days=3), updated_at=start + datetime.timedelta(hours=1)))
        plans.append((estate, item_title, acceptance, done))
    upcoming = (now + datetime.timedelta(days=5)).replace(hour=9, minute=30, second=0, microsecond=0)
    residents_meeting = Meeting(
        kind=Kind.RESIDENTS, title="同心公园夜间噪音怎么管", community=community, venue=bar, place="雷锋驿站",
        starts_at=upcoming, ends_at=upcoming + datetime.timedelta(hours=1, minutes=30), quorum=15, chair="周红梅",
        convener=secretary, state=State.NOTICED, is_demo=True, created_at=now, updated_at=now)
    coordination = Meeting(
        kind=Kind.COORDINATION, title="同心家园电梯加装协调会", community=community, estate=estates[facts.ESTATES[0][0]],
        venue=Facility.objects.filter(community=community, name="党员活动室").first(), place="公共服务中心",
        starts_at=upcoming + datetime.timedelta(days=2), ends_at=upcoming + datetime.timedelta(days=2, hours=2), quorum=4,
        chair="周红梅", convener=secretary, state=State.DRAFT, is_demo=True, created_at=now, updated_at=now)
    for meeting in meetings:
        meeting.minutes_hash = minutes_digest(meeting, meeting.minutes, [])
    Meeting.objects.bulk_create([*meetings, residents_meeting, coordination])

    invited = [demo.orgs[owners_committee(facts.ESTATES[0][0])], demo.orgs[facts.PROPERTY_COMPANY],
               demo.orgs[facts.DEPARTMENTS[1][0]]]
    Invitation.objects.bulk_create([Invitation(meeting=coordination, org=org) for org in invited])
    AgendaItem.objects.bulk_create([
        AgendaItem(meeting=residents_meeting, position=1, title="听取居民意见", owner="网格员", minutes=40),
        AgendaItem(meeting=residents_meeting, position=2, title="商定广场舞时段", owner="文体队伍", minutes=30),
        AgendaItem(meeting=coordination, position=1, title="加装方案与费用分摊", owner="业委会", minutes=60),
        AgendaItem(meeting=coordination, position=2, title="施工期间安全", owner="物业", minutes=30),
        *[AgendaItem(meeting=m, position=1, title=m.title, owner=m.chair or "业委会", minutes=45) for m in meetings],
    ])

    attendances = []
    for meeting in meetings:
        for n, r in enumerate(residents[meeting.estate_id]):
            attendances.append(Attendance(
                meeting=meeting, resident_id=r["pk"], name=r["name"], capacity=Capacity.VOTER,
                via=Via.STAFF if n % 3 == 0 else Via.QR, signed_at=meeting.starts_at - datetime.timedelta(minutes=10 - n),
                signed_by=secretary if n % 3 == 0 else None))
    Attendance.objects.bulk_create(attendances)
    polls = Poll.objects.bulk_create([
        Poll(meeting=m, question=f"同意“{item_title}”", state=PollState.CLOSED, opened_at=m.starts_at + datetime.timedelta(minutes=30),
             closed_at=m.starts_at + datetime.timedelta(minutes=40)) for m, (_, item_title, _, _) in zip(meetings, plans, strict=True)])
    options = PollOption.objects.bulk_create([PollOption(poll=p, position=i, label=str(label)) for p in polls
                                              for i, label in enumerate(STANCE_OPTIONS, 1)])
    by_poll = defaultdict(list)
    for option in options:
        by_poll[option.poll_id].append(option)
    by_meeting = defaultdict(list)
    for a in attendances:
        by_meeting[a.meeting_id].append(a)
    ballots, picks = [], []
    for poll in polls:
        for n, attendance in enumerate(by_meeting[poll.meeting_id]):
            ballots.append(Ballot(poll=poll, attendance=attendance, cast_at=poll.opened_at))
            # Most agree; one in nine abstains, one in nine disagrees.
            picks.append(by_poll[poll.pk][0 if n < len(by_meeting[poll.meeting_id]) - 2 else (1 if n % 2 else 2)])
    Ballot.objects.bulk_create(ballots)
    BallotChoice.objects.bulk_create([BallotChoice(ballot=b, option=o) for b, o in zip(ballots, picks, strict=True)])

    decisions = Decision.objects.bulk_create([
        Decision(meeting=m, text=f"议定：{item_title}。", poll=p, voters_present=len(by_meeting[m.pk]),
                 decided_at=m.starts_at + datetime.timedelta(minutes=45), decided_by=secretary)
        for m, p, (_, item_title, _, _) in zip(meetings, polls, plans, strict=True)])
    today = clock.today()
    items = []
    for m, d, (_, item_title, acceptance, done) in zip(meetings, decisions, plans, strict=True):
        held = m.starts_at.date()
        due = held + datetime.timedelta(days=14)
        items.append(ActionItem(
            decision=d, meeting=m, title=item_title, owner=property_user, owner_org=demo.orgs[facts.PROPERTY_COMPANY],
            due_date=due, review_date=held + datetime.timedelta(days=7), acceptance=acceptance, building=m.building,
            state=ItemState.DONE if done else ItemState.OPEN, done_at=m.starts_at + datetime.timedelta(days=10) if done else None,
            result="已按验收标准完成，业委会现场验收。" if done else "", is_demo=True,
            review_reminded_on=today if not done and held + datetime.timedelta(days=7) <= today else None,
            created_at=d.decided_at, updated_at=d.decided_at))
    ActionItem.objects.bulk_create(items)

    steps = []
    for m in [*meetings, residents_meeting, coordination]:
        chain.new_chain(MeetingEvent, m)
        steps.append((m, {"actor": secretary, "actor_role": "community_secretary", "action": "convene", "at": m.created_at,
                          "data": {"kind": m.kind, "demo": True}}))
        if m.state != State.DRAFT:
            steps.append((m, {"actor": secretary, "actor_role": "community_secretary", "action": "notify", "at": m.created_at,
                              "data": {"from": State.DRAFT, "to": State.NOTICED}}))
    for m, p, d, item in zip(meetings, polls, decisions, items, strict=True):
        steps += [(m, {"actor": secretary, "actor_role": "community_secretary", "action": action, "at": at, "data": data})
                  for action, at, data in [
                      ("open", m.starts_at, {"from": State.NOTICED, "to": State.IN_SESSION}),
                      ("sign_in", m.starts_at, {"count": len(by_meeting[m.pk])}),
                      ("close_poll", p.closed_at, {"poll": p.pk}),
                      ("decide", d.decided_at, {"decision": d.pk, "present": d.voters_present}),
                      ("add_item", d.decided_at, {"item": item.pk}),
                      ("adjourn", m.ends_at, {"from": State.IN_SESSION, "to": State.HELD}),
                      ("finalise", m.ends_at, {"hash": m.minutes_hash}),
                  ]]
        if item.state == ItemState.DONE:
            steps.append((m, {"actor": secretary, "actor_role": "community_secretary", "action": "complete", "at": item.done_at,
                              "data": {"item": item.pk, "to": ItemState.DONE}}))
    chain.append_many(MeetingEvent, steps)


def seed_matter(demo):
    """One 四议两公开 matter mid-way: proposed, discussed and reviewed by the party assembly,
    awaiting the residents' meeting. Who was due comes from the rows: the party general
    branch's committee for the first two stages, the community's party members for the
    assembly."""
    from . import matters

    community, secretary = demo.community, demo.users[SECRETARY]
    committee = Membership.objects.filter(org__name=facts.PARTY_GENERAL_BRANCH).exclude(title="党员").count()
    members = Resident.objects.filter(household__community=community, is_party_member=True).count()
    start = clock.now() - datetime.timedelta(days=21)
    matter = matters.propose(
        actor=secretary, community=community, title=MATTER_TITLE,
        description="同心家园多栋老旧住宅无电梯，老年住户上下楼难。拟按“一栋一议”推进加装，费用按楼层分摊，申请政府补贴。",
        vote=matters.Vote(due=committee, present=committee, in_favour=committee), now=start)
    matters.act(actor=secretary, matter=matter, action="discuss", now=start + datetime.timedelta(days=5),
                vote=matters.Vote(due=committee, present=committee, in_favour=committee - 1, abstain=1))
    present = -(-members * 4 // 5)  # four fifths came
    matters.act(actor=secretary, matter=matter, action="review", now=start + datetime.timedelta(days=14),
                vote=matters.Vote(due=members, present=present, in_favour=present - 6, against=2, abstain=4))
    MajorMatter.objects.filter(pk=matter.pk).update(is_demo=True)


def seed_case(demo):
    """One 人民调解 case mediated by the chair of 同心家园's owners' committee (the estate's
    party branch secretary, article 多元共治安邻): a leak between two flats, agreed and
    signed, its first follow-up finding it partly performed."""
    from . import mediation

    chair = demo.users[CHAIR]
    estate = next(b.estate for b in demo.buildings.values() if b.estate.name == facts.ESTATES[0][0])
    upstairs, downstairs = Resident.objects.filter(household__building__estate=estate).order_by("pk")[:2]
    start = clock.now() - datetime.timedelta(days=20)
    case = mediation.accept_case(
        actor=chair, community=demo.community, estate=estate, dispute_type="neighbour", source="application",
        summary="楼上卫生间渗水浸湿楼下天花板，双方就维修和赔偿多次争吵。",
        parties=[("applicant", downstairs.name, downstairs), ("respondent", upstairs.name, upstairs)], now=start)
    mediation.act(actor=chair, case=case, action="begin", now=start + datetime.timedelta(hours=2))
    mediation.record_session(actor=chair, case=case, notes="到两户现场查看渗水位置，分别听取意见。", now=start + datetime.timedelta(days=1))
    mediation.record_session(actor=chair, case=case, notes="物业检测确认楼上防水层破损，双方同意协商。", now=start + datetime.timedelta(days=3))
    mediation.act(actor=chair, case=case, action="agree", now=start + datetime.timedelta(days=3, hours=1), agreement={
        "facts": "楼上卫生间防水层破损致楼下天花板渗水发霉，双方对维修责任和赔偿金额有争议。",
        "terms": "楼上住户负责修复卫生间防水，并赔偿楼下天花板修复费用 800 元。",
        "performance_manner": "防水由物业维修班施工；赔偿款现金一次付清",
        "performance_deadline": (start + datetime.timedelta(days=24)).date()})
    for party in case.parties.all():
        mediation.record_signature(actor=chair, case=case, party=party, now=start + datetime.timedelta(days=3, hours=2))
    mediation.act(actor=chair, case=case, action="sign_off", now=start + datetime.timedelta(days=3, hours=2))
    mediation.follow_up(actor=chair, case=case, notes="防水已修复，赔偿款尚未付清。", performance="partly",
                        now=start + datetime.timedelta(days=15))
    MediationCase.objects.filter(pk=case.pk).update(is_demo=True)


# Each committee's current term: (estate, number, elected how many days ago, filed on day n
# or None, term in months). 中南佳苑's ends within 3 months (its expiry alert is due);
# 望湘景苑's was elected 20 days ago and awaits its 备案 (due on day 30).
COMMITTEE_TERMS = [
    ("同心家园", 2, 700, 12, 60),
    ("中南佳苑", 1, 1750, 25, 60),
    ("中传花园", 2, 400, 30, 60),
    ("望湘景苑", 1, 20, None, 60),
]
SEAT_ROLES = {"主任": "chair", "副主任": "vice_chair"}


def seed_committees(demo):
    """The owners' committees' terms from the roster's members (facts.COMMITTEES), through
    the services; a committee meeting of 同心家园 with a decision published on day 2."""
    from liulin.core import calendar

    from . import committees

    secretary, chair = demo.users[SECRETARY], demo.users[CHAIR]
    today = clock.today()
    members = defaultdict(list)
    for m in (Membership.objects.filter(org__kind="owners_committee", org__community=demo.community, resident__isnull=False)
              .select_related("org", "resident__household__building").order_by("org_id", "pk")):
        members[m.org.estate_id].append(m)
    orgs = {org.estate.name: org for org in demo.orgs.values() if org.kind == "owners_committee"}
    for estate_name, number, days_ago, filed_day, months in COMMITTEE_TERMS:
        org = orgs[estate_name]
        elected = today - datetime.timedelta(days=days_ago)
        ends = calendar.add_months(elected, months) - datetime.timedelta(days=1)
        term = committees.register_term(
            actor=secretary, committee=org, number=number, elected_on=elected, starts_on=elected, ends_on=ends,
            seats=[(m.resident, SEAT_ROLES.get(m.title, "member")) for m in members[org.estate_id]],
            now=clock.now() - datetime.timedelta(days=days_ago))
        if filed_day is not None:
            committees.file_term(actor=secretary, term=term, filed_on=elected + datetime.timedelta(days=filed_day),
                                 reference=f"高塘岭业备〔{elected.year}〕{number:02d}号（演示）")
        if estate_name == facts.COMMITTEES[0][0]:
            seats = list(term.seats.all())
            present = seats[:7]
            held_at = clock.now() - datetime.timedelta(days=12)
            meeting = committees.hold_meeting(
                actor=chair, term=term, topic="续聘物业服务企业（演示）", held_at=held_at, present=present,
                motions=[("提请业主大会续聘物业公司三年", {s: "abstain" if i == 6 else "for" for i, s in enumerate(present)}),
                         ("地面停车位收费上调", {s: "for" if i < 3 else "against" for i, s in enumerate(present)})])
            CommitteeMeeting.objects.filter(pk=meeting.pk).update(is_demo=True)
            CommitteeDecision.objects.filter(meeting=meeting).update(is_demo=True)  # before publishing: its notice is demo too
            decision = meeting.decisions.get(state="recorded")
            committees.publish_decision(actor=chair, decision=decision, now=held_at + datetime.timedelta(days=2))
    CommitteeTerm.objects.filter(community=demo.community).update(is_demo=True)
