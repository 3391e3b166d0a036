import datetime

from django.utils import timezone

from liulin.accounts.tests.factories import make_user
from liulin.activities import services
from liulin.activities.models import Activity, Course, Term
from liulin.core import clock
from liulin.core.roles import Role
from liulin.people.tests.factories import ResidentFactory, make_id_number
from liulin.territory.tests.factories import BuildingFactory, CommunityFactory, GridFactory, HouseholdFactory


class Town:
    """One community with a building, its staff, and helpers to make residents and activities."""

    def __init__(self):
        self.community = CommunityFactory()
        self.grid = GridFactory(community=self.community)
        self.building = BuildingFactory(grid=self.grid)
        self.staff = make_user(Role.COMMUNITY_STAFF, self.community)
        self.n = 0

    def resident(self, *, age=60, gender="F", household=None, with_user=True, **fields):
        self.n += 1
        today = clock.today()
        birth = datetime.date(today.year - age, 1, 1)  # his age this year, and at an event days away
        household = household or HouseholdFactory(building=self.building)
        fields.setdefault("id_number", make_id_number(birth, seq=self.n % 1000, region=f"43{id(self) % 9000 + self.n // 1000:04d}"))
        resident = ResidentFactory(household=household, birth_date=birth, gender=gender, **fields)
        if with_user:
            resident.user = make_user(Role.RESIDENT, resident=resident)
        return resident

    def event(self, *, capacity=20, reserved=0, starts_in=datetime.timedelta(days=7), state=Activity.State.OPEN, **fields):
        start = clock.now() + starts_in
        activity = services.create_activity(
            actor=None, community=self.community, kind=Activity.Kind.EVENT, title=fields.pop("title", "青少年夏令营"),
            starts_at=start, ends_at=start + datetime.timedelta(hours=3), capacity=capacity, reserved=reserved, **fields,
        )
        return _into(activity, state, self.staff)

    def term(self, **fields):
        today = clock.today()
        return Term.objects.create(community=self.community, name=fields.pop("name", f"{today.year}秋季学期"),
                                   starts_on=today + datetime.timedelta(days=10), ends_on=today + datetime.timedelta(days=120), **fields)

    def klass(self, *, term=None, course="智能手机", capacity=30, slots=((1, "09:00", "10:30"),), state=Activity.State.OPEN, **fields):
        term = term or self.term()
        course, _ = Course.objects.get_or_create(community=self.community, name=course)
        start = timezone.make_aware(datetime.datetime.combine(term.starts_on, datetime.time(9)))
        activity = services.create_activity(
            actor=None, community=self.community, kind=Activity.Kind.CLASS, title=fields.pop("title", f"{course.name}班"),
            course=course, term=term, starts_at=start, ends_at=start + datetime.timedelta(days=100), capacity=capacity,
            slots=[(d, datetime.time.fromisoformat(a), datetime.time.fromisoformat(b)) for d, a, b in slots], **fields,
        )
        return _into(activity, state, self.staff)


def _into(activity, state, staff):
    """Walk a new (draft) activity to `state` through the service."""
    paths = {
        Activity.State.DRAFT: [],
        Activity.State.RENEWAL: ["open_renewal"],
        Activity.State.APPLYING: ["open_applications"],
        Activity.State.OPEN: ["open"],
        Activity.State.CLOSED: ["open", "close"],
        Activity.State.FINISHED: ["open", "finish"],
        Activity.State.CANCELLED: ["cancel_activity"],
    }
    for action in paths[state]:
        activity = services.act_on_activity(actor=staff, activity=activity, action=action, reason="测试",
                                            public_value="20251208-双色球-0312")
    return activity
