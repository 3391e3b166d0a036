"""A resident books a time in the 心理咨询室 on her phone; the counsellor sees her on his list,
records the session and writes a note, which only he sees."""

import pytest
from playwright.sync_api import expect

from liulin.accounts.tests.factories import PASSWORD
from liulin.core import clock
from liulin.counselling.models import Appointment, Note, Slot
from liulin.counselling.tests.factories import CLIENT_NAME, Practice

from .conftest import assert_accessible, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_resident_books_and_counsellor_records_a_note(page, screenshot):
    practice = Practice()
    slot = practice.slot()

    log_in(page, practice.client.mobile, PASSWORD)
    page.goto("/counselling/")
    assert_accessible(page)
    page.click(f"[data-testid=book-{slot.pk}]")
    expect(page.locator("[data-testid=appointment-state]")).to_contain_text("已预约")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)
    appointment = Appointment.objects.get(slot=slot)
    screenshot(page, "counselling-booked")

    # The session has begun: the counsellor opens his list.
    Slot.objects.filter(pk=slot.pk).update(starts_at=clock.now())
    page.context.clear_cookies()
    log_in(page, practice.counsellor.mobile, PASSWORD)
    page.goto("/counselling/")
    expect(page.locator("[data-testid=clients]")).to_contain_text(CLIENT_NAME)
    assert_accessible(page)
    page.click(f"[data-testid=client-{appointment.pk}]")
    expect(page.locator("[data-testid=client-name]")).to_have_text(CLIENT_NAME)
    page.click("[data-testid=act-attend]")
    expect(page.locator("[data-testid=appointment-state]")).to_contain_text("已咨询")
    page.fill("textarea[name=text]", "谈了睡眠，下周再约。")
    page.click("[data-testid=save-note]")
    expect(page.locator("[data-testid=notes]")).to_contain_text("谈了睡眠")
    assert_accessible(page)
    assert "谈了睡眠" not in Note.objects.get(appointment=appointment).cipher

    page.context.clear_cookies()
    log_in(page, practice.client.mobile, PASSWORD)
    page.goto(f"/counselling/appointments/{appointment.pk}/")
    expect(page.locator("[data-testid=appointment-state]")).to_contain_text("已咨询")
    expect(page.locator("body")).not_to_contain_text("谈了睡眠")
