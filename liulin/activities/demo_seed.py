"""Demo classes, teams' practice times and events for the demo community (`manage.py seed_demo`).

From the article: the elderly university teaching point has 273 students, 77 of them party
members, in six courses and seven classes (demo/facts.py); the 17 culture and sports teams
practise on 同心广场 and in the dance rooms; the community runs a youth summer camp, a sports
meeting, the 好家风 selection and layered smartphone training for elders with a home-care
partner. The students are the university's members on the demo roll (demo/roster.py), each
enrolled in one class as a row, so every figure is counted from enrolments. Rooms, weekly
times, capacities and event dates are invented for the demo and marked `is_demo`.

Idempotent: everything is found by its natural key (term and course names, class titles,
event titles, a team's weekday and start) and a second run writes nothing.
"""

import datetime

from django.utils import timezone

from liulin.accounts.models import User
from liulin.core import chain, clock
from liulin.demo import facts
from liulin.orgs.models import Membership, Organisation
from liulin.territory.models import Facility

from .models import Activity, ActivityEvent, Course, Enrolment, EnrolmentEvent, TeamPractice, Term, WeeklySlot

TERM = "2025年秋季学期"
TERM_DATES = (datetime.date(2025, 9, 8), datetime.date(2026, 1, 16))
TEACHER_MOBILE = "19900000011"

# class name -> (room, [(weekday, start, end)]); invented for the demo, no two at once in a room.
CLASS_PLAN = {
    "声乐班": ("器乐室", [(0, "09:00", "10:30")]),
    "舞蹈一班": ("舞蹈室", [(1, "09:00", "10:30")]),
    "舞蹈二班": ("舞蹈室", [(3, "09:00", "10:30")]),
    "书法班": ("书法室", [(2, "09:00", "10:30")]),
    "太极拳班": ("文化广场", [(4, "07:30", "08:30")]),
    "智能手机班": ("绿色网吧", [(2, "14:30", "16:00")]),
    "民族巧手坊": ("文娱室", [(4, "14:30", "16:00")]),
}
CLASS_CAPACITY = 42

# Teams practise on 同心广场 or in a dance room; the sports teams on their courts.
TEAM_PLACES = {
    "气排球队": "室内气排球场", "门球队": "室外门球场", "乒乓球队": "室内乒乓球场", "羽毛球队": "室内羽毛球场",
    "篮球队": "室外篮球场", "翰墨书法队": "书法室", "京剧票友队": "器乐室", "葫芦丝乐队": "器乐室",
}
INDOOR_DANCE = {"常青藤舞蹈队", "夕阳红模特队", "中南旗袍队"}

# (title, room, days from the seed day, hour, hours long, capacity, reserved, min age, max age, organiser, description)
EVENTS = [
    ("智能手机分层分级培训课（初级）", "绿色网吧", 6, 9, 2, 30, 4, 55, None, "湖南同心居家养老服务有限公司",
     "与专业居家养老服务机构合办：微信视频、扫码乘车、防范电信诈骗。"),
    ("青少年夏令营开营仪式", "妇儿之家", 12, 9, 3, 40, 0, 6, 14, None, "“雷锋号”青少年关爱家园：红色教育、爱心教育、责任教育。"),
    ("中南社区趣味运动会", "同心体育馆", 20, 8, 4, 200, 20, None, None, None, "老中青少都能参加的趣味项目。"),
    ("好家风评比分享会", "初心讲堂", 27, 15, 2, 368, 30, None, None, None, "好家风评比候选家庭分享家风故事。"),
]


def _facilities(community):
    return {f.name: f for f in Facility.objects.filter(community=community)}


def _teacher():
    return User.objects.filter(mobile=TEACHER_MOBILE).first()


def seed_classes(community, orgs, facilities):
    school = orgs.get(facts.ELDERLY_UNIVERSITY)
    term, _ = Term.objects.get_or_create(
        community=community, name=TERM, defaults={"starts_on": TERM_DATES[0], "ends_on": TERM_DATES[1], "is_demo": True}
    )
    courses = {}
    for course_name, _class in facts.ELDERLY_UNIVERSITY_CLASSES:
        courses[course_name], _ = Course.objects.get_or_create(community=community, name=course_name, defaults={"is_demo": True})
    existing = {a.title: a for a in Activity.objects.filter(community=community, term=term)}
    start = timezone.make_aware(datetime.datetime.combine(TERM_DATES[0], datetime.time(9)))
    end = timezone.make_aware(datetime.datetime.combine(TERM_DATES[1], datetime.time(17)))
    teacher = _teacher()
    new = []
    for course_name, class_name in facts.ELDERLY_UNIVERSITY_CLASSES:
        if class_name in existing:
            continue
        room, _slots = CLASS_PLAN[class_name]
        new.append(Activity(
            community=community, kind=Activity.Kind.CLASS, title=class_name, course=courses[course_name], term=term,
            organiser=school, teacher=teacher, facility=facilities.get(room), starts_at=start, ends_at=end,
            capacity=CLASS_CAPACITY, state=Activity.State.CLOSED, is_demo=True,
        ))
    if not new:
        return
    Activity.objects.bulk_create(new)
    made = list(Activity.objects.filter(community=community, term=term, title__in=[a.title for a in new]))
    WeeklySlot.objects.bulk_create([
        WeeklySlot(activity=a, weekday=d, starts=datetime.time.fromisoformat(s), ends=datetime.time.fromisoformat(e))
        for a in made for d, s, e in CLASS_PLAN[a.title][1]
    ])
    chain.append_many(ActivityEvent, [(a, {"actor": None, "action": "create", "data": {"demo": True}}) for a in made])
    _enrol_students(school, made)


def _enrol_students(school, classes):
    """Each of the university's students (its members on the roll) in one class, in turn, so
    the seven classes share the 273 evenly; the class's `taken` is the count of its rows."""
    if school is None:
        return
    students = list(
        Membership.objects.filter(org=school, resident__isnull=False).order_by("resident_id").values_list("resident_id", flat=True)
    )
    order = {title: i for i, (_c, title) in enumerate(facts.ELDERLY_UNIVERSITY_CLASSES)}
    classes = sorted(classes, key=lambda a: order[a.title])
    rows, counts = [], {a.pk: 0 for a in classes}
    for n, resident_id in enumerate(students):
        activity = classes[n % len(classes)]
        counts[activity.pk] += 1
        rows.append(Enrolment(activity=activity, resident_id=resident_id, state=Enrolment.State.CONFIRMED,
                              ticket=counts[activity.pk], channel=Enrolment.Channel.COUNTER, is_demo=True,
                              created_at=activity.starts_at - datetime.timedelta(days=14)))
    Enrolment.objects.bulk_create(rows, batch_size=500)
    for activity in classes:
        Activity.objects.filter(pk=activity.pk).update(taken=counts[activity.pk], arrivals=counts[activity.pk])
    saved = Enrolment.objects.filter(activity__in=classes)
    chain.append_many(EnrolmentEvent, [(e, {"actor": None, "action": "enrol", "data": {"state": "confirmed", "demo": True}})
                                       for e in saved])


def seed_practices(community, orgs, facilities):
    teams = [orgs[name] for name, *_ in facts.CULTURE_TEAMS if name in orgs]
    have = set(TeamPractice.objects.filter(team__in=teams).values_list("team_id", flat=True))
    rows = []
    for n, team in enumerate(teams):
        if team.pk in have:
            continue
        place = TEAM_PLACES.get(team.name) or ("室内舞蹈室" if team.name in INDOOR_DANCE else "同心广场")
        facility = facilities.get(place) or facilities.get("同心广场")
        if facility is None:
            continue
        evening = datetime.time(19, 0) if n % 2 == 0 else datetime.time(19, 30) if n % 3 else datetime.time(8, 0)
        for weekday in (n % 5, (n % 5) + 2):
            rows.append(TeamPractice(team=team, facility=facility, weekday=weekday, starts=evening,
                                     ends=(datetime.datetime.combine(datetime.date(2000, 1, 1), evening) + datetime.timedelta(hours=1, minutes=30)).time(),
                                     is_demo=True))
    TeamPractice.objects.bulk_create(rows)


def seed_events(community, orgs, facilities):
    have = set(Activity.objects.filter(community=community, kind=Activity.Kind.EVENT, is_demo=True).values_list("title", flat=True))
    today = clock.today()
    new = []
    for title, room, days, hour, hours, capacity, reserved, min_age, max_age, organiser, description in EVENTS:
        if title in have:
            continue
        start = timezone.make_aware(datetime.datetime.combine(today + datetime.timedelta(days=days), datetime.time(hour)))
        new.append(Activity(
            community=community, kind=Activity.Kind.EVENT, title=title, description=description, facility=facilities.get(room),
            organiser=orgs.get(organiser) if organiser else None, starts_at=start, ends_at=start + datetime.timedelta(hours=hours),
            capacity=capacity, reserved=reserved, min_age=min_age, max_age=max_age, state=Activity.State.OPEN, is_demo=True,
        ))
    if new:
        Activity.objects.bulk_create(new)
        made = Activity.objects.filter(community=community, kind=Activity.Kind.EVENT, title__in=[a.title for a in new])
        chain.append_many(ActivityEvent, [(a, {"actor": None, "action": "create", "data": {"demo": True}}) for a in made])


SELECTION = "2025年中南社区好家风评比"
STORIES = [
    "三代同堂，孝老爱亲，二十年如一日照顾卧床的老人。",
    "夫妻俩都是老党员，常年义务为邻居修理家电。",
    "家训“勤俭持家、与人为善”，孩子考上大学后回社区做志愿者。",
    "主动调解楼栋邻里纠纷，带头参与小区垃圾分类。",
    "全家参加银发生辉志愿服务队，陪伴独居老人。",
    "婆媳和睦，热心公益，疫情期间为楼栋老人代购物资。",
]


def seed_selection(community):
    """A 好家风 selection open for the public vote: one nominated family per demo estate
    (the head of a household of three or more people), stories invented for the demo."""
    from liulin.people.models import Resident

    from .models import Nomination, Selection, SelectionEvent

    if Selection.objects.filter(community=community, title=SELECTION).exists():
        return
    staff = User.objects.filter(mobile="19900000002").first()
    if staff is None:
        return
    selection = Selection.objects.create(community=community, title=SELECTION, state=Selection.State.VOTING, choices_per_ballot=3,
                                         winners=3, is_demo=True)
    heads, seen = [], set()
    for head in (Resident.objects.filter(household__community=community, relation="head", is_demo=True)
                 .select_related("household__building__estate").order_by("id")):
        estate = head.household.building.estate_id
        if estate not in seen and Resident.objects.filter(household=head.household).count() >= 3:
            seen.add(estate)
            heads.append(head)
        if len(heads) == len(STORIES):
            break
    Nomination.objects.bulk_create([
        Nomination(selection=selection, household=h.household, family_name=f"{h.name[0]}家", story=STORIES[i],
                   nominated_by=staff, state=Nomination.State.ACCEPTED)
        for i, h in enumerate(heads)
    ])
    chain.append_many(SelectionEvent, [(selection, {"actor": None, "action": "create", "data": {"demo": True}})])


def seed(demo):
    community = demo.community
    orgs = {o.name: o for o in Organisation.objects.filter(community=community)} | demo.orgs
    facilities = _facilities(community)
    seed_classes(community, orgs, facilities)
    seed_practices(community, orgs, facilities)
    seed_events(community, orgs, facilities)
    seed_selection(community)
