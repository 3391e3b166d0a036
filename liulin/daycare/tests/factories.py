import datetime
import itertools

from liulin.accounts.tests.factories import make_user
from liulin.core.roles import Role
from liulin.daycare import services
from liulin.daycare.models import Enrolment
from liulin.people.tests.factories import ResidentFactory, make_id_number
from liulin.territory.tests.factories import BuildingFactory, CommunityFactory, GridFactory, HouseholdFactory

_seq = itertools.count(1)


class Station:
    """One community with a day-care centre, its manager, a care worker and a grid worker."""

    def __init__(self, capacity=20, weekdays=range(5)):
        self.community = CommunityFactory()
        self.grid = GridFactory(community=self.community)
        self.building = BuildingFactory(grid=self.grid)
        self.manager = make_user(Role.COMMUNITY_STAFF, self.community)
        self.carer = make_user(Role.COMMUNITY_STAFF, self.community)
        self.grid_worker = make_user(Role.GRID_WORKER, self.grid)
        self.centre = services.create_centre(community=self.community, name="雷锋驿站日间照料中心", capacity=capacity,
                                             weekdays=weekdays)
        self.centre.staff.add(self.carer)

    def resident(self, *, age=80, with_user=True):
        today = datetime.date.today()
        birth = datetime.date(today.year - age, 3, 1)
        n = next(_seq)
        person = ResidentFactory(household=HouseholdFactory(building=self.building), birth_date=birth,
                                 id_number=make_id_number(birth, seq=n % 1000, region=f"44{n // 1000 % 10000:04d}"))
        if with_user:
            person.user = make_user(Role.RESIDENT, resident=person)
        return person

    def elder(self, *, days=(0, 1, 2, 3, 4), health="高血压，每日服药", daughter=None):
        """An enrolled elder and her daughter, a consented family proxy (`enrolment.daughter`)."""
        elder = self.resident(age=82, with_user=False)
        daughter = daughter or self.resident(age=50)
        enrolment = services.enrol(actor=self.manager, centre=self.centre, elder=elder, days=days, care_tags="独居,高龄",
                                   care_plan="午餐、午休、量血压", health_notes=health,
                                   contacts=[("女儿", "女儿", "13800000000", daughter.user)])
        enrolment.daughter = daughter
        return enrolment

    def enrolment_in(self, state):
        """An enrolment put straight into `state` (no places taken: for the state tables)."""
        elder = self.resident(age=82, with_user=False)
        daughter = self.resident(age=50)
        enrolment = Enrolment.objects.create(centre=self.centre, elder=elder, state=state, days="01234", enrolled_by=self.manager)
        services.add_contact(actor=self.manager, enrolment=enrolment, name="女儿", relation="女儿", user=daughter.user)
        enrolment.daughter = daughter
        return enrolment
