"""Intake pages: the operator console, the resident's self-service page, the patrol report."""

import datetime
import io

import pytest
import time_machine
from django.urls import reverse
from PIL import Image

from liulin.accounts.tests.factories import make_user
from liulin.core.roles import Role
from liulin.people.models import Resident
from liulin.whistle import selectors
from liulin.whistle.models import Channel, State, Ticket

pytestmark = pytest.mark.django_db

CONSOLE = "whistle:console"


def _console_post(town, **extra):
    data = {
        "phone": "13812345678",
        "contact_name": "张阿姨",
        "category": town.category("property-elevator").pk,
        "urgency": "normal",
        "description": "3号电梯困人，已经停了半小时。",
        "building": town.b1.pk,
        "room": "301",
        "call_started_at": "2026-03-10T09:00:00+08:00",
        "client_request_id": "console-req-1",
    }
    data.update(extra)
    return data


def test_console_renders_for_operator_with_autofocus_and_hidden_call_fields(client, town):
    client.force_login(town.operator)
    html = client.get(reverse(CONSOLE)).content.decode()
    assert 'name="phone"' in html and "autofocus" in html
    assert 'name="client_request_id"' in html and 'name="call_started_at"' in html
    assert "<optgroup" in html  # categories grouped by their top-level node
    assert "电梯故障" in html


def test_console_refused_to_property_staff_and_residents(client, town):
    for user in (town.property_staff, town.resident_user, town.grid_worker):
        client.force_login(user)
        assert client.get(reverse(CONSOLE)).status_code == 403
        assert client.post(reverse(CONSOLE), _console_post(town)).status_code == 403
    assert not Ticket.objects.exists()


@time_machine.travel(datetime.datetime(2026, 3, 10, 9, 3, tzinfo=datetime.UTC), tick=False)
def test_operator_files_a_call_with_channel_and_call_times(client, town):
    client.force_login(town.operator)
    response = client.post(reverse(CONSOLE), _console_post(town, requester=""))
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("whistle:filed", args=[ticket.pk])
    assert ticket.channel == Channel.HOTLINE
    assert ticket.filed_by == town.operator
    assert ticket.call_started_at == datetime.datetime(2026, 3, 10, 1, 0, tzinfo=datetime.UTC)
    assert ticket.call_ended_at == datetime.datetime(2026, 3, 10, 9, 3, tzinfo=datetime.UTC)
    assert ticket.household == town.household  # building + room found the home
    page = client.get(response["Location"]).content.decode()
    assert ticket.number in page


def test_same_client_request_id_twice_makes_one_ticket(client, town):
    client.force_login(town.operator)
    first = client.post(reverse(CONSOLE), _console_post(town))
    second = client.post(reverse(CONSOLE), _console_post(town))
    assert Ticket.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_console_bad_input_shows_message_and_files_nothing(client, town):
    client.force_login(town.operator)
    response = client.post(reverse(CONSOLE), _console_post(town, description="   ", category="999999"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "请填写诉求内容" in html or "这个字段是必填项" in html
    assert not Ticket.objects.exists()


def test_console_lookup_lists_caller_masked_and_pick_prefills_home(client, town):
    client.force_login(town.operator)
    partial = client.get(reverse("whistle:caller_lookup"), {"phone": "13812345678"}, HTTP_HX_REQUEST="true")
    html = partial.content.decode()
    assert "张三" in html and "138****5678" in html and "13812345678" not in html.replace("phone=13812345678", "")
    picked = client.get(reverse(CONSOLE), {"phone": "13812345678", "pick": town.resident.pk}).content.decode()
    assert 'data-testid="picked"' in picked and "中南小苑1栋301室" in picked
    assert f'name="requester" value="{town.resident.pk}"' in picked
    assert 'value="301"' in picked


def test_console_with_picked_caller_links_requester(client, town):
    client.force_login(town.operator)
    client.post(reverse(CONSOLE), _console_post(town, requester=town.resident.pk))
    ticket = Ticket.objects.get()
    assert ticket.requester == town.resident
    assert ticket.requester_user == town.resident_user


def test_console_refuses_a_picked_resident_who_does_not_match_the_phone(client, town):
    client.force_login(town.operator)
    other = Resident.objects.get(household=town.other_household)
    response = client.post(reverse(CONSOLE), _console_post(town, requester=other.pk))
    assert response.status_code == 400
    assert "所选居民与来电号码不符" in response.content.decode()
    assert not Ticket.objects.exists()


def _jpeg_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "JPEG")
    buffer.seek(0)
    buffer.name = "photo.jpg"
    return buffer


def test_resident_files_from_home_with_photos(client, town):
    client.force_login(town.resident_user)
    page = client.get(reverse("whistle:file"))
    assert page.status_code == 200 and 'multiple' in page.content.decode()
    one, two = _jpeg_bytes(), _jpeg_bytes()
    response = client.post(
        reverse("whistle:file"),
        {
            "category": town.category("property-corridor").pk,
            "description": "楼道里堆了很多纸箱。",
            "where": "home",
            "client_request_id": "resident-req-1",
            "photos": [one, two],
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert ticket.channel == Channel.SELF_SERVICE
    assert ticket.household == town.household and ticket.requester_user == town.resident_user
    assert selectors.photos(ticket).count() == 2
    confirmation = client.get(response["Location"]).content.decode()
    assert ticket.number in confirmation


def test_resident_files_at_a_point(client, town):
    client.force_login(town.resident_user)
    response = client.post(
        reverse("whistle:file"),
        {
            "category": town.category("municipal-streetlight").pk,
            "description": "路灯不亮。",
            "where": "point",
            "lat": "28.3031",
            "lon": "112.9031",
            "client_request_id": "resident-req-2",
        },
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.grid == town.grid1 and ticket.household is None
    assert ticket.lat == pytest.approx(28.3031)


def test_resident_html_named_jpg_is_refused_and_files_nothing(client, town):
    client.force_login(town.resident_user)
    fake = io.BytesIO(b"<html><script>alert(1)</script></html>")
    fake.name = "photo.jpg"
    response = client.post(
        reverse("whistle:file"),
        {"category": town.category("sanitation").pk, "description": "垃圾没清运。", "where": "home", "client_request_id": "r3", "photos": [fake]},
    )
    assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_resident_page_refused_to_staff_without_resident_role(client, town):
    client.force_login(town.property_staff)
    assert client.get(reverse("whistle:file")).status_code == 403


def test_grid_worker_patrol_for_a_resident_and_for_something_found(client, town):
    client.force_login(town.grid_worker)
    page = client.get(reverse("whistle:patrol")).content.decode()
    assert "张三" in page  # residents of his grid to pick from
    assert "李四" not in page  # grid 2's resident is not his
    response = client.post(
        reverse("whistle:patrol"),
        {"kind": "resident", "resident": town.resident.pk, "category": town.category("help-elderly-disabled").pk,
         "urgency": "normal", "description": "独居老人需要助餐。", "client_request_id": "patrol-1"},
    )
    assert response.status_code == 302
    found = client.post(
        reverse("whistle:patrol"),
        {"kind": "found", "building": town.b2.pk, "category": town.category("safety").pk,
         "urgency": "normal", "description": "楼道电动车充电飞线。", "client_request_id": "patrol-2"},
    )
    assert found.status_code == 302
    for_resident, for_place = Ticket.objects.order_by("id")
    assert for_resident.channel == for_place.channel == Channel.GRID_PATROL
    assert for_resident.requester == town.resident and for_resident.household == town.household
    assert for_place.requester is None and for_place.building == town.b2


def test_patrol_for_a_resident_of_another_grid_is_refused(client, town):
    client.force_login(town.grid_worker)
    other = Resident.objects.get(household=town.other_household)
    response = client.post(
        reverse("whistle:patrol"),
        {"kind": "resident", "resident": other.pk, "category": town.category("safety").pk,
         "urgency": "normal", "description": "隐患。", "client_request_id": "patrol-3"},
    )
    assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_patrol_refused_to_operator(client, town):
    client.force_login(make_user(Role.PROPERTY_STAFF, town.property_company))
    assert client.get(reverse("whistle:patrol")).status_code == 403


def test_filed_page_shows_possible_duplicates_to_staff(client, town):
    client.force_login(town.operator)
    client.post(reverse(CONSOLE), _console_post(town, client_request_id="a", description="1栋电梯困人 电梯停运"))
    second = client.post(reverse(CONSOLE), _console_post(town, client_request_id="b", description="1栋电梯停运 电梯困人了"))
    first_ticket = Ticket.objects.order_by("id").first()
    page = client.get(second["Location"]).content.decode()
    assert 'data-testid="duplicates"' in page
    assert f'href="{reverse("whistle:ticket", args=[first_ticket.pk])}">{first_ticket.number}</a>' in page
    assert State(first_ticket.state) in (State.SUBMITTED, State.DISPATCHED)
