"""Every service wired to the proxy kernel (docs/proxies.md) refuses a revoked, an expired and
an out-of-scope consent, and under a live one records both names, the act on the consent's
chain and a notice to the elder."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from liulin.accounts.tests.factories import make_user
from liulin.activities import services as activities
from liulin.activities.models import Activity
from liulin.activities.tests.factories import _into
from liulin.canteen import services as canteen
from liulin.canteen.models import Canteen, DinerGroup, MealPeriod, Price
from liulin.core import calendar, clock
from liulin.core.errors import NotFound, NotPermitted
from liulin.core.notifications.models import Notification
from liulin.core.roles import Role
from liulin.daycare import services as daycare
from liulin.daycare.models import Centre, Enrolment
from liulin.people import proxies, proxy_services
from liulin.people.models import ProxyEvent
from liulin.people.tests.factories import ResidentFactory
from liulin.territory.tests.factories import HouseholdFactory
from liulin.venues.services import bookings
from liulin.venues.tests.factories import make_resource
from liulin.votes import services as votes
from liulin.votes.models import Owner
from liulin.votes.tests.factories import make_world
from liulin.whistle.models import Channel
from liulin.whistle.services import intake
from liulin.whistle.tests.intake_fixtures import make_town

pytestmark = pytest.mark.django_db

SERVICES = ["canteen", "whistle", "venues", "activities", "daycare", "votes"]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class World:
    def __init__(self):
        self.town = town = make_town()
        self.mother, self.mother_user = town.resident, town.resident_user
        daughter = ResidentFactory(name="张丽", household=HouseholdFactory(building=town.b3))
        self.daughter = make_user(Role.RESIDENT, resident=daughter, name="张丽")
        self.today = calendar.local_date(clock.now())
        place = Canteen.objects.create(name="中南小苑", community=town.community)
        self.lunch = MealPeriod.objects.create(canteen=place, code="lunch", name="午餐", starts=datetime.time(11),
                                               ends=datetime.time(13), order_cutoff=datetime.time(9, 30), sort=2)
        Price.objects.bulk_create([Price(period=self.lunch, group=g, price_fen=1200) for g in DinerGroup.values])
        self.room = make_resource(town.community, "多功能活动室", max_days_ahead=14)
        start = clock.now() + datetime.timedelta(days=10)
        self.activity = _into(activities.create_activity(
            actor=None, community=town.community, kind=Activity.Kind.EVENT, title="重阳节茶话会", starts_at=start,
            ends_at=start + datetime.timedelta(hours=2), capacity=30), Activity.State.OPEN, town.staff)
        centre = Centre.objects.create(community=town.community, name="日间照料中心")
        self.enrolment = Enrolment.objects.create(centre=centre, elder=self.mother, days="0123456", enrolled_by=town.staff,
                                                  state=Enrolment.State.ACTIVE)
        world = make_world()
        self.owner = world.owners[0]
        Owner.objects.filter(pk=self.owner.pk).update(resident=self.mother, user=self.mother_user)
        self.owner.refresh_from_db()
        now = clock.now()
        self.vote = votes.create_vote(actor=world.chair, committee=world.committee, title="维修电梯", matter=5,
                                      opens_at=now - datetime.timedelta(hours=1), closes_at=now + datetime.timedelta(days=10))
        votes.act(actor=world.chair, vote=self.vote, action="publish_notice", now=now - datetime.timedelta(days=17))
        votes.act(actor=None, vote=self.vote, action="open", now=now - datetime.timedelta(hours=1))

    def grant(self, services, *, days=3):
        return proxy_services.grant(actor=self.mother_user, elder=self.mother, proxy_user=self.daughter, relation="child",
                                    services=services, valid_until=self.today + datetime.timedelta(days=days))

    def act(self, service):
        """What the daughter does for her mother in `service`; returns (record, the elder's field, the proxy's field)."""
        day = self.today + datetime.timedelta(days=5)
        if service == "canteen":
            order = canteen.place_order(actor=self.daughter, period=self.lunch, day=day, resident=self.mother, channel="family")
            return order, order.resident, order.ordered_by
        if service == "whistle":
            ticket, _ = intake.file_ticket(actor=self.daughter, channel=Channel.SELF_SERVICE, category="property-elevator",
                                           description="妈妈住的1栋电梯坏了", requester=self.mother,
                                           household=self.mother.household)
            return ticket, ticket.requester, ticket.filed_by
        if service == "venues":
            start = datetime.datetime.combine(day, datetime.time(9), tzinfo=calendar.local_zone())
            booking = bookings.book_facility(actor=self.daughter, resource=self.room, start=start,
                                             end=start + datetime.timedelta(hours=1), booker=self.mother_user)
            return booking, booking.booker.resident, booking.events.get(action="book").actor
        if service == "activities":
            enrolment = activities.enrol(actor=self.daughter, activity=self.activity, resident=self.mother)
            return enrolment, enrolment.resident, enrolment.enrolled_by
        if service == "daycare":
            attendance = daycare.check_in(actor=self.daughter, enrolment=self.enrolment)
            return attendance, attendance.enrolment.elder, attendance.checked_in_by
        if service == "votes":
            proxy = votes.register_proxy(actor=self.daughter, vote=self.vote, owner=self.owner, holder=self.daughter,
                                         document=SimpleUploadedFile("weituoshu.pdf", PDF, content_type="application/pdf"))
            return proxy, proxy.owner.resident, proxy.holder
        raise AssertionError(service)


@pytest.fixture
def world():
    return World()


@pytest.mark.parametrize("service", SERVICES)
def test_a_live_consent_acts_with_both_names_and_the_elder_is_told(world, service):
    consent = world.grant([service])
    record, elder, proxy = world.act(service)
    assert (elder, proxy) == (world.mother, world.daughter)
    act = ProxyEvent.objects.get(proxy=consent, action="act")
    assert (act.service, act.actor, act.target_id) == (service, world.daughter, str(record.pk))
    told = Notification.objects.filter(user=world.mother_user, kind=proxies.KIND).order_by("-id").first()
    assert "张丽" in told.message


def test_taking_the_elder_home_from_day_care_is_a_proxy_act_too(world):
    consent = world.grant(["daycare"])
    attendance, _, _ = world.act("daycare")
    daycare.check_out(actor=world.daughter, attendance=attendance)
    acts = ProxyEvent.objects.filter(proxy=consent, action="act").order_by("pk")
    assert [(a.service, a.actor, a.target_id) for a in acts] == [("daycare", world.daughter, str(attendance.pk))] * 2
    assert [a.data.get("what") for a in acts] == ["日间照料签到", "日间照料离站"]


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("how", ["out_of_scope", "revoked", "expired", "none"])
def test_a_dead_or_narrow_consent_is_refused(world, service, how):
    if how == "out_of_scope":
        world.grant([s for s in SERVICES if s != service])
    elif how == "revoked":
        proxy_services.revoke(actor=world.mother_user, proxy=world.grant([service]))
    elif how == "expired":
        world.grant([service], days=1)
    later = world.today + datetime.timedelta(days=2 if how == "expired" else 0)
    with time_machine.travel(datetime.datetime.combine(later, datetime.time(8), tzinfo=calendar.local_zone()), tick=False):
        with pytest.raises((NotPermitted, NotFound)):
            world.act(service)
    assert not ProxyEvent.objects.filter(action="act").exists()
