"""Walk every registered URL pattern as every role and make sure none shows an object from a
scope the role does not hold.

Two communities are built; every private record in the other community (and, for narrower
roles, in the other grid or household) carries a sentinel: residents' names, rooms,
members' names, requests' text and contact names. Place and unit names are public (the
transparency page shows them) and carry none. Each GET route is
requested with every id of those objects substituted into its parameters; a response may
be a 404, 403 or a redirect, but a page or JSON that contains a sentinel is a leak.
"""

import datetime
import re

import pytest
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver

from liulin.accounts.tests.factories import make_user
from liulin.core.roles import GRID_ROLES, ORG_ROLES, Role
from liulin.orgs.models import Membership, Organisation
from liulin.people.tests.factories import ResidentFactory
from liulin.territory.tests.factories import BuildingFactory, CommunityFactory, GridFactory, HouseholdFactory

OTHER_COMMUNITY = "乙社区哨兵"
OTHER_GRID = "二网格哨兵"
OTHER_HOUSEHOLD = "邻户哨兵"
SKIPPED_PREFIXES = ("admin/", "static/", "i18n/", "accounts/logout", "api/v1/docs", "api/v1/openapi.json")
PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def walk(patterns, prefix=""):
    for entry in patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            yield prefix + route


def routes():
    seen = []
    for route in walk(get_resolver().url_patterns):
        route = route.lstrip("^").rstrip("$").replace("\\Z", "")
        if route.startswith(SKIPPED_PREFIXES) or route in seen:
            continue
        seen.append(route)
    return seen


def fill(route, value):
    return "/" + PARAM.sub(str(value), route)


def _login_of(resident):
    """The resident's one account (a resident has at most one), made when first needed."""
    from liulin.accounts.models import User

    return User.objects.filter(resident=resident).first() or make_user(Role.RESIDENT, resident=resident)


def _ticket_for(grid, text, requester_user=None, org=None):
    from liulin.whistle.models import Category, SlaPolicy, Ticket

    policy, _ = SlaPolicy.objects.get_or_create(
        code="scoping-walk", defaults={"name": "测试", "accept_minutes": 120, "resolve_minutes": 600}
    )
    category, _ = Category.objects.get_or_create(code="scoping-walk", defaults={"name": "测试类别"})
    return Ticket.objects.create(
        number=f"T{Ticket.objects.count() + 1:06d}",
        channel="hotline",
        category=category,
        description=text,
        contact_name=text,
        grid=grid,
        community=grid.community,
        policy=policy,
        requester_user=requester_user,
        handling_org=org,
        state="dispatched" if org else "submitted",
        dispatched_at=datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC) if org else None,
    )


def _party_building_for(community, resident):
    """A partner unit of `community` with a registered member (a resident there) and his
    logged service, whose name and words are sentinels; the public lists show neither."""
    from liulin.partybuilding.models import Partnership, Registration, ServiceRecord

    unit = Organisation.objects.create(name="乙共建单位", kind="partner_unit", community=community)
    partnership = Partnership.objects.create(org=unit, community=community, scope="共建", liaison="联络人",
                                             starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 12, 31),
                                             receipt_no="GJ-scoping-walk")
    user = _login_of(resident)
    registration = Registration.objects.create(user=user, name=f"{OTHER_COMMUNITY}党员", community=community, org=unit,
                                               posts=["care"], state="confirmed")
    service = ServiceRecord.objects.create(registration=registration, community=community, org=unit, category="care",
                                           served_on=datetime.date(2026, 3, 1), minutes=60, description=f"{OTHER_COMMUNITY}服务",
                                           beneficiary=resident)
    return [unit, partnership, registration, service]


def _meeting_for(community, building, resident, text):
    """A held meeting with its sign-in, poll, decision and action item, every text a sentinel."""
    from liulin.deliberation.models import ActionItem, Attendance, Decision, Meeting, Poll, PollOption

    convener = make_user(Role.COMMUNITY_STAFF, community)
    start = datetime.datetime(2026, 11, 1, 9, tzinfo=datetime.UTC)
    meeting = Meeting.objects.create(kind="building", title=text, community=community, estate=building.estate, building=building,
                                     starts_at=start, ends_at=start + datetime.timedelta(hours=1), convener=convener,
                                     state="held", minutes=text, chair=text)
    attendance = Attendance.objects.create(meeting=meeting, resident=resident, name=text, via="staff")
    poll = Poll.objects.create(meeting=meeting, question=text, state="closed", closed_at=start)
    PollOption.objects.create(poll=poll, position=1, label=text)
    decision = Decision.objects.create(meeting=meeting, text=text, voters_present=1, decided_by=convener)
    item = ActionItem.objects.create(decision=decision, meeting=meeting, title=text, owner=convener, acceptance=text,
                                     due_date=start.date(), review_date=start.date())
    from liulin.deliberation.models import MajorMatter

    matter = MajorMatter.objects.create(community=community, title=text, description=text, created_by=convener,
                                        state="publicised", publicised_at=start)
    from liulin.deliberation.models import MediationCase, MediationParty

    case = MediationCase.objects.create(community=community, estate=building.estate, dispute_type="neighbour", source="application",
                                        summary=text, mediator=convener, accepted_at=start, due_at=start + datetime.timedelta(days=30))
    party = MediationParty.objects.create(case=case, role="applicant", name=text, resident=resident)
    from liulin.deliberation.models import CommitteeDecision, CommitteeMeeting, CommitteeSeat, CommitteeTerm

    committee = Organisation.objects.create(name=f"业委会{community.pk}", kind="owners_committee", community=community,
                                            estate=building.estate)
    term = CommitteeTerm.objects.create(committee=committee, community=community, number=1, elected_on=start.date(),
                                        starts_on=start.date(), ends_on=start.date() + datetime.timedelta(days=365), members=5,
                                        created_by=convener)
    seat = CommitteeSeat.objects.create(term=term, resident=resident, name=text, role="chair")
    committee_meeting = CommitteeMeeting.objects.create(term=term, held_at=start, topic=text, members=5, present=3,
                                                        recorded_by=convener)
    committee_decision = CommitteeDecision.objects.create(
        meeting=committee_meeting, text=text, members=5, in_favour=3, against=0, abstain=0, state="recorded",
        decided_on=start.date(), publish_by=start.date() + datetime.timedelta(days=3))
    return [meeting, attendance, poll, decision, item, matter, case, party, term, seat, committee_meeting,
            committee_decision]


def _notices_for(community, household, text):
    """A draft notice of `community` whose text is a sentinel, and a published one (its title
    public by design) with an objection and a household's receipt carrying the sentinel."""
    from liulin.notices.defaults import ensure_kinds
    from liulin.notices.models import Notice, NoticeKind, NoticeVersion, Objection, Receipt

    ensure_kinds(NoticeKind)
    staff = make_user(Role.COMMUNITY_STAFF, community)
    kind = NoticeKind.objects.get(code="dibao")
    start = datetime.datetime(2026, 11, 1, 9, tzinfo=datetime.UTC)
    hidden = Notice.objects.create(community=community, kind=kind, created_by=staff)
    NoticeVersion.objects.create(notice=hidden, number=1, title=text, body=text, created_by=staff)
    public = Notice.objects.create(community=community, kind=kind, created_by=staff, state="published", published_at=start,
                                   ends_at=start + datetime.timedelta(days=7), last_day=start.date())
    NoticeVersion.objects.create(notice=public, number=1, title="乙公示", body="乙社区公示内容", created_by=staff)
    objection = Objection.objects.create(notice=public, raised_by=staff, text=text, raised_at=start,
                                         answer_due=start + datetime.timedelta(days=3))
    Receipt.objects.create(notice=public, household=household, channel="in_app", delivered_at=start)
    return [hidden, public, objection]


def _property_for(estate, company, resident, text):
    """A service contract of the other estate, its survey with a household's answer and a
    supervisor's inspection, the private text (comment, notes) carrying the sentinel."""
    from liulin.property.models import (
        Inspection,
        InspectionItem,
        Response,
        ScopeItem,
        ServiceContract,
        Supervisor,
        Survey,
    )

    staff = make_user(Role.COMMUNITY_STAFF, estate.community)
    start = datetime.datetime(2026, 11, 1, 9, tzinfo=datetime.UTC)
    contract = ServiceContract.objects.create(estate=estate, company=company, starts_on=datetime.date(2026, 1, 1),
                                              ends_on=datetime.date(2027, 12, 31), fee_fen=150, created_at=start)
    item = ScopeItem.objects.create(contract=contract, name="保洁")
    survey = Survey.objects.create(estate=estate, company=company, contract=contract, year=2026, state="open",
                                   created_by=staff, created_at=start)
    response = Response.objects.create(survey=survey, household=resident.household, answered_at=start, comment=text)
    supervisor_user = _login_of(resident)
    supervisor = Supervisor.objects.create(estate=estate, user=supervisor_user, appointed_at=start)
    inspection = Inspection.objects.create(contract=contract, estate=estate, inspector=supervisor_user, at=start, notes=text)
    line = InspectionItem.objects.create(inspection=inspection, scope_item=item, passed=False, note=text)
    return [contract, survey, response, supervisor, inspection, line]


def _booking_for(community, user, purpose):
    """A venue of `community` and a booking of it whose purpose is a sentinel."""
    from liulin.territory.models import Facility
    from liulin.venues.models import Booking, Resource

    facility = Facility.objects.create(community=community, name=f"{community.name}球场", kind="court")
    venue = Resource.objects.create(facility=facility, community=community, name=facility.name)
    start = datetime.datetime(2026, 11, 2, 9, tzinfo=datetime.UTC)
    booking = Booking.objects.create(resource=venue, booker=user, starts_at=start, ends_at=start + datetime.timedelta(hours=1),
                                     purpose=purpose, state="confirmed", created_at=start)
    return venue, booking


def _activities_for(there, outsider, neighbour, here):
    """An event of the other community with the outsider enrolled and checked in, and one here
    with the neighbour enrolled: their rosters, codes and attendance must stay in scope."""
    from liulin.activities.models import Activity, Attendance, Enrolment

    start = datetime.datetime(2026, 12, 1, 9, tzinfo=datetime.UTC)
    made = []
    for community, person in ((there, outsider), (here, neighbour)):
        activity = Activity.objects.create(community=community, kind="event", title=f"{OTHER_COMMUNITY}活动" if community == there else "甲活动",
                                           starts_at=start, ends_at=start, capacity=5, taken=1, state="open")
        enrolment = Enrolment.objects.create(activity=activity, resident=person, state="confirmed", ticket=1)
        attendance = Attendance.objects.create(enrolment=enrolment, on=start.date(), by=make_user(Role.COMMUNITY_STAFF, community),
                                               method="roll", adult_in=f"{OTHER_COMMUNITY}接送人")
        made += [activity, enrolment, attendance] if community == there else [enrolment, attendance]
    from liulin.activities.models import Nomination, Selection

    selection = Selection.objects.create(community=there, title="乙评比", state="voting")
    nomination = Nomination.objects.create(selection=selection, household=outsider.household, family_name=f"{OTHER_COMMUNITY}家",
                                           story=f"{OTHER_COMMUNITY}故事", nominated_by=_login_of(outsider),
                                           state="accepted")
    return [*made, selection, nomination]


def _counselling_for(there, room, outsider):
    """A counsellor's slot in a room of the other community and the outsider's appointment in it."""
    from liulin.counselling.models import Appointment, Slot

    start = datetime.datetime(2026, 11, 3, 9, tzinfo=datetime.UTC)
    counsellor = make_user(Role.COUNSELLOR, there, name=f"{OTHER_COMMUNITY}咨询师")
    client = _login_of(outsider)
    client.name = f"{OTHER_COMMUNITY}来访者"
    client.save(update_fields=["name"])
    slot = Slot.objects.create(counsellor=counsellor, community=there, room=room, starts_at=start,
                               ends_at=start + datetime.timedelta(minutes=50), created_at=start)
    return [slot, Appointment.objects.create(slot=slot, client=client, created_at=start)]


def _canteen_for(there, outsider):
    """A canteen of the other community, a subsidised order of the outsider and its claim."""
    from liulin.canteen.models import Canteen, Claim, MealPeriod, Order

    canteen = Canteen.objects.create(name="乙食堂", community=there)
    lunch = MealPeriod.objects.create(canteen=canteen, code="lunch", name="午餐", starts=datetime.time(11), ends=datetime.time(13),
                                      order_cutoff=datetime.time(9))
    staff = make_user(Role.COMMUNITY_STAFF, there)
    order = Order.objects.create(canteen=canteen, period=lunch, day=datetime.date(2026, 11, 2), resident=outsider, group="other",
                                 channel="counter", identified_by="staff_search", ordered_by=staff, price_fen=1500, paid_fen=1500,
                                 age=50, delivery=True)
    claim = Claim.objects.create(canteen=canteen, month=datetime.date(2026, 11, 1), lines=0, price_total_fen=0,
                                 subsidy_total_fen=0, sha256="0" * 64, generated_by=staff)
    return [canteen, order, claim]


def _housing_for(there, outsider):
    """A drawn housing round of the other community, one of its rules a sentinel; the
    outsider's application (its reason a sentinel), his lease, an invoice, an inspection whose
    defect and notes are sentinels, and his renewal request (its answers and reason too)."""
    from liulin.housing.models import (
        Apartment,
        Application,
        Defect,
        Draw,
        Inspection,
        Invoice,
        Lease,
        RenewalRequest,
        Round,
        Rule,
        Tier,
    )

    moment = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)
    round_ = Round.objects.create(community=there, title="乙人才公寓", state="drawn")
    tier = Tier.objects.create(round=round_, code="c", label="青年人才", group=0)
    apartment = Apartment.objects.create(community=there, number="乙-101", layout="studio", area_dm2=3000, rent_fen=90000,
                                         deposit_fen=180000)
    application = Application.objects.create(round=round_, applicant=outsider, tier=tier, state="housed", submitted_at=moment,
                                             rank=1, draw_group=0, offered_apartment=apartment, reason=f"{OTHER_COMMUNITY}原因",
                                             answers={"note": OTHER_COMMUNITY})
    Draw.objects.create(round=round_, public_value="1 2 3", list_hash="0" * 64, seed="0" * 64, algorithm="x",
                        ranks=[[application.pk, outsider.pk, 0]], drawn_at=moment)
    lease = Lease.objects.create(apartment=apartment, application=application, tenant=outsider, state="active",
                                 starts_on=moment.date(), term_months=12, ends_on=moment.date().replace(year=2027), rent_fen=90000,
                                 deposit_fen=180000, reason=f"{OTHER_COMMUNITY}合同")
    invoice = Invoice.objects.create(lease=lease, month=datetime.date(2026, 11, 1), amount_fen=90000)
    inspection = Inspection.objects.create(lease=lease, kind="move_in", at=moment, notes=f"{OTHER_COMMUNITY}验房")
    defect = Defect.objects.create(inspection=inspection, description=f"{OTHER_COMMUNITY}问题")
    rule = Rule.objects.create(round=round_, key="note", label=f"{OTHER_COMMUNITY}条件", kind="yes")
    renewal = RenewalRequest.objects.create(lease=lease, answers={"note": OTHER_COMMUNITY}, term_months=12, requested_at=moment,
                                            reason=f"{OTHER_COMMUNITY}续租")
    return [round_, apartment, application, lease, invoice, inspection, defect, rule, renewal]


@pytest.fixture
def world(db):
    here = CommunityFactory(name="甲社区")
    there = CommunityFactory(name="乙社区")
    grid1 = GridFactory(community=here, name="一网格")
    grid2 = GridFactory(community=here, name="二网格")
    grid_there = GridFactory(community=there, name="乙网格")

    me = ResidentFactory(name="本户居民", household=HouseholdFactory(building=BuildingFactory(grid=grid1)))
    neighbour = ResidentFactory(name=f"{OTHER_HOUSEHOLD}人", household=HouseholdFactory(building=me.household.building))
    in_grid2 = ResidentFactory(name=f"{OTHER_GRID}人", household=HouseholdFactory(building=BuildingFactory(grid=grid2)))
    there_building = BuildingFactory(grid=grid_there, name="乙楼", estate__name="乙小区")
    outsider = ResidentFactory(name=f"{OTHER_COMMUNITY}人", household=HouseholdFactory(building=there_building, room=OTHER_COMMUNITY))

    org_here = Organisation.objects.create(name="甲物业", kind="property_company", community=here)
    org_there = Organisation.objects.create(name="乙物业", kind="property_company", community=there)
    Membership.objects.create(org=org_there, resident=outsider, name=f"{OTHER_COMMUNITY}成员")

    resident_user = make_user(Role.RESIDENT, resident=me)
    tickets = [
        _ticket_for(grid1, "本户诉求", requester_user=resident_user, org=org_here),
        _ticket_for(grid1, f"{OTHER_HOUSEHOLD}诉求"),
        _ticket_for(grid2, f"{OTHER_GRID}诉求"),
        _ticket_for(grid_there, f"{OTHER_COMMUNITY}诉求", org=org_there),
    ]
    party_there = _party_building_for(there, outsider)
    meeting_there = _meeting_for(there, there_building, outsider, f"{OTHER_COMMUNITY}议事")
    venue_there, booking_there = _booking_for(there, _login_of(outsider), f"{OTHER_COMMUNITY}预约")
    foreign_ids = {
        obj.pk
        for obj in [neighbour, in_grid2, outsider, outsider.household, there_building, there_building.estate,
                    grid_there, grid2, there, org_there, *tickets[1:], *party_there, *meeting_there,
                    *_volunteering_in(there, outsider), venue_there, booking_there,
                    *_activities_for(there, outsider, neighbour, here), *_canteen_for(there, outsider),
                    *_housing_for(there, outsider)]
    }
    foreign_ids.add(_vote_for(there_building.estate, f"{OTHER_COMMUNITY}表决").pk)
    foreign_ids.update(obj.pk for obj in _counselling_for(there, venue_there, outsider))
    foreign_ids.update(obj.pk for obj in _notices_for(there, outsider.household, f"{OTHER_COMMUNITY}公示"))
    foreign_ids.update(obj.pk for obj in _property_for(there_building.estate, org_there, outsider, f"{OTHER_COMMUNITY}物业"))
    return {
        "here": here, "grid1": grid1, "org_here": org_here, "resident_user": resident_user,
        "foreign_ids": sorted(foreign_ids),
    }


def _volunteering_in(community, resident):
    """A volunteer of the other community, with a team, an activity, a confirmed record, a
    certificate and a redemption, each carrying the sentinel."""
    from liulin.volunteering.models import (
        Activity,
        Certificate,
        Good,
        Post,
        ServiceRecord,
        SignUp,
        TeamMember,
        Volunteer,
    )

    team = Organisation.objects.create(name="乙志愿队", kind="volunteer_team", community=community)
    leader = make_user(Role.VOLUNTEER_LEADER, team)
    volunteer = Volunteer.objects.create(resident=resident, name=f"{OTHER_COMMUNITY}志愿者", community=community)
    member = TeamMember.objects.create(team=team, volunteer=volunteer, state="active")
    start = datetime.datetime(2026, 11, 1, 9, tzinfo=datetime.UTC)
    activity = Activity.objects.create(team=team, community=community, title=f"{OTHER_COMMUNITY}活动", content="x",
                                       place="乙", starts_at=start, ends_at=start + datetime.timedelta(hours=2),
                                       organiser=leader)
    post = Post.objects.create(activity=activity, name="岗位", capacity=5, taken=1)
    signup = SignUp.objects.create(activity=activity, post=post, volunteer=volunteer)
    record = ServiceRecord.objects.create(volunteer=volunteer, activity=activity, team=team, community=community,
                                          served_on=start.date(), content=f"{OTHER_COMMUNITY}服务", place="乙", minutes=60,
                                          cap_minutes=120, source="attendance", state="confirmed", recorded_by=leader)
    certificate = Certificate.objects.create(community=community, volunteer=volunteer, number="1", code="c",
                                             masked_name=f"{OTHER_COMMUNITY}证明", minutes=60, content="x",
                                             period_from=start.date(), period_to=start.date(), issuer="乙",
                                             issued_by=leader)
    good = Good.objects.create(community=community, name=f"{OTHER_COMMUNITY}物品", price_points=5)
    return [team, volunteer, member, activity, post, signup, record, certificate, good]


def user_for(role, world):
    if role == Role.RESIDENT:
        return world["resident_user"], [OTHER_COMMUNITY, OTHER_GRID, OTHER_HOUSEHOLD]
    if role in GRID_ROLES:
        return make_user(role, world["grid1"]), [OTHER_COMMUNITY, OTHER_GRID]
    if role in ORG_ROLES:
        return make_user(role, world["org_here"]), [OTHER_COMMUNITY, OTHER_GRID, OTHER_HOUSEHOLD]
    return make_user(role, world["here"]), [OTHER_COMMUNITY]


def body_of(response):
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode("utf-8", errors="replace")


def _vote_for(estate, title):
    """A counted owners' vote of `estate`, its title (and its owner's name) the sentinel."""
    from liulin.votes.models import Owner, State, Unit, Vote

    committee = Organisation.objects.create(name=f"{estate.name}业委会", kind="owners_committee", community=estate.community,
                                            estate=estate)
    owner = Owner.objects.create(estate=estate, name=title)
    Unit.objects.create(estate=estate, label=title, area_cm2=10000, owner=owner)
    moment = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)
    return Vote.objects.create(estate=estate, committee=committee, title=title, matter=4, state=State.COUNTED,
                               opens_at=moment, closes_at=moment + datetime.timedelta(days=10))


# Scope is the same queries on both databases, and every role walks on SQLite. On PostgreSQL,
# where a broad role's walk takes minutes, the roles scoped by area (staff) and by person
# (resident) walk.
POSTGRES_ROLES = {Role.COMMUNITY_STAFF, Role.RESIDENT}


@pytest.mark.parametrize("role", [
    pytest.param(role, marks=pytest.mark.skipif(connection.vendor != "sqlite" and role not in POSTGRES_ROLES,
                                           reason="walked on SQLite"))
    for role in Role])
def test_no_route_leaks_another_scope(client, world, role):
    user, forbidden = user_for(role, world)
    client.force_login(user)
    leaks, checked = [], 0
    for route in routes():
        values = world["foreign_ids"] if PARAM.search(route) else [None]
        for value in values:
            url = fill(route, value) if value is not None else "/" + route
            response = client.get(url)
            checked += 1
            if response.status_code != 200 or response.get("Content-Type", "").startswith("image/"):
                continue
            body = body_of(response)
            leaks += [(url, marker) for marker in forbidden if marker in body]
    assert checked > 10
    assert not leaks, f"{role.label} saw objects outside its scope: {leaks[:10]}"
