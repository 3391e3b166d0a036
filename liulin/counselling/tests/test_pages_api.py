"""The pages and the API, both sides: a resident books a free time and cancels it, the
counsellor opens and withdraws a slot, records the session and a note; bad input is a
clear {detail, code} and changes nothing; list pages cost a fixed number of queries."""

import pytest
from django.urls import reverse

from liulin.counselling.models import Appointment, Note, Slot
from liulin.venues.models import Booking

from .factories import Practice

pytestmark = pytest.mark.django_db


def test_a_resident_books_on_the_page_and_cancels(client):
    practice = Practice()
    slot = practice.slot()
    client.force_login(practice.client)
    home = client.get(reverse("counselling:home"))
    assert home.status_code == 200 and f'data-testid="book-{slot.pk}"' in home.content.decode()
    assert home["Cache-Control"].startswith("max-age=0") or "no-cache" in home["Cache-Control"]
    response = client.post(reverse("counselling:book", args=[slot.pk]))
    appointment = Appointment.objects.get(slot=slot)
    assert response.url == reverse("counselling:appointment", args=[appointment.pk])
    page = client.get(response.url).content.decode()
    assert 'data-testid="act-cancel"' in page and 'data-testid="act-attend"' not in page and "save-note" not in page
    client.post(reverse("counselling:act", args=[appointment.pk, "cancel"]))
    assert Appointment.objects.get(pk=appointment.pk).state == "cancelled"
    # The slot is free again; the room stays booked as 已预约.
    assert f'data-testid="book-{slot.pk}"' in client.get(reverse("counselling:home")).content.decode()
    assert Booking.objects.get(pk=slot.room_booking_id).state == "confirmed"


def test_the_counsellor_opens_a_slot_on_the_page(client):
    practice = Practice()
    client.force_login(practice.counsellor)
    assert client.get(reverse("counselling:open_slot")).status_code == 200
    start = practice.start(days=3, hour=15)
    response = client.post(reverse("counselling:open_slot"), {"room": practice.room.pk, "start": start.strftime("%Y-%m-%dT%H:%M"),
                                                               "minutes": 50})
    assert response.status_code == 302
    slot = Slot.objects.get(counsellor=practice.counsellor)
    assert slot.starts_at == start
    # The same hour again: the room is taken, said on the form.
    again = client.post(reverse("counselling:open_slot"), {"room": practice.room.pk, "start": start.strftime("%Y-%m-%dT%H:%M"),
                                                            "minutes": 50})
    assert again.status_code == 200 and "已被预约" in again.content.decode()
    assert Slot.objects.count() == 1
    client.post(reverse("counselling:withdraw", args=[slot.pk]))
    assert Slot.objects.get(pk=slot.pk).state == "withdrawn"
    assert Booking.objects.get(pk=slot.room_booking_id).state == "cancelled"


def test_a_resident_may_not_open_a_slot(client):
    practice = Practice()
    client.force_login(practice.client)
    assert client.get(reverse("counselling:open_slot")).status_code == 403
    response = client.post("/api/v1/counselling/slots", {"room_id": practice.room.pk, "start": practice.start().isoformat()},
                           content_type="application/json")
    assert response.status_code == 404 and Slot.objects.count() == 0


def test_the_api_story(client):
    practice = Practice()
    client.force_login(practice.counsellor)
    made = client.post("/api/v1/counselling/slots", {"room_id": practice.room.pk, "start": practice.start().isoformat(),
                                                     "minutes": 45}, content_type="application/json")
    assert made.status_code == 201, made.content
    slot_id = made.json()["id"]
    client.force_login(practice.client)
    assert [s["id"] for s in client.get("/api/v1/counselling/slots").json()] == [slot_id]
    booked = client.post(f"/api/v1/counselling/slots/{slot_id}/book")
    assert booked.status_code == 201 and booked.json()["client_name"] == practice.client.name
    appointment_id = booked.json()["id"]
    other = practice.resident()
    client.force_login(other)
    assert client.get("/api/v1/counselling/slots").json() == []
    taken = client.post(f"/api/v1/counselling/slots/{slot_id}/book")
    assert taken.status_code == 404
    assert client.get(f"/api/v1/counselling/appointments/{appointment_id}").status_code == 404
    client.force_login(practice.counsellor)
    mine = client.get("/api/v1/counselling/appointments").json()
    assert [(a["id"], a["client_name"]) for a in mine] == [(appointment_id, practice.client.name)]
    early = client.post(f"/api/v1/counselling/appointments/{appointment_id}/actions/attend", {}, content_type="application/json")
    assert (early.status_code, early.json()["code"]) == (400, "too_soon")
    unknown = client.post(f"/api/v1/counselling/appointments/{appointment_id}/actions/delete", {}, content_type="application/json")
    assert unknown.status_code == 404
    note = client.post(f"/api/v1/counselling/appointments/{appointment_id}/notes", {"text": "预约前的准备"},
                       content_type="application/json")
    assert note.status_code == 201
    empty = client.post(f"/api/v1/counselling/appointments/{appointment_id}/notes", {"text": "   "},
                        content_type="application/json")
    assert empty.status_code == 400 and Note.objects.count() == 1
    assert client.get("/api/v1/counselling/slots/mine").json()[0]["held"] is True


def test_list_pages_cost_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    practice = Practice()
    for hour in (9, 10, 11):
        practice.appointment(hour=hour, client=practice.resident())
    practice.slot(hour=14)
    for user in (practice.counsellor, practice.client):
        client.force_login(user)
        with django_assert_max_num_queries(16):
            assert client.get(reverse("counselling:home")).status_code == 200
