"""Two communities, each with a grid, building, household, resident, property company, a
ticket, a queued request and a counted owners' vote, and a user for every role scoped to the first one."""

from dataclasses import dataclass, field

from liulin.accounts.tests.factories import make_user
from liulin.core.roles import GRID_ROLES, ORG_ROLES, Role
from liulin.orgs.models import Organisation
from liulin.orgs.tests.factories import OrganisationFactory
from liulin.people.tests.factories import ResidentFactory
from liulin.territory.tests.factories import BuildingFactory, HouseholdFactory
from liulin.whistle.models import Intake
from liulin.whistle.tests.factories import TicketFactory


@dataclass
class Town:
    community: object
    grid: object
    estate: object
    building: object
    household: object
    resident: object
    org: object
    ticket: object
    users: dict = field(default_factory=dict)
    intake: object = None  # a request in the intake queue, put there by the community staff
    meeting: object = None  # a held 小楼议事 with a closed poll, a 四议两公开 matter and a mediation case
    poll: object = None
    matter: object = None
    case: object = None
    vote: object = None  # a counted owners' vote of the estate, its register one unit
    activity: object = None  # a volunteering activity of a volunteer team of the community
    need: object = None  # party building: an open need and a collected wish
    wish: object = None
    resource: object = None  # venues: a court and a booking of it
    booking: object = None
    selection: object = None  # activities: a 好家风 selection
    term: object = None  # an owners' committee's term
    notice: object = None  # a draft 公示
    canteen: object = None  # the canteen and a monthly subsidy claim
    claim: object = None
    centre: object = None  # a day-care centre and an elder enrolled in it
    enrolment: object = None
    contract: object = None  # 物业监督: a service contract, its survey and an inspection
    survey: object = None
    inspection: object = None
    round: object = None  # housing: a round with an application and its lease
    application: object = None
    lease: object = None
    slot: object = None  # counselling: a counsellor's slot and a resident's appointment in it
    appointment: object = None
    proxy: object = None  # a proxy consent of that elder (people.Proxy)

    # The object a GET detail endpoint's path parameter names.
    def object_for(self, param):
        return {
            "area_id": self.community,
            "grid_id": self.grid,
            "estate_id": self.estate,
            "building_id": self.building,
            "household_id": self.household,
            "resident_id": self.resident,
            "org_id": self.org,
            "ticket_id": self.ticket,
            "intake_id": self.intake,
            "meeting_id": self.meeting,
            "poll_id": self.poll,
            "matter_id": self.matter,
            "case_id": self.case,
            "vote_id": self.vote,
            "activity_id": self.activity,
            "need_id": self.need,
            "wish_id": self.wish,
            "resource_id": self.resource,
            "booking_id": self.booking,
            "selection_id": self.selection,
            "term_id": self.term,
            "notice_id": self.notice,
            "canteen_id": self.canteen,
            "claim_id": self.claim,
            "centre_id": self.centre,
            "enrolment_id": self.enrolment,
            "contract_id": self.contract,
            "survey_id": self.survey,
            "inspection_id": self.inspection,
            "round_id": self.round,
            "application_id": self.application,
            "lease_id": self.lease,
            "slot_id": self.slot,
            "appointment_id": self.appointment,
            "proxy_id": self.proxy,
        }.get(param)


def make_town(*, with_users=False):
    building = BuildingFactory()
    household = HouseholdFactory(building=building)
    resident = ResidentFactory(household=household)
    org = OrganisationFactory(community=building.community, kind=Organisation.Kind.PROPERTY_COMPANY)
    ticket = TicketFactory(building=building, household=household)
    town = Town(building.community, building.grid, building.estate, building, household, resident, org, ticket)
    town.activity = _volunteering_activity(building.community)
    if with_users:
        for role in Role:
            if role == Role.RESIDENT:
                town.users[role] = make_user(role, resident=resident)
            elif role in GRID_ROLES:
                town.users[role] = make_user(role, town.grid)
            elif role in ORG_ROLES:
                town.users[role] = make_user(role, town.org)
            else:
                town.users[role] = make_user(role, town.community)
    filer = town.users.get(Role.COMMUNITY_STAFF) or make_user(Role.COMMUNITY_STAFF, town.community)
    town.intake = Intake.objects.create(filed_by=filer, client_request_id=f"world-{town.community.pk}", channel="api",
                                        payload={"category": "noise", "description": "夜间施工噪音"})
    _deliberation(town, filer)
    town.vote = _counted_vote(town.estate)
    _neighbourhood(town)
    _services(town, filer)
    return town


def _services(town, staff):
    """An owners' committee term, a draft notice, the canteen with a claim, a day-care centre
    with an enrolled elder, all of the town's community."""
    import datetime

    from liulin.canteen.models import Canteen, Claim
    from liulin.daycare.models import Centre, Enrolment
    from liulin.deliberation.models import CommitteeTerm
    from liulin.notices.defaults import ensure_kinds
    from liulin.notices.models import Notice, NoticeKind
    from liulin.people.models import Proxy

    community = town.community
    committee = OrganisationFactory(community=community, estate=town.estate, kind=Organisation.Kind.OWNERS_COMMITTEE)
    day = datetime.date(2026, 11, 1)
    town.term = CommitteeTerm.objects.create(committee=committee, community=community, number=1, elected_on=day,
                                             starts_on=day, ends_on=day.replace(year=2031), members=5, created_by=staff)
    ensure_kinds(NoticeKind)
    town.notice = Notice.objects.create(community=community, kind=NoticeKind.objects.get(code="dibao"), created_by=staff)
    town.canteen = Canteen.objects.create(name=f"{community.name}食堂", community=community)
    town.claim = Claim.objects.create(canteen=town.canteen, month=day, lines=0, price_total_fen=0, subsidy_total_fen=0,
                                      sha256="0" * 64, generated_by=staff)
    town.centre = Centre.objects.create(community=community, name=f"{community.name}日间照料中心")
    elder = ResidentFactory(household=town.household)
    town.enrolment = Enrolment.objects.create(centre=town.centre, elder=elder, days="01234", enrolled_by=staff)
    town.proxy = Proxy.objects.create(elder=elder, proxy_resident=ResidentFactory(household=town.household), relation="child",
                                      valid_until=day.replace(year=2028), consent_proof="授权书 1", recorded_by=staff)
    _property(town, staff, day)
    _housing(town)
    _counselling(town)


def _property(town, staff, day):
    """A service contract of the town's estate with its property company, a published survey
    and an inspection by a supervisor."""
    import datetime

    from liulin.property.models import Inspection, ServiceContract, Survey

    moment = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)
    town.contract = ServiceContract.objects.create(estate=town.estate, company=town.org, starts_on=day,
                                                   ends_on=day.replace(year=2028), fee_fen=150, created_at=moment)
    town.survey = Survey.objects.create(estate=town.estate, company=town.org, contract=town.contract, year=2026,
                                        state="published", created_by=staff, created_at=moment, published_at=moment)
    town.inspection = Inspection.objects.create(contract=town.contract, estate=town.estate, inspector=staff, at=moment)


def _housing(town):
    """A drawn housing round of the town's community, an application housed in an apartment
    and its lease."""
    import datetime

    from liulin.housing.models import Apartment, Application, Lease, Round, Tier

    moment = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)
    town.round = Round.objects.create(community=town.community, title="人才公寓", state="drawn")
    tier = Tier.objects.create(round=town.round, code="c", label="青年人才", group=0)
    apartment = Apartment.objects.create(community=town.community, number="A-101", layout="studio", area_dm2=3000,
                                         rent_fen=90000, deposit_fen=180000)
    town.application = Application.objects.create(round=town.round, applicant=town.resident, tier=tier, state="housed",
                                                  submitted_at=moment, rank=1, draw_group=0, offered_apartment=apartment)
    town.lease = Lease.objects.create(apartment=apartment, application=town.application, tenant=town.resident, state="active",
                                      starts_on=moment.date(), term_months=12, ends_on=moment.date().replace(year=2027),
                                      rent_fen=90000, deposit_fen=180000)


def _counselling(town):
    """A counsellor's slot in a room of the town's community, booked by one of its residents."""
    import datetime

    from liulin.counselling.models import Appointment, Slot

    start = datetime.datetime(2026, 11, 3, 9, tzinfo=datetime.UTC)
    counsellor = town.users.get(Role.COUNSELLOR) or make_user(Role.COUNSELLOR, town.community)
    client = make_user(Role.RESIDENT, resident=ResidentFactory(household=town.household))
    town.slot = Slot.objects.create(counsellor=counsellor, community=town.community, room=town.resource, starts_at=start,
                                    ends_at=start + datetime.timedelta(minutes=50), created_at=start)
    town.appointment = Appointment.objects.create(slot=town.slot, client=client, created_at=start)


def _neighbourhood(town):
    """A need, a wish, a booked court and a 好家风 selection of the town's community."""
    import datetime

    from liulin.activities.models import Selection
    from liulin.partybuilding.models import Need, Wish
    from liulin.territory.models import Facility
    from liulin.venues.models import Booking, Resource

    community = town.community
    town.need = Need.objects.create(community=community, title="助老陪诊", source="staff")
    town.wish = Wish.objects.create(community=community, title="轮椅", kind="goods", beneficiary_label="独居老人")
    facility = Facility.objects.create(community=community, name=f"{community.name}球场", kind="court")
    town.resource = Resource.objects.create(facility=facility, community=community, name=facility.name)
    start = datetime.datetime(2026, 11, 2, 9, tzinfo=datetime.UTC)
    booker = make_user(Role.RESIDENT, resident=ResidentFactory(household=town.household))
    town.booking = Booking.objects.create(resource=town.resource, booker=booker, starts_at=start,
                                          ends_at=start + datetime.timedelta(hours=1), purpose="打球", state="confirmed",
                                          created_at=start)
    town.selection = Selection.objects.create(community=community, title="好家风评选")


def _deliberation(town, staff):
    import datetime

    from liulin.deliberation.models import MajorMatter, MediationCase, Meeting, Poll

    start = datetime.datetime(2026, 11, 1, 9, tzinfo=datetime.UTC)
    town.meeting = Meeting.objects.create(kind="building", title="楼道灯", community=town.community, estate=town.estate,
                                          starts_at=start, ends_at=start + datetime.timedelta(hours=1), convener=staff,
                                          state="held")
    town.poll = Poll.objects.create(meeting=town.meeting, question="修灯？", state="closed", closed_at=start)
    town.matter = MajorMatter.objects.create(community=town.community, title="加装电梯", description="说明", created_by=staff,
                                             state="publicised", publicised_at=start)
    town.case = MediationCase.objects.create(community=town.community, estate=town.estate, dispute_type="neighbour",
                                             source="application", summary="漏水", mediator=staff, accepted_at=start,
                                             due_at=start + datetime.timedelta(days=30))


def _counted_vote(estate):
    import datetime

    from liulin.votes.models import Owner, State, Unit, Vote

    committee = OrganisationFactory(community=estate.community, estate=estate, kind=Organisation.Kind.OWNERS_COMMITTEE)
    owner = Owner.objects.create(estate=estate, name="业主")
    Unit.objects.create(estate=estate, label="1栋101", area_cm2=10000, owner=owner)
    moment = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)
    return Vote.objects.create(estate=estate, committee=committee, title="选聘物业服务企业", matter=4, state=State.COUNTED,
                               opens_at=moment, closes_at=moment + datetime.timedelta(days=10))
def _volunteering_activity(community):
    import datetime

    from liulin.accounts.tests.factories import UserFactory
    from liulin.volunteering.models import Activity

    team = OrganisationFactory(community=community, kind=Organisation.Kind.VOLUNTEER_TEAM)
    start = datetime.datetime(2026, 11, 1, 9, tzinfo=datetime.UTC)
    return Activity.objects.create(team=team, community=community, title="志愿活动", content="x", place="x",
                                   starts_at=start, ends_at=start + datetime.timedelta(hours=2), organiser=UserFactory())
