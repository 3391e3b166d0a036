"""The resident's side, the public page, notifications and whistles."""

import pytest
from django.urls import reverse

from liulin.accounts.tests.factories import make_user
from liulin.core.notifications import services as notification_services
from liulin.core.notifications.models import Notification
from liulin.core.roles import Role
from liulin.people.models import Resident
from liulin.whistle.models import Callback, CoSign, State, Summons, Ticket
from liulin.whistle.services import transitions, whistles
from liulin.whistle.tests.intake_fixtures import submitted

pytestmark = pytest.mark.django_db


def to_state(town, ticket, *steps):
    actors = {"dispatch": town.staff, "accept": town.property_staff, "resolve": town.property_staff, "verify": town.secretary}
    for action in steps:
        extra = {"org": town.property_company} if action == "dispatch" else {}
        ticket = transitions.act(actor=actors[action], ticket=ticket, action=action, reason=f"已{action}", **extra)
    return ticket


# --- my requests ----------------------------------------------------------------------


def test_my_requests_lists_only_his_own(client, town):
    mine = submitted(town)
    theirs = submitted(town, building=town.b3, requester_user=town.neighbour_user)
    client.force_login(town.resident_user)
    html = client.get(reverse("whistle:mine")).content.decode()
    assert mine.number in html and theirs.number not in html
    assert client.get(reverse("whistle:ticket", args=[theirs.pk])).status_code == 404


def test_my_requests_refused_to_staff_only_users(client, town):
    client.force_login(town.property_staff)
    assert client.get(reverse("whistle:mine")).status_code == 403


def test_resident_timeline_hides_internal_notes_and_staff_names(client, town):
    ticket = to_state(town, submitted(town), "dispatch", "accept")
    transitions.comment(actor=town.property_staff, ticket=ticket, body="维保公司报价太高，内部再议", internal=True)
    transitions.comment(actor=town.property_staff, ticket=ticket, body="已安排师傅明早上门")
    town.property_staff.name = "王师傅"
    town.property_staff.save()
    town.staff.name = "赵干事"
    town.staff.save()
    client.force_login(town.resident_user)
    html = client.get(reverse("whistle:ticket", args=[ticket.pk])).content.decode()
    assert "已安排师傅明早上门" in html
    assert "内部再议" not in html
    assert "王师傅" not in html and "赵干事" not in html
    assert town.property_staff.mobile not in html and town.staff.mobile not in html
    assert "物业公司" in html  # the unit's kind instead of the person
    # His page leads with his comment; withdrawing is a link to a page that asks again.
    assert 'data-testid="do-withdraw"' not in html and 'data-testid="withdraw-link"' in html
    assert html.index('id="comment"') < html.index('data-testid="withdraw-link"')
    client.force_login(town.staff)
    staff_view = client.get(reverse("whistle:ticket", args=[ticket.pk])).content.decode()
    assert "内部再议" in staff_view


def test_resident_rates_a_verified_ticket(client, town):
    ticket = to_state(town, submitted(town), "dispatch", "accept", "resolve", "verify")
    client.force_login(town.resident_user)
    page = client.get(reverse("whistle:ticket", args=[ticket.pk])).content.decode()
    assert 'data-testid="rating-form"' in page
    response = client.post(reverse("whistle:callback", args=[ticket.pk]), {"solved": "1", "satisfaction": "satisfied", "comment": "谢谢"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == State.CLOSED
    callback = Callback.objects.get(ticket=ticket)
    assert callback.method == Callback.Method.SELF and callback.satisfaction == "satisfied"


def test_rating_without_choice_changes_nothing(client, town):
    ticket = to_state(town, submitted(town), "dispatch", "accept", "resolve", "verify")
    client.force_login(town.resident_user)
    response = client.post(reverse("whistle:callback", args=[ticket.pk]), {"solved": "1"})
    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.state == State.VERIFIED and not Callback.objects.exists()


def test_resident_withdraws_with_reason(client, town):
    ticket = submitted(town)
    client.force_login(town.resident_user)
    empty = client.post(reverse("whistle:act", args=[ticket.pk]), {"action": "withdraw", "reason": ""})
    assert empty.status_code == 400
    ok = client.post(reverse("whistle:act", args=[ticket.pk]), {"action": "withdraw", "reason": "已自行解决"})
    assert ok.status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == State.WITHDRAWN


def test_withdrawing_asks_again_on_its_own_page(client, town):
    ticket = submitted(town)
    client.force_login(town.resident_user)
    url = reverse("whistle:withdraw", args=[ticket.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="confirm-withdraw"' in page.content.decode()
    ticket.refresh_from_db()
    assert ticket.state == State.SUBMITTED  # opening the page withdraws nothing
    assert client.post(url, {"reason": "  "}).status_code == 400
    ticket.refresh_from_db()
    assert ticket.state == State.SUBMITTED
    done = client.post(url, {"reason": "已自行解决"})
    assert done.status_code == 302 and done.url == reverse("whistle:ticket", args=[ticket.pk])
    ticket.refresh_from_db()
    assert ticket.state == State.WITHDRAWN
    assert client.get(url).status_code == 403  # nothing left to withdraw
    html = client.get(reverse("whistle:ticket", args=[ticket.pk])).content.decode()
    assert 'data-testid="withdraw-link"' not in html


def test_the_withdraw_page_is_only_for_who_may_withdraw(client, town):
    ticket = submitted(town)
    client.force_login(town.neighbour_user)
    assert client.get(reverse("whistle:withdraw", args=[ticket.pk])).status_code == 404
    client.force_login(town.property_staff)
    assert client.post(reverse("whistle:withdraw", args=[ticket.pk]), {"reason": "x"}).status_code in (403, 404)
    ticket.refresh_from_db()
    assert ticket.state == State.SUBMITTED


def test_neighbour_in_same_community_cosigns_from_my_requests(client, town):
    ticket = submitted(town)
    client.force_login(town.neighbour_user)
    html = client.get(reverse("whistle:mine")).content.decode()
    assert f'data-testid="cosign-{ticket.pk}"' in html
    assert ticket.description not in html  # others' words are not shown
    assert "301" not in html  # nor the room
    response = client.post(reverse("whistle:cosign", args=[ticket.pk]), {"next": "mine"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.cosign_count == 1 and CoSign.objects.filter(ticket=ticket, user=town.neighbour_user).exists()
    again = client.post(reverse("whistle:cosign", args=[ticket.pk]), {"next": "mine"}, follow=True)
    assert "已附议" in again.content.decode()
    ticket.refresh_from_db()
    assert ticket.cosign_count == 1


def test_resident_of_another_community_cannot_cosign(client, town):
    from liulin.people.tests.factories import ResidentFactory

    ticket = submitted(town)
    stranger = make_user(Role.RESIDENT, resident=ResidentFactory())
    client.force_login(stranger)
    assert client.post(reverse("whistle:cosign", args=[ticket.pk])).status_code == 404
    assert not CoSign.objects.exists()


def test_my_requests_query_count_is_fixed(client, town, django_assert_max_num_queries):
    client.force_login(town.resident_user)
    submitted(town)
    with django_assert_max_num_queries(15) as small:
        client.get(reverse("whistle:mine"))
    for _ in range(10):
        to_state(town, submitted(town), "dispatch")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("whistle:mine"))


# --- public ---------------------------------------------------------------------------


def test_public_page_shows_no_personal_data(client, town):
    to_state(town, submitted(town, contact_name="张三", contact_phone="13812345678", description="张三家301室门口电梯坏了"), "dispatch")
    submitted(town, building=town.b3, requester_user=town.neighbour_user, contact_name="李四", contact_phone="13987654321")
    html = client.get(reverse("whistle:public")).content.decode()
    assert "电梯故障" in html and town.grid1.name in html
    for secret in ("张三", "李四", "13812345678", "13987654321", "138****5678", "301", "502", "电梯坏了", town.resident_user.mobile):
        assert secret not in html, secret
    assert 'data-testid="public-total">2<' in html


def test_public_page_needs_no_login_and_costs_fixed_queries(client, town, django_assert_max_num_queries):
    for _ in range(3):
        submitted(town)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("whistle:public")).status_code == 200


# --- notifications --------------------------------------------------------------------


def test_requester_and_handling_unit_hear_of_dispatch_accept_resolve(town):
    ticket = to_state(town, submitted(town), "dispatch")
    assert Notification.objects.about(ticket).filter(user=town.resident_user, message__contains="派给物业公司").exists()
    assert Notification.objects.about(ticket).filter(user=town.property_staff, message__contains="请及时接单").exists()
    assert Notification.objects.about(ticket).filter(user=town.grid_worker).exists()  # grid tier
    assert not Notification.objects.filter(user=town.grid2_worker).exists()
    assert not Notification.objects.filter(user=town.staff).exists()  # the actor is not told of his own step
    to_state(town, ticket, "accept")
    assert Notification.objects.filter(user=town.resident_user, message__contains="物业公司已接单").exists()
    to_state(town, ticket, "resolve")
    assert Notification.objects.filter(user=town.resident_user, message__contains="已办结").exists()
    resident_messages = " ".join(Notification.objects.filter(user=town.resident_user).values_list("message", flat=True))
    assert town.property_staff.name not in resident_messages


def test_urge_tells_the_unit_and_escalate_tells_supervisors(town):
    ticket = to_state(town, submitted(town), "dispatch")
    transitions.urge(actor=town.staff, ticket=ticket, reason="居民再次来电")
    assert Notification.objects.filter(user=town.property_staff, message__contains="催办").exists()
    transitions.escalate(actor=town.staff, ticket=ticket, reason="物业无力解决")
    assert Notification.objects.filter(user=town.secretary, message__contains="升级").exists()


def test_a_step_is_mailed_to_a_requester_who_chose_mail(town, settings, mailoutbox, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    town.resident_user.email = "zhang@example.com"
    town.resident_user.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        to_state(town, submitted(town), "dispatch")
    assert mailoutbox == []  # no channel chosen: the inbox only
    notification_services.set_preferences(user=town.resident_user, choices={"": {"email"}})
    with django_capture_on_commit_callbacks(execute=True):
        to_state(town, submitted(town), "dispatch")
    assert [m.to for m in mailoutbox] == [["zhang@example.com"]] and "派给物业公司" in mailoutbox[0].body


def test_notice_list_and_bell_count_and_mark_read(client, town):
    to_state(town, submitted(town), "dispatch")
    client.force_login(town.resident_user)
    bell = client.get(reverse("notifications:bell"), HTTP_HX_REQUEST="true").content.decode()
    assert '<span class="count">1</span>' in bell
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert "派给物业公司" in page and 'data-testid="mark-read"' in page
    assert reverse("whistle:ticket", args=[Notification.objects.get(user=town.resident_user).target_id]) in page
    client.post(reverse("notifications:mark_all_read"))
    assert not Notification.objects.filter(user=town.resident_user, read_at__isnull=True).exists()
    bell = client.get(reverse("notifications:bell")).content.decode()
    assert 'class="count"' not in bell


def test_nav_shows_whistle_link(client, town):
    client.force_login(town.resident_user)
    html = client.get(reverse("whistle:mine")).content.decode()
    assert f'href="{reverse("whistle:home")}"' in html and "雷锋哨" in html


# --- whistles -------------------------------------------------------------------------


def test_secretary_blows_a_whistle_and_department_reports_in_and_is_rated(client, town):
    ticket = to_state(town, submitted(town), "dispatch")
    client.force_login(town.secretary)
    page = client.get(reverse("whistle:whistles")).content.decode()
    assert ticket.number in page and "区城管局" in page
    response = client.post(
        reverse("whistle:whistles"),
        {"community": town.community.pk, "kind": "progress", "title": "电梯长期故障", "tickets": [ticket.pk], "departments": [town.department.pk]},
    )
    assert response.status_code == 302
    summons = Summons.objects.get()
    ticket.refresh_from_db()
    assert ticket.tier == 3
    client.force_login(town.officer)
    listing = client.get(reverse("whistle:summons")).content.decode()
    assert "电梯长期故障" in listing
    client.post(reverse("whistle:summons_report", args=[summons.pk]), {"on_site": "1", "actions": "已到现场查看"})
    client.post(reverse("whistle:summons_verify", args=[summons.pk]))
    summons.refresh_from_db()
    assert summons.reported_at and summons.on_site and summons.verified_at
    client.force_login(town.secretary)
    client.post(reverse("whistle:summons_rate", args=[summons.pk]), {"rating": "4"})
    summons.refresh_from_db()
    assert summons.rating == 4
    ranking = client.get(reverse("whistle:ranking")).content.decode()
    assert "区城管局" in ranking and "4" in ranking


def test_whistle_without_departments_is_a_form_error(client, town):
    ticket = to_state(town, submitted(town), "dispatch")
    client.force_login(town.secretary)
    response = client.post(reverse("whistle:whistles"), {"community": town.community.pk, "kind": "hard", "title": "难题", "tickets": [ticket.pk]})
    assert response.status_code == 400
    assert not Summons.objects.exists()


def test_whistle_pages_refuse_other_roles(client, town):
    client.force_login(town.property_staff)
    assert client.get(reverse("whistle:whistles")).status_code == 403
    assert client.get(reverse("whistle:summons")).status_code == 403
    client.force_login(town.officer)
    whistle = whistles.blow(
        actor=town.secretary, community=town.community, kind="hard", title="难题", reason="",
        tickets=[to_state(town, submitted(town), "dispatch")], departments=[town.department],
    )
    other_officer = make_user(Role.DEPARTMENT_OFFICER, town.property_company)
    client.force_login(other_officer)
    summons = whistle.summons.get()
    assert client.post(reverse("whistle:summons_report", args=[summons.pk]), {"on_site": "1"}).status_code == 404
    summons.refresh_from_db()
    assert summons.reported_at is None


def test_ticket_detail_hides_requester_phone_from_grid_worker(client, town):
    ticket = submitted(town, contact_phone=Resident.objects.get(pk=town.resident.pk).mobile)
    client.force_login(town.grid_worker)
    html = client.get(reverse("whistle:ticket", args=[ticket.pk])).content.decode()
    assert "138****5678" in html and "13812345678" not in html
    assert Ticket.objects.count() == 1
