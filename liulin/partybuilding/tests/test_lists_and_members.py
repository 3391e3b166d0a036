import datetime

import pytest

from liulin.accounts.tests.factories import make_user
from liulin.core import chain, service_hours
from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted
from liulin.core.notifications.models import Notification
from liulin.core.roles import Role
from liulin.partybuilding import selectors, services
from liulin.partybuilding.models import (
    Category,
    LinkKind,
    Need,
    NeedEvent,
    Partnership,
    Project,
    ProjectEvent,
    Registration,
    ServiceRecord,
)
from liulin.territory.tests.factories import CommunityFactory

from .factories import DAY, member, partner_unit, photo

pytestmark = pytest.mark.django_db


def test_a_unit_reports_in_once_with_a_receipt(world):
    partnership = Partnership.objects.get(org=world.org, community=world.community)
    assert partnership.receipt_no.startswith("GJ")
    with pytest.raises(Conflict) as e:
        services.report_in(actor=world.staff, org=world.org, community=world.community, scope="x", liaison="y", starts_on=DAY,
                           ends_on=DAY)
    assert e.value.code == "already_reported"
    with pytest.raises(Invalid):
        services.report_in(actor=world.staff, org=partner_unit(CommunityFactory()), community=world.community, scope="x",
                           liaison="y", starts_on=DAY, ends_on=DAY - datetime.timedelta(days=1))


def test_five_link_kinds_are_data_and_activities_carry_photos(world):
    assert list(LinkKind.objects.values_list("name", flat=True)) == ["组织联建", "活动联办", "人才联育", "资源联用", "难题联解"]
    partnership = world.org.partnerships.get()
    activity = services.record_activity(actor=world.contact, partnership=partnership, kind=LinkKind.objects.get(code="activity"),
                                        title="义诊进社区", held_on=DAY, participants=12, photos=[photo()])
    assert activity in selectors.activities_for(world.contact)
    assert activity not in selectors.activities_for(world.other_contact)
    with pytest.raises(NotFound):
        services.record_activity(actor=world.beneficiary, partnership=partnership, kind=activity.kind, title="x", held_on=DAY)


def test_a_need_from_a_work_order_keeps_the_link_once(world):
    from liulin.whistle.tests.factories import ticket_in_state

    ticket = ticket_in_state("submitted")
    staff = make_user(Role.COMMUNITY_STAFF, ticket.community)
    need = services.raise_need_from_ticket(actor=staff, ticket=ticket)
    assert (need.source, need.source_ticket_id, need.community_id) == (Need.Source.TICKET, ticket.pk, ticket.community_id)
    with pytest.raises(Conflict):
        services.raise_need_from_ticket(actor=staff, ticket=ticket)
    with pytest.raises(NotFound):
        services.raise_need_from_ticket(actor=world.staff, ticket=ticket)  # another community's order


def test_needs_raised_by_role_record_their_source(world):
    by_resident = services.raise_need(actor=world.beneficiary, community=world.community, title="想学用智能手机")
    assert by_resident.source == Need.Source.RESIDENT
    assert world.need().source == Need.Source.GRID
    with pytest.raises(NotPermitted):
        services.raise_need(actor=world.contact, community=CommunityFactory(), title="x")
    assert not Need.objects.filter(title="x").exists()


def test_claimed_need_becomes_the_units_project_and_is_met_on_confirmation(world):
    need = world.need()
    project = services.claim_need(actor=world.contact, need=need, owner_name="王书记", plan="周六上门")
    assert (project.org, project.origin, Need.objects.get(pk=need.pk).state) == (world.org, "claimed", Need.State.MATCHED)
    services.project_step(actor=world.contact, project=project, action="project_start")
    services.project_step(actor=world.contact, project=project, action="project_deliver", reason="灯已换好")
    with pytest.raises(NotPermitted) as e:
        staff_contact = world.contact
        services.project_step(actor=staff_contact, project=project, action="project_confirm")
    services.project_step(actor=world.beneficiary, project=project, action="project_confirm")
    assert Need.objects.get(pk=need.pk).state == Need.State.MET
    assert chain.verify(ProjectEvent, project) is None and chain.verify(NeedEvent, need) is None
    assert e.value.code in ("forbidden", "duties_separated")


def test_the_one_who_delivers_never_confirms(world):
    need = world.need()
    project = services.assign_resource(
        actor=world.staff, need=need, owner_name="李医生",
        resource=services.offer_resource(actor=world.staff, org=world.org, community=world.community, kind="skill", title="义诊"))
    services.project_step(actor=world.staff, project=project, action="project_start")
    services.project_step(actor=world.staff, project=project, action="project_deliver", reason="完成")
    with pytest.raises(NotPermitted) as e:
        services.project_step(actor=world.staff, project=project, action="project_confirm")
    assert e.value.code == "duties_separated"
    assert Project.objects.get(pk=project.pk).state == Project.State.DELIVERED


def test_cancelling_a_project_reopens_the_need_and_frees_the_resource(world):
    resource = services.offer_resource(actor=None, org=world.org, community=world.community, kind="venue", title="会议室")
    need = world.need()
    project = services.assign_resource(actor=world.staff, need=need, resource=resource, owner_name="李")
    resource.refresh_from_db()
    assert resource.used == 1
    services.project_step(actor=world.staff, project=project, action="project_cancel", reason="场地维修")
    resource.refresh_from_db()
    assert (resource.used, Need.objects.get(pk=need.pk).state) == (0, Need.State.OPEN)
    again = services.claim_need(actor=world.other_contact, need=need, owner_name="张")
    assert again.org == world.other_org


def test_a_member_registers_once_and_his_unit_is_told(world):
    user, registration = member(world.grid, world.org, confirmed=False)
    assert Notification.objects.filter(user=world.contact, kind="partybuilding.registration").exists()
    with pytest.raises(Conflict):
        services.register_member(actor=user, org=world.org, posts=[Category.PATROL])
    with pytest.raises(NotFound):
        services.registration_step(actor=world.other_contact, registration=registration, action="registration_confirm")
    services.registration_step(actor=world.contact, registration=registration, action="registration_confirm")
    assert Registration.objects.get(pk=registration.pk).state == Registration.State.CONFIRMED
    with pytest.raises(Invalid):
        services.register_member(actor=make_user(Role.RESIDENT), org=world.org, posts=[Category.CARE])


def test_partner_contact_sees_his_units_members_and_records_only(world):
    other_user, other_registration = member(world.grid, world.other_org)
    services.log_service(actor=other_user, registration=other_registration, category=Category.PATROL, served_on=DAY, minutes=60,
                         description="夜间巡逻")
    mine = services.log_service(actor=world.member, registration=world.registration, category=Category.CARE, served_on=DAY,
                                minutes=30, description="探访")
    assert list(selectors.registrations_for(world.contact)) == [world.registration]
    assert list(selectors.services_for(world.contact)) == [mine]
    with pytest.raises(NotFound):
        selectors.registration_for(world.contact, other_registration.pk)
    assert set(selectors.registrations_for(world.staff)) == {world.registration, other_registration}


def test_service_confirmed_by_the_beneficiary_reports_the_hours(world, django_capture_on_commit_callbacks):
    heard = []
    service_hours.register_recorder(heard.append, kind=service_hours.PersonService)
    try:
        record = services.log_service(actor=world.member, registration=world.registration, category=Category.CARE, served_on=DAY,
                                      minutes=90, description="修轮椅", beneficiary=world.beneficiary.resident, photos=[photo()])
        with pytest.raises(NotPermitted):
            services.service_step(actor=world.member, record=record, action="service_confirm")
        with django_capture_on_commit_callbacks(execute=True):
            services.service_step(actor=world.beneficiary, record=record, action="service_confirm")
    finally:
        service_hours.unregister_recorder(heard.append, kind=service_hours.PersonService)
    assert [(p.origin, p.minutes, p.user_id) for p in heard] == [(f"partybuilding.service:{record.pk}", 90, world.member.pk)]
    assert ServiceRecord.objects.get(pk=record.pk).confirmed_by == world.beneficiary


def test_service_rules(world):
    def log(**overrides):
        fields = {"actor": world.member, "registration": world.registration, "category": Category.CARE, "served_on": DAY,
                  "minutes": 60, "description": "探访"}
        return services.log_service(**{**fields, **overrides})

    for overrides, code in [({"minutes": 0}, "invalid_minutes"), ({"minutes": 1441}, "invalid_minutes"),
                            ({"category": "nap"}, "invalid_category"), ({"served_on": datetime.date(2999, 1, 1)}, "future_date"),
                            ({"served_on": "1800-01-01"}, "out_of_range"), ({"description": "a\x00b"}, "invalid_character")]:
        with pytest.raises(Invalid) as e:
            log(**overrides)
        assert e.value.code == code, overrides
    with pytest.raises(NotPermitted):
        log(actor=world.grid_worker)
    assert not ServiceRecord.objects.exists()


def test_quarterly_report_and_evaluation(world):
    record = services.log_service(actor=world.member, registration=world.registration, category=Category.CARE, served_on=DAY,
                                  minutes=120, description="陪诊", beneficiary=world.beneficiary.resident)
    services.service_step(actor=world.grid_worker, record=record, action="service_confirm")
    services.evaluate_member(actor=world.staff, registration=world.registration, year=2026, grade="excellent")
    with pytest.raises(Conflict):
        services.evaluate_member(actor=world.staff, registration=world.registration, year=2026, grade="good")
    report = selectors.member_quarter(world.registration, 2026, 1)
    assert (report["minutes"], report["hours"], report["evaluation"].grade) == (120, 2.0, "excellent")
    assert selectors.member_quarter(world.registration, 2026, 2)["minutes"] == 0
    assert services.send_quarterly_reports(actor=world.contact, org=world.org, year=2026, quarter=1) == 1
    notice = Notification.objects.get(user=world.contact, kind="partybuilding.report")
    assert notice.url.endswith(f"/{world.registration.pk}/2026/1/pdf/")


def test_figures_are_counted_from_rows(world):
    need = world.need()
    world.need()
    project = services.claim_need(actor=world.contact, need=need, owner_name="王")
    services.project_step(actor=world.contact, project=project, action="project_start")
    services.project_step(actor=world.contact, project=project, action="project_deliver", reason="好")
    services.project_step(actor=world.grid_worker, project=project, action="project_confirm")
    record = services.log_service(actor=world.member, registration=world.registration, category=Category.CARE, served_on=DAY,
                                  minutes=90, description="陪诊", beneficiary=world.beneficiary.resident)
    services.service_step(actor=world.grid_worker, record=record, action="service_confirm")
    figures = selectors.figures(world.staff)
    assert (figures["needs"]["met"], figures["needs"]["open"]) == (1, 1)
    assert figures["hours_by_unit"] == [{"org__name": world.org.name, "minutes": 90, "count": 1, "hours": 1.5}]
    assert [k["name"] for k in figures["activities_by_kind"]][0] == "组织联建"


def test_members_take_tasks_on_projects(world, client):
    from liulin.partybuilding.models import ProjectMember

    project = services.claim_need(actor=world.contact, need=world.need(), owner_name="王", volunteers_needed=1)
    pending, _ = member(world.grid, world.org, confirmed=False)
    with pytest.raises(NotPermitted):
        services.join_project(actor=pending, project=project)
    with pytest.raises(NotPermitted):
        services.join_project(actor=world.staff, project=project)
    services.join_project(actor=world.member, project=project)
    with pytest.raises(Conflict) as e:
        services.join_project(actor=world.member, project=project)
    assert e.value.code == "already_joined"
    assert project in selectors.my_tasks(world.member) and project in selectors.projects_for(world.member)
    assert project not in selectors.open_tasks(world.community)
    services.project_step(actor=world.contact, project=project, action="project_cancel", reason="改期")
    other, _ = member(world.grid, world.org)
    with pytest.raises(Conflict) as e:
        services.join_project(actor=other, project=project)
    assert e.value.code == "project_closed"
    assert ProjectMember.objects.filter(project=project).count() == 1
    with pytest.raises(Invalid):
        services.claim_need(actor=world.contact, need=world.need(), owner_name="王", volunteers_needed=51)
