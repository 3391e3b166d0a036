"""Who a client is stays between him and his counsellor.

Venue managers, community staff and secretaries and auditors of the same community walk
every page and GET endpoint without a parameter (lists, dashboards, exports), and every
page and endpoint of counselling and venues with the ids of the appointment, its slot, the
room, the room's booking and the note: the client's name and the note's text appear
nowhere, and the room's booking reads “已预约”, booked in the counsellor's name. Notes are
stored encrypted; every reading is in the access log; a cancellation notifies the client and
the counsellor alone."""

import io
import re

import pytest
from django.urls import reverse

from liulin.accounts.tests.factories import make_user
from liulin.api import api
from liulin.core.models import AccessLog
from liulin.core.roles import Role
from liulin.counselling import services
from liulin.counselling.models import Note
from liulin.venues.models import Booking
from tests.test_url_scoping import PARAM, body_of, fill, routes

from .factories import CLIENT_NAME, Practice

pytestmark = pytest.mark.django_db

NOTE = "笔记哨兵：失眠三周"
STAFF = [Role.VENUE_MANAGER, Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY, Role.AUDITOR]
DETAIL_PREFIXES = ("counselling/", "venues/", "api/v1/counselling", "api/v1/venues")
API_PARAM = re.compile(r"\{(\w+)\}")


@pytest.fixture
def practice():
    practice = Practice()
    # The registry shows residents by design; the name a counsellor sees is the account's,
    # so the resident record carries another name and the sentinel is the client's alone.
    practice.client.resident.name = "登记姓名"
    practice.client.resident.save(update_fields=["name"])
    practice.appointment = practice.appointment()
    practice.note = services.write_note(actor=practice.counsellor, appointment=practice.appointment, text=NOTE)
    return practice


def _text(response):
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
        return " ".join(str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c)
    return body_of(response)


def _ids(practice):
    a = practice.appointment
    return sorted({a.pk, a.slot_id, practice.room.pk, a.slot.room_booking_id, practice.note.pk})


def _api_paths():
    for path, operations in api.get_openapi_schema(path_prefix="/api/v1/")["paths"].items():
        if "get" in operations:
            yield path


@pytest.mark.parametrize("role", STAFF)
def test_staff_see_no_client_anywhere(client, practice, role):
    client.force_login(make_user(role, practice.community))
    ids, leaks, checked = _ids(practice), [], 0
    urls = []
    for route in routes():
        if PARAM.search(route):
            if route.startswith(DETAIL_PREFIXES):
                urls += [fill(route, i) for i in ids]
        else:
            urls.append("/" + route)
    for path in _api_paths():
        params = API_PARAM.findall(path)
        if not params:
            urls.append(path)
        elif len(params) == 1 and path.startswith(("/api/v1/counselling", "/api/v1/venues")):
            urls += [path.replace("{" + params[0] + "}", str(i)) for i in ids]
    for url in dict.fromkeys(urls):
        response = client.get(url)
        checked += 1
        if response.status_code != 200 or response.get("Content-Type", "").startswith("image/"):
            continue
        text = _text(response)
        leaks += [(url, s) for s in (CLIENT_NAME, NOTE) if s in text]
    assert checked > 50
    assert leaks == [], f"{role.label} saw a counselling client: {leaks[:10]}"


@pytest.mark.parametrize("role", STAFF)
def test_counselling_answers_staff_not_found(client, practice, role):
    client.force_login(make_user(role, practice.community))
    a = practice.appointment
    assert client.get(reverse("counselling:appointment", args=[a.pk])).status_code == 404
    for url in (f"/api/v1/counselling/appointments/{a.pk}", f"/api/v1/counselling/appointments/{a.pk}/notes"):
        response = client.get(url)
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert client.get("/api/v1/counselling/appointments").json() == []


def test_the_room_booking_says_only_booked(client, practice):
    booking = Booking.objects.get(pk=practice.appointment.slot.room_booking_id)
    assert (booking.purpose, booking.booker_id) == ("已预约", practice.counsellor.pk)
    manager = make_user(Role.VENUE_MANAGER, practice.community)
    client.force_login(manager)
    page = client.get(reverse("venues:booking", args=[booking.pk]))
    assert page.status_code == 200 and "已预约" in page.content.decode() and CLIENT_NAME not in page.content.decode()
    day = client.get(reverse("venues:day", args=[practice.room.pk]), {"day": practice.appointment.slot.starts_at.date()})
    assert day.status_code == 200 and CLIENT_NAME not in day.content.decode()


def test_the_counsellor_sees_the_client_and_the_note_each_time_logged(client, practice):
    a = practice.appointment
    client.force_login(practice.counsellor)
    before = AccessLog.objects.filter(actor=practice.counsellor).count()
    page = client.get(reverse("counselling:appointment", args=[a.pk])).content.decode()
    assert CLIENT_NAME in page and NOTE in page
    fields = list(AccessLog.objects.filter(actor=practice.counsellor).order_by("pk").values_list("field", flat=True))[before:]
    assert fields == ["appointment", "notes"]
    assert client.get(f"/api/v1/counselling/appointments/{a.pk}/notes").json()[0]["text"] == NOTE
    assert AccessLog.objects.filter(actor=practice.counsellor, field="notes").count() == 2


def test_notes_are_encrypted_and_hidden_from_the_client(client, practice):
    stored = Note.objects.get(pk=practice.note.pk).cipher
    assert NOTE not in stored and stored.startswith("gAAAA")
    client.force_login(practice.client)
    page = client.get(reverse("counselling:appointment", args=[practice.appointment.pk])).content.decode()
    assert NOTE not in page
    response = client.get(f"/api/v1/counselling/appointments/{practice.appointment.pk}/notes")
    assert response.status_code == 403


def test_a_cancellation_notifies_the_client_and_the_counsellor_only(practice, django_capture_on_commit_callbacks):
    from liulin.core.notifications.models import Notification

    before = set(Notification.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        services.act(actor=practice.client, appointment=practice.appointment, action="cancel")
    sent = Notification.objects.exclude(pk__in=before)
    assert set(sent.values_list("user_id", flat=True)) == {practice.client.pk, practice.counsellor.pk}
