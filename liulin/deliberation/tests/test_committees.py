"""业主委员会: 5-11 members and odd, a term of at most five years, 备案 on day 30 / 31, the
expiry alert 3 months ahead, meetings with more than half present and no proxies, decisions
by more than half of ALL members, published within 3 days; every edge of both tables."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from liulin.accounts.tests.factories import make_user
from liulin.core import clock
from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted
from liulin.core.notifications.models import Notification
from liulin.core.roles import GRID_ROLES, ORG_ROLES, Role
from liulin.core.testing.workflow import check_every_state, workflow_cases
from liulin.deliberation import committees
from liulin.deliberation.models import CommitteeDecision, CommitteeTerm, DecisionState, TermState
from liulin.deliberation.workflow import DECISION, TERM
from liulin.orgs.models import Membership, Organisation
from liulin.orgs.tests.factories import OrganisationFactory
from liulin.people.tests.factories import ResidentFactory
from liulin.territory.tests.factories import HouseholdFactory

ELECTED = datetime.date(2026, 3, 1)


@pytest.fixture
def committee(world):
    return OrganisationFactory(community=world.community, kind=Organisation.Kind.OWNERS_COMMITTEE, estate=world.estate,
                               name="测试小区业主委员会")


def owners(world, n):
    return [ResidentFactory(household=HouseholdFactory(building=world.building), is_party_member=i % 4 != 3) for i in range(n)]


def seats_of(people):
    return [(r, "chair" if i == 0 else "member") for i, r in enumerate(people)]


def new_term(world, committee, *, members=5, number=1, elected_on=ELECTED, starts_on=None, ends_on=None, **kw):
    starts_on = starts_on or elected_on
    return committees.register_term(actor=world.staff, committee=committee, number=number, elected_on=elected_on,
                                    starts_on=starts_on, ends_on=ends_on or datetime.date(starts_on.year + 5, starts_on.month,
                                                                                         starts_on.day) - datetime.timedelta(days=1),
                                    seats=seats_of(owners(world, members)), **kw)


@pytest.mark.parametrize(("members", "ok"), [(4, False), (5, True), (6, False), (7, True), (9, True), (11, True), (12, False),
                                             (13, False)])
def test_five_to_eleven_members_and_odd(world, committee, members, ok):
    if ok:
        assert new_term(world, committee, members=members).seats.count() == members
    else:
        with pytest.raises(Invalid) as e:
            new_term(world, committee, members=members)
        assert e.value.code == "members_5_to_11_odd"
        assert not CommitteeTerm.objects.exists()


def test_the_database_refuses_an_even_committee(world, committee):
    term = new_term(world, committee)
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitteeTerm.objects.filter(pk=term.pk).update(members=6)


def test_term_at_most_five_years(world, committee):
    start = datetime.date(2026, 3, 1)
    with pytest.raises(Invalid) as e:
        new_term(world, committee, starts_on=start, ends_on=datetime.date(2031, 3, 2))
    assert e.value.code == "term_too_long"
    term = new_term(world, committee, starts_on=start, ends_on=datetime.date(2031, 3, 1))
    assert term.ends_on == datetime.date(2031, 3, 1)


def test_one_chair_and_members_of_the_estate(world, committee):
    people = owners(world, 5)
    with pytest.raises(Invalid) as e:
        committees.register_term(actor=world.staff, committee=committee, number=1, elected_on=ELECTED, starts_on=ELECTED,
                                 ends_on=datetime.date(2030, 1, 1), seats=[(r, "member") for r in people])
    assert e.value.code == "one_chair"
    from liulin.territory.tests.factories import BuildingFactory
    stranger = ResidentFactory(household=HouseholdFactory(building=BuildingFactory()))
    with pytest.raises(Invalid) as e:
        committees.register_term(actor=world.staff, committee=committee, number=1, elected_on=ELECTED, starts_on=ELECTED,
                                 ends_on=datetime.date(2030, 1, 1), seats=seats_of(people[:4] + [stranger]))
    assert e.value.code == "member_outside_estate"


def test_only_staff_register_a_term(world, committee):
    member = make_user(Role.COMMITTEE_MEMBER, committee)
    with pytest.raises(NotPermitted):
        committees.register_term(actor=member, committee=committee, number=1, elected_on=ELECTED, starts_on=ELECTED,
                                 ends_on=datetime.date(2030, 1, 1), seats=seats_of(owners(world, 5)))
    assert not CommitteeTerm.objects.exists()


def test_filing_on_day_30_is_on_time_and_day_31_late(world, committee):
    term = new_term(world, committee)
    assert committees.filing_due(term) == datetime.date(2026, 3, 31)
    assert not committees.unfiled_overdue(world.staff, today=datetime.date(2026, 3, 31)).exists()
    assert list(committees.unfiled_overdue(world.staff, today=datetime.date(2026, 4, 1))) == [term]
    committees.file_term(actor=world.staff, term=term, filed_on=datetime.date(2026, 3, 31), reference="高塘岭备 2026-01")
    assert not committees.filed_late(CommitteeTerm.objects.get(pk=term.pk))
    other = new_term(world, committee, number=2, elected_on=datetime.date(2026, 4, 1))
    committees.file_term(actor=world.staff, term=other, filed_on=datetime.date(2026, 5, 2), reference="高塘岭备 2026-02")
    assert committees.filed_late(CommitteeTerm.objects.get(pk=other.pk))


def test_filing_needs_a_reference_and_a_date_after_the_election(world, committee):
    term = new_term(world, committee)
    with pytest.raises(Invalid):
        committees.file_term(actor=world.staff, term=term, filed_on=datetime.date(2026, 3, 2), reference="  ")
    with pytest.raises(Invalid):
        committees.file_term(actor=world.staff, term=term, filed_on=datetime.date(2026, 2, 28), reference="备 1")
    assert CommitteeTerm.objects.get(pk=term.pk).state == TermState.ELECTED


def test_expiry_alert_three_months_ahead_once(world, committee):
    term = new_term(world, committee, starts_on=ELECTED, ends_on=datetime.date(2031, 2, 28))
    member = make_user(Role.COMMITTEE_MEMBER, committee)
    Membership.objects.create(org=committee, user=member, name="委员甲")
    committees.file_term(actor=world.staff, term=term, filed_on=ELECTED, reference="备 1")
    assert committees.remind_terms(today=datetime.date(2030, 11, 27)) == 0
    assert committees.remind_terms(today=datetime.date(2030, 11, 28)) == 1
    assert committees.remind_terms(today=datetime.date(2030, 11, 29)) == 0
    assert set(Notification.objects.filter(kind=committees.NOTICE_KIND).values_list("user_id", flat=True)) == {
        member.pk, world.staff.pk}


def test_unfiled_alert_after_day_30(world, committee):
    new_term(world, committee)
    assert committees.remind_terms(today=datetime.date(2026, 3, 31)) == 0
    assert committees.remind_terms(today=datetime.date(2026, 4, 1)) == 1


def held(term, **kw):
    return datetime.datetime.combine(term.starts_on + datetime.timedelta(days=10), datetime.time(10), tzinfo=datetime.UTC)


@pytest.mark.parametrize(("members", "present", "ok"), [(5, 2, False), (5, 3, True), (9, 4, False), (9, 5, True),
                                                        (11, 5, False), (11, 6, True)])
def test_more_than_half_of_all_members_present(world, committee, members, present, ok):
    term = new_term(world, committee, members=members)
    seats = list(term.seats.all())[:present]
    call = lambda: committees.hold_meeting(actor=world.staff, term=term, topic="物业费调整", held_at=held(term),  # noqa: E731
                                           present=seats)
    if ok:
        assert call().present == present
    else:
        with pytest.raises(Conflict) as e:
            call()
        assert e.value.code == "no_quorum"


@pytest.mark.parametrize(("members", "present", "in_favour", "passed"), [
    (5, 5, 2, False), (5, 3, 3, True), (9, 9, 4, False), (9, 5, 5, True), (9, 6, 4, False), (11, 11, 5, False),
    (11, 6, 6, True)])
def test_decision_needs_more_than_half_of_all_members(world, committee, members, present, in_favour, passed):
    term = new_term(world, committee, members=members)
    seats = list(term.seats.all())[:present]
    votes = {s: "for" if i < in_favour else "against" for i, s in enumerate(seats)}
    meeting = committees.hold_meeting(actor=world.staff, term=term, topic="议题", held_at=held(term), present=seats,
                                      motions=[("同意续聘物业公司", votes)])
    decision = meeting.decisions.get()
    assert (decision.in_favour, decision.state) == (in_favour, DecisionState.RECORDED if passed else DecisionState.REJECTED)
    assert decision.votes.count() == present


def test_no_proxies(world, committee):
    term = new_term(world, committee)
    seats = list(term.seats.all())
    other = new_term(world, committee, number=2, elected_on=datetime.date(2026, 4, 1)).seats.first()
    with pytest.raises(Invalid) as e:
        committees.hold_meeting(actor=world.staff, term=term, topic="议题", held_at=held(term), present=seats[:2] + [other])
    assert e.value.code == "no_proxies"
    with pytest.raises(Invalid) as e:  # an absent member's vote cast by someone present
        committees.hold_meeting(actor=world.staff, term=term, topic="议题", held_at=held(term), present=seats[:3],
                                motions=[("决定", {seats[0]: "for", seats[4]: "for"})])
    assert e.value.code == "no_proxies"
    assert not term.meetings.exists()


def test_the_database_refuses_a_minority_meeting(world, committee):
    term = new_term(world, committee)
    meeting = committees.hold_meeting(actor=world.staff, term=term, topic="议题", held_at=held(term),
                                      present=list(term.seats.all())[:3])
    with pytest.raises(IntegrityError), transaction.atomic():
        type(meeting).objects.filter(pk=meeting.pk).update(present=2)


def test_publish_within_three_days(world, committee):
    term = new_term(world, committee)
    seats = list(term.seats.all())
    meeting = committees.hold_meeting(actor=world.staff, term=term, topic="议题", held_at=held(term), present=seats,
                                      motions=[("公示维修资金使用", {s: "for" for s in seats})])
    decision = meeting.decisions.get()
    assert decision.publish_by == decision.decided_on + datetime.timedelta(days=3)
    assert not committees.unpublished_overdue(world.staff, today=decision.publish_by).exists()
    assert list(committees.unpublished_overdue(world.staff, today=decision.publish_by + datetime.timedelta(days=1))) == [decision]
    at = datetime.datetime.combine(decision.publish_by, datetime.time(9), tzinfo=clock.now().tzinfo)
    committees.publish_decision(actor=world.staff, decision=decision, now=at)
    assert not committees.published_late(CommitteeDecision.objects.get(pk=decision.pk))


def test_a_meeting_in_the_future_or_outside_the_term_is_refused(world, committee):
    term = new_term(world, committee)
    seats = list(term.seats.all())
    for at in (clock.now() + datetime.timedelta(days=1),
               datetime.datetime(2025, 1, 1, 10, tzinfo=datetime.UTC)):
        with pytest.raises(Invalid):
            committees.hold_meeting(actor=world.staff, term=term, topic="议题", held_at=at, present=seats)


def actor_for(world, committee, role):
    from liulin.deliberation.tests.factories import resident_user

    role = Role(role)
    if role == Role.RESIDENT:
        return resident_user(world.building)
    if role in GRID_ROLES:
        return make_user(role, world.building.grid)
    if role in ORG_ROLES:
        return make_user(role, committee)
    return make_user(role, world.community)


def term_in_state(world, committee, state):
    term = new_term(world, committee, number=CommitteeTerm.objects.count() + 1)
    if state == TermState.FILED:
        committees.file_term(actor=world.staff, term=term, filed_on=ELECTED, reference="备 1")
    return CommitteeTerm.objects.get(pk=term.pk)


@pytest.mark.parametrize(("action", "role"), workflow_cases(TERM, Role))
def test_term_table(world, committee, action, role):
    check_every_state(
        TERM, action, role, states=TermState, visible=lambda role, state: role in TERM.roles_of("view_term"),
        build=lambda state: term_in_state(world, committee, state),
        actor_for=lambda role, term: actor_for(world, committee, role),
        attempt=lambda user, term, action: committees.act(actor=user, term=term, action=action, filed_on=ELECTED,
                                                          reference="备 1"),
        state_of=lambda term: CommitteeTerm.objects.get(pk=term.pk).state,
        events_of=lambda term: term.events.count(),
    )


def decision_in_state(world, committee, state):
    term = new_term(world, committee, number=CommitteeTerm.objects.count() + 1)
    seats = list(term.seats.all())
    choice = "against" if state == DecisionState.REJECTED else "for"
    meeting = committees.hold_meeting(actor=world.staff, term=term, topic="议题", held_at=held(term), present=seats,
                                      motions=[("决定", {s: choice for s in seats})])
    decision = meeting.decisions.get()
    if state == DecisionState.PUBLISHED:
        committees.publish_decision(actor=world.staff, decision=decision)
    return CommitteeDecision.objects.get(pk=decision.pk)


@pytest.mark.parametrize(("action", "role"), workflow_cases(DECISION, Role))
def test_decision_table(world, committee, action, role):
    check_every_state(
        DECISION, action, role, states=DecisionState, visible=lambda role, state: role in TERM.roles_of("view_term"),
        build=lambda state: decision_in_state(world, committee, state),
        actor_for=lambda role, decision: actor_for(world, committee, role),
        attempt=lambda user, decision, action: committees.decision_act(actor=user, decision=decision, action=action),
        state_of=lambda decision: CommitteeDecision.objects.get(pk=decision.pk).state,
        events_of=lambda decision: decision.meeting.term.events.count(),
    )


def test_a_resident_sees_no_term(world, committee):
    from liulin.deliberation.tests.factories import resident_user

    term = new_term(world, committee)
    with pytest.raises(NotFound):
        committees.term_for(resident_user(world.building), term.pk)


def test_the_committee_through_the_api(world, committee):
    from django.test import Client

    staff = Client()
    staff.force_login(world.staff)
    people = owners(world, 5)
    body = {"committee_id": committee.pk, "number": 1, "elected_on": "2026-03-01", "starts_on": "2026-03-01",
            "ends_on": "2031-02-28", "seats": [{"resident_id": r.pk, "role": "chair" if i == 0 else "member"}
                                               for i, r in enumerate(people)]}
    r = staff.post("/api/v1/deliberation/committee-terms", {**body, "seats": body["seats"][:4]}, content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (400, "members_5_to_11_odd")
    r = staff.post("/api/v1/deliberation/committee-terms", body, content_type="application/json")
    assert r.status_code == 201, r.content
    term = r.json()
    assert (term["members"], term["filing_due"], term["expiry_notice_on"]) == (5, "2026-03-31", "2030-11-28")
    r = staff.post(f"/api/v1/deliberation/committee-terms/{term['id']}/filing", {"filed_on": "2026-04-01", "reference": "备 9"},
                   content_type="application/json")
    assert (r.status_code, r.json()["filed_late"]) == (200, True)
    seats = [s["id"] for s in term["seats"]]
    held_at = "2026-04-10T10:00:00+08:00"
    r = staff.post(f"/api/v1/deliberation/committee-terms/{term['id']}/meetings",
                   {"topic": "议题", "held_at": held_at, "present": seats[:2]}, content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (409, "no_quorum")
    r = staff.post(f"/api/v1/deliberation/committee-terms/{term['id']}/meetings",
                   {"topic": "续聘物业", "held_at": held_at, "present": seats[:3],
                    "motions": [{"text": "同意续聘", "votes": {str(s): "for" for s in seats[:3]}}]},
                   content_type="application/json")
    assert r.status_code == 201, r.content
    decision = r.json()["decisions"][0]
    assert (decision["in_favour"], decision["state"], decision["publish_by"]) == (3, "recorded", "2026-04-13")
    r = staff.post(f"/api/v1/deliberation/committee-decisions/{decision['id']}/publish")
    assert (r.status_code, r.json()["state"]) == (200, "published")
    r = staff.post(f"/api/v1/deliberation/committee-decisions/{decision['id']}/publish")
    assert (r.status_code, r.json()["code"]) == (409, "illegal_transition")
    resident = Client()
    from liulin.deliberation.tests.factories import resident_user

    resident.force_login(resident_user(world.building))
    assert resident.get(f"/api/v1/deliberation/committee-terms/{term['id']}").status_code == 404
