"""人民调解: every edge for every role; the one-month limit; the agreement's art. 29 fields and
every party's signature before it takes effect; the day-30 reminder; closing only once a
follow-up found it performed."""

import datetime

import pytest

from liulin.core import chain, clock
from liulin.core.errors import Conflict, Invalid
from liulin.core.roles import GRID_ROLES, ORG_ROLES, Role
from liulin.core.testing.workflow import check_every_state, workflow_cases
from liulin.deliberation import mediation
from liulin.deliberation.models import CaseEvent, CaseState, MediationCase, Performance
from liulin.deliberation.workflow import CASE

AGREEMENT = {"facts": "楼上漏水浸湿楼下天花板，双方对赔偿金额有争议。", "terms": "楼上住户修复防水并赔偿 800 元。",
             "performance_manner": "现金一次付清，防水由物业维修", "performance_deadline": datetime.date(2030, 1, 31)}


@pytest.fixture
def committee(world):
    from liulin.orgs.models import Organisation
    from liulin.orgs.tests.factories import OrganisationFactory

    return OrganisationFactory(community=world.community, kind=Organisation.Kind.OWNERS_COMMITTEE, estate=world.estate)


def new_case(world, *, at=None, source="application", **kw):
    return mediation.accept_case(actor=world.staff, community=world.community, estate=world.estate, dispute_type="neighbour",
                                 source=source, summary="楼上漏水纠纷",
                                 parties=[("applicant", "楼下住户", None), ("respondent", "楼上住户", None)], now=at, **kw)


def case_in_state(world, state):
    case = new_case(world)
    steps = {CaseState.MEDIATING: ["begin"], CaseState.AGREED: ["begin", "agree"], CaseState.SIGNED: ["begin", "agree", "sign"],
             CaseState.CLOSED: ["begin", "agree", "sign", "follow_up", "close"], CaseState.FAILED: ["fail"],
             CaseState.WITHDRAWN: ["withdraw"]}.get(state, [])
    for step in steps:
        if step == "sign":
            for party in case.parties.all():
                mediation.record_signature(actor=world.staff, case=case, party=party)
            mediation.act(actor=world.staff, case=case, action="sign_off")
        elif step == "follow_up":
            mediation.follow_up(actor=world.staff, case=case, notes="已赔偿", performance=Performance.PERFORMED)
        else:
            mediation.act(actor=world.staff, case=case, action=step, reason="当事人不再要求", agreement=AGREEMENT)
    return MediationCase.objects.get(pk=case.pk)


def actor_for(world, committee, role):
    from liulin.accounts.tests.factories import make_user
    from liulin.deliberation.tests.factories import resident_user

    role = Role(role)
    if role == Role.RESIDENT:
        return resident_user(world.building)
    if role in GRID_ROLES:
        return make_user(role, world.building.grid)
    if role in ORG_ROLES:
        return make_user(role, committee)
    return make_user(role, world.community)


def visible(role, state):
    return role in CASE.roles_of("view_case")


def prepare(world, case, action):
    """What each action needs besides the table: every signature before sign_off, a
    follow-up that found it performed before close."""
    if action == "sign_off" and case.state == CaseState.AGREED:
        for party in case.parties.all():
            mediation.record_signature(actor=world.staff, case=case, party=party)
    if action == "close" and case.state == CaseState.SIGNED:
        mediation.follow_up(actor=world.staff, case=case, notes="已赔偿", performance=Performance.PERFORMED)
    return MediationCase.objects.get(pk=case.pk)


@pytest.mark.parametrize(("action", "role"), workflow_cases(CASE, Role))
def test_case_table(world, committee, action, role):
    check_every_state(
        CASE, action, role, states=CaseState, visible=visible,
        build=lambda state: prepare(world, case_in_state(world, state), action),
        actor_for=lambda role, case: actor_for(world, committee, role),
        attempt=lambda user, case, action: mediation.act(actor=user, case=case, action=action, reason="测试",
                                                         agreement=AGREEMENT),
        state_of=lambda case: MediationCase.objects.get(pk=case.pk).state,
        events_of=lambda case: case.events.count(),
    )


def test_one_month_limit_and_overdue_list(world):
    accepted = datetime.datetime(2026, 1, 31, 10, tzinfo=datetime.UTC)
    case = new_case(world, at=accepted)
    local = accepted.astimezone(mediation.calendar.local_zone())
    assert case.due_at == datetime.datetime.combine(datetime.date(2026, 2, 28), local.time(), tzinfo=local.tzinfo)
    assert not mediation.overdue_cases(world.staff, now=case.due_at).exists()
    assert list(mediation.overdue_cases(world.staff, now=case.due_at + datetime.timedelta(seconds=1))) == [case]


def test_referral_names_its_work_order(world):
    with pytest.raises(Invalid):
        new_case(world, source="referral")
    case = mediation.accept_case(actor=world.staff, community=world.community, dispute_type="property", source="referral",
                                 work_order_number="LF2026120500001", summary="物业费纠纷",
                                 parties=[("applicant", "业主甲", None), ("respondent", "物业公司", None)])
    assert case.work_order_number == "LF2026120500001"


def test_agreement_needs_article_29_fields_and_every_signature(world):
    case = case_in_state(world, CaseState.MEDIATING)
    with pytest.raises(Invalid):
        mediation.act(actor=world.staff, case=case, action="agree", agreement={**AGREEMENT, "terms": ""})
    mediation.act(actor=world.staff, case=case, action="agree", agreement=AGREEMENT)
    first, second = case.parties.all()
    mediation.record_signature(actor=world.staff, case=case, party=first)
    with pytest.raises(Conflict) as e:
        mediation.act(actor=world.staff, case=case, action="sign_off")
    assert e.value.code == "unsigned_parties"
    with pytest.raises(Conflict):
        mediation.record_signature(actor=world.staff, case=case, party=first)
    mediation.record_signature(actor=world.staff, case=case, party=second)
    mediation.act(actor=world.staff, case=case, action="sign_off")
    assert MediationCase.objects.get(pk=case.pk).signed_on == clock.today()
    with pytest.raises(Conflict) as e:
        mediation.act(actor=world.staff, case=case, action="close")
    assert e.value.code == "not_performed"
    mediation.follow_up(actor=world.staff, case=case, notes="只赔了一半", performance=Performance.PARTLY)
    with pytest.raises(Conflict):
        mediation.act(actor=world.staff, case=case, action="close")
    mediation.follow_up(actor=world.staff, case=case, notes="已全部履行", performance=Performance.PERFORMED)
    mediation.act(actor=world.staff, case=case, action="close")
    assert chain.verify(CaseEvent, case) is None


@pytest.mark.parametrize(("days", "reminded"), [(29, 0), (30, 1)])
def test_court_confirmation_reminder_on_day_30(world, days, reminded):
    case = case_in_state(world, CaseState.SIGNED)
    assert mediation.remind_confirmations(today=case.signed_on + datetime.timedelta(days=days)) == reminded
    assert mediation.remind_confirmations(today=case.signed_on + datetime.timedelta(days=31)) == 1 - reminded


def test_residents_and_other_organisations_see_no_case(world, committee):
    from liulin.deliberation.tests.factories import resident_user

    case = new_case(world)
    assert not mediation.cases_for(resident_user(world.building)).exists()
    assert not mediation.cases_for(world.property_user).exists()
    from liulin.accounts.tests.factories import make_user

    assert list(mediation.cases_for(make_user(Role.COMMITTEE_MEMBER, committee))) == [case]


def test_pages_accept_agree_sign(world):
    from django.test import Client
    from django.urls import reverse

    staff = Client()
    staff.force_login(world.staff)
    r = staff.post(reverse("deliberation:cases"), {"dispute_type": "neighbour", "source": "initiative", "estate": world.estate.pk,
                                                    "summary": "占道堆物纠纷", "applicant": "张阿姨", "respondent": "李先生"})
    case = MediationCase.objects.get()
    assert r.status_code == 302
    staff.post(reverse("deliberation:case_act", args=[case.pk, "begin"]))
    staff.post(reverse("deliberation:case_act", args=[case.pk, "agree"]), {**AGREEMENT, "performance_deadline": "2030-01-31"})
    for party in case.parties.all():
        staff.post(reverse("deliberation:case_signature", args=[case.pk, party.pk]))
    staff.post(reverse("deliberation:case_act", args=[case.pk, "sign_off"]))
    assert MediationCase.objects.get(pk=case.pk).state == CaseState.SIGNED
    page = staff.get(reverse("deliberation:case", args=[case.pk])).content.decode()
    assert "申请司法确认截止" in page and "张阿姨" in page


def test_api_case(world):
    from django.test import Client

    staff = Client()
    staff.force_login(world.staff)
    r = staff.post("/api/v1/deliberation/mediation", {"community_id": world.community.pk, "dispute_type": "property",
                                                      "source": "referral", "work_order_number": "LF1", "summary": "物业费",
                                                      "parties": [{"role": "applicant", "name": "甲"}, {"role": "respondent", "name": "乙"}]},
                   content_type="application/json")
    assert r.status_code == 201, r.content
    case_id = r.json()["id"]
    r = staff.post(f"/api/v1/deliberation/mediation/{case_id}/actions/close", {}, content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "illegal_transition"
    other = Client()
    from .factories import resident_user

    other.force_login(resident_user(world.building))
    assert other.get(f"/api/v1/deliberation/mediation/{case_id}").status_code == 404


@pytest.mark.parametrize("state", list(CaseState))
def test_sessions_are_recorded_only_while_accepted_or_mediating(world, state):
    from liulin.deliberation.models import MediationStep

    case = case_in_state(world, state)
    before = (MediationStep.objects.filter(case=case).count(), case.events.count())
    if state in (CaseState.ACCEPTED, CaseState.MEDIATING):
        step = mediation.record_session(actor=world.staff, case=case, notes="分别听取双方意见")
        assert step.kind == MediationStep.Kind.SESSION and case.events.filter(action="session").count() == 1
        return
    with pytest.raises(Conflict) as e:
        mediation.record_session(actor=world.staff, case=case, notes="分别听取双方意见")
    assert e.value.code == "not_mediating"
    assert (MediationStep.objects.filter(case=case).count(), case.events.count()) == before


def test_only_a_mediator_records_a_session(world, committee):
    from liulin.core.errors import NotFound

    from .factories import resident_user

    case = new_case(world)
    for outsider in (resident_user(world.building), world.property_user):
        with pytest.raises(NotFound):
            mediation.record_session(actor=outsider, case=case, notes="我来调解")
    assert not case.steps.exists()


def test_signatures_wait_for_the_agreement_and_follow_ups_for_its_effect(world):
    case = case_in_state(world, CaseState.MEDIATING)
    party = case.parties.first()
    with pytest.raises(Conflict) as e:
        mediation.record_signature(actor=world.staff, case=case, party=party)
    assert e.value.code == "not_agreed"
    case = case_in_state(world, CaseState.AGREED)
    with pytest.raises(Conflict) as e:
        mediation.follow_up(actor=world.staff, case=case, notes="回访", performance=Performance.PERFORMED)
    assert e.value.code == "not_signed"
    with pytest.raises(Invalid):
        mediation.follow_up(actor=world.staff, case=case_in_state(world, CaseState.SIGNED), notes="回访",
                            performance=Performance.PENDING)
    assert not case.parties.filter(signed_at__isnull=False).exists()


def test_the_one_month_limit_shows_on_the_pages_as_overdue(world, time_machine):
    from django.test import Client
    from django.urls import reverse

    time_machine.move_to(datetime.datetime(2026, 1, 31, 10, tzinfo=datetime.UTC), tick=False)
    late = new_case(world)
    finished = case_in_state(world, CaseState.CLOSED)
    staff = Client()
    staff.force_login(world.staff)
    page = staff.get(reverse("deliberation:case", args=[late.pk])).content.decode()
    assert "2026-02-28" in page and "已超期" not in page
    time_machine.move_to(late.due_at + datetime.timedelta(minutes=1), tick=False)
    staff.force_login(world.staff)  # a month later the first session has expired
    page = staff.get(reverse("deliberation:case", args=[late.pk])).content.decode()
    assert "已超期" in page
    assert "已超期" not in staff.get(reverse("deliberation:case", args=[finished.pk])).content.decode()
    listing = staff.get(reverse("deliberation:cases")).content.decode()
    assert listing.count("已超期") == 1


def test_api_sessions_signatures_and_follow_ups(world):
    from django.test import Client

    staff = Client()
    staff.force_login(world.staff)
    case = new_case(world)
    base = f"/api/v1/deliberation/mediation/{case.pk}"
    assert staff.post(f"{base}/sessions", {"notes": "听取意见"}, content_type="application/json").status_code == 201
    party = case.parties.first()
    r = staff.post(f"{base}/parties/{party.pk}/signature", {}, content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "not_agreed"
    r = staff.post(f"{base}/follow-ups", {"notes": "回访", "performance": "performed"}, content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "not_signed"
    detail = staff.get(base).json()
    assert detail["state"] == "accepted" and len(detail["steps"]) == 1
