"""The pages: the wheelchair wish from collection to the member's quarterly report, through
the forms; the public lists carry no names; each role reaches its pages."""

import pytest
from django.urls import reverse

from liulin.partybuilding.models import Need, Wish

from .factories import photo

pytestmark = pytest.mark.django_db


def test_wheelchair_wish_through_the_pages(world, client):
    client.force_login(world.grid_worker)
    response = client.post(reverse("partybuilding:wish_new"), {"title": "修轮椅", "kind": "service", "beneficiary_label": "高龄老人",
                                                               "capacity": 1, "beneficiary_id": world.beneficiary.resident.pk})
    wish = Wish.objects.get(title="修轮椅")
    assert response.status_code == 302 and wish.beneficiary == world.beneficiary.resident
    client.force_login(world.staff)
    client.post(reverse("partybuilding:wish_step", args=[wish.pk]), {"action": "wish_publish"})
    client.force_login(world.member)
    page = client.get(reverse("partybuilding:public_wish", args=[world.community.pk, wish.pk])).content.decode()
    assert 'data-testid="claim"' in page
    client.post(reverse("partybuilding:wish_claim", args=[wish.pk]))
    client.post(reverse("partybuilding:wish_deliver", args=[wish.pk]), {"note": "换了新轮胎", "photos": photo()})
    client.force_login(world.beneficiary)
    client.post(reverse("partybuilding:wish_confirm", args=[wish.pk]), {"story": "老人又能去公园了"})
    wish.refresh_from_db()
    assert wish.state == Wish.State.FULFILLED
    client.force_login(world.contact)
    report = client.get(reverse("partybuilding:member_report", args=[world.registration.pk, wish.fulfilled_at.year,
                                                                     (wish.fulfilled_at.month - 1) // 3 + 1]))
    assert report.status_code == 200 and "修轮椅" in report.content.decode()


def test_refused_step_is_a_message_and_changes_nothing(world, client):
    wish = world.wish()
    client.force_login(world.staff)
    response = client.post(reverse("partybuilding:wish_step", args=[wish.pk]), {"action": "wish_publish"}, follow=True)
    assert response.status_code == 200 and "不能执行" in response.content.decode()
    assert Wish.objects.get(pk=wish.pk).state == Wish.State.PUBLISHED


def test_public_pages_carry_no_names_and_need_no_login(world, client):
    wish = world.wish()
    world.need()
    name = world.beneficiary.resident.name
    for url in (reverse("partybuilding:public", args=[world.community.pk]),
                reverse("partybuilding:public_wishes", args=[world.community.pk]),
                reverse("partybuilding:public_wish", args=[world.community.pk, wish.pk])):
        html = client.get(url).content.decode()
        assert "修轮椅" in html or "楼道灯" in html
        assert name not in html and world.beneficiary.resident.mobile not in html
    unpublished = world.wish(state=Wish.State.COLLECTED)
    assert client.get(reverse("partybuilding:public_wish", args=[world.community.pk, unpublished.pk])).status_code == 404


@pytest.mark.parametrize("who", ["staff", "grid_worker", "contact", "member", "beneficiary"])
def test_every_role_reaches_its_pages(world, client, who):
    need = world.need()
    client.force_login(getattr(world, who))
    for name in ("home", "figures", "units", "members"):
        assert client.get(reverse(f"partybuilding:{name}")).status_code == 200, name
    status = client.get(reverse("partybuilding:need", args=[need.pk])).status_code
    assert status == (404 if who == "member" else 200)


def test_partner_contact_claims_a_need_on_its_page(world, client):
    need = world.need()
    client.force_login(world.contact)
    page = client.get(reverse("partybuilding:need", args=[need.pk])).content.decode()
    assert 'data-testid="claim-need"' in page
    client.post(reverse("partybuilding:need_claim", args=[need.pk]), {"owner_name": "王书记", "starts_on": "2026-03-01",
                                                                      "ends_on": "2026-03-10"})
    assert Need.objects.get(pk=need.pk).state == Need.State.MATCHED
    client.force_login(world.other_contact)
    response = client.post(reverse("partybuilding:need_claim", args=[need.pk]), {"owner_name": "张", "starts_on": "2026-03-01",
                                                                                 "ends_on": "2026-03-10"}, follow=True)
    assert "已被认领" in response.content.decode()


def test_member_registers_and_logs_a_service_through_forms(world, client):
    from liulin.accounts.tests.factories import make_user
    from liulin.core.roles import Role

    from .factories import resident_in

    user = make_user(Role.RESIDENT, resident=resident_in(world.grid, is_party_member=True))
    client.force_login(user)
    assert client.post(reverse("partybuilding:register"), {"org": world.org.pk, "posts": ["care", "patrol"]}).status_code == 302
    assert client.post(reverse("partybuilding:register"), {"org": world.org.pk, "posts": ["nap"]}).status_code == 400
    client.force_login(world.member)
    bad = client.post(reverse("partybuilding:service_new"), {"category": "care", "served_on": "2026-03-02", "minutes": 0,
                                                             "description": "x"})
    assert bad.status_code == 400
    ok = client.post(reverse("partybuilding:service_new"), {"category": "care", "served_on": "2026-03-02", "minutes": 45,
                                                            "description": "探访", "photos": photo()})
    assert ok.status_code == 302 and world.registration.services.get().minutes == 45


def test_unit_contact_sends_the_quarters_reports(world, client):
    from liulin.core.notifications.models import Notification

    partnership = world.org.partnerships.get()
    client.force_login(world.contact)
    page = client.get(reverse("partybuilding:unit", args=[partnership.pk])).content.decode()
    assert 'data-testid="send-reports"' in page
    client.post(reverse("partybuilding:unit_send_reports", args=[partnership.pk]), {"year": 2026, "quarter": 1})
    assert Notification.objects.filter(user=world.contact, kind="partybuilding.report").count() == 1
    other = world.other_org.partnerships.get()
    assert client.post(reverse("partybuilding:unit_send_reports", args=[other.pk]), {"year": 2026, "quarter": 1}).status_code == 404


def test_a_service_for_a_claimed_wish_is_confirmed_by_its_beneficiary(world, client):
    from liulin.partybuilding import services
    from liulin.partybuilding.models import ServiceRecord

    wish = world.wish()
    services.claim_wish(actor=world.member, wish=wish)
    client.force_login(world.member)
    assert client.post(reverse("partybuilding:service_new"), {"wish": wish.pk, "category": "care", "served_on": "2026-03-02",
                                                              "minutes": 50, "description": "修轮椅"}).status_code == 302
    record = ServiceRecord.objects.get()
    assert (record.wish, record.beneficiary) == (wish, world.beneficiary.resident)
    client.force_login(world.beneficiary)
    client.post(reverse("partybuilding:service_step", args=[record.pk]), {"action": "service_confirm"})
    assert ServiceRecord.objects.get().state == ServiceRecord.State.CONFIRMED


def test_member_takes_a_task_from_his_page(world, client):
    from liulin.partybuilding import services
    from liulin.partybuilding.models import Project

    project = services.claim_need(actor=world.contact, need=world.need(), owner_name="王", volunteers_needed=2)
    client.force_login(world.member)
    assert f'data-testid="join-{project.pk}"' in client.get(reverse("partybuilding:home")).content.decode()
    client.post(reverse("partybuilding:project_join", args=[project.pk]))
    assert Project.objects.get(pk=project.pk).volunteers == 1
    home = client.get(reverse("partybuilding:home")).content.decode()
    assert f'data-testid="join-{project.pk}"' not in home and "我认领的任务" in home


def test_staff_see_wishes_raised_for_want_of_claimers(world, client):
    import datetime

    from liulin.core import clock
    from liulin.partybuilding import services

    wish = world.wish()
    services.raise_unclaimed_wishes(now=clock.now() + datetime.timedelta(days=30))
    client.force_login(world.staff)
    html = client.get(reverse("partybuilding:home")).content.decode()
    assert 'data-testid="raised-wishes"' in html and reverse("partybuilding:wish", args=[wish.pk]) in html
    client.force_login(world.member)
    assert 'data-testid="raised-wishes"' not in client.get(reverse("partybuilding:home")).content.decode()
