"""Exports and print in the browser: the handler downloads his worklist and the secretary the
三率 table as xlsx (phones masked), and the ticket page and the monthly KPI report print as
their facts, timeline and tables, without the menu, the forms or the buttons."""

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from liulin.accounts.tests.factories import PASSWORD
from liulin.core import clock
from liulin.whistle.services import transitions
from liulin.whistle.tests.intake_fixtures import dispatched, make_town, seed_whistle_defaults

from .whistle_helpers import switch_user

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = "13812345678"


def _download(page, link):
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx"), download.suggested_filename
    with open(download.path(), "rb") as f:
        workbook = load_workbook(io.BytesIO(f.read()), read_only=True)
    return [[c for c in row if c is not None] for row in workbook.worksheets[0].iter_rows(values_only=True)]


def _printed(page, selector):
    return page.locator(selector).first.is_visible()


def test_worklist_and_kpi_download_and_the_ticket_and_report_print(page, screenshot):
    seed_whistle_defaults()
    town = make_town()
    ticket = dispatched(town, contact_phone=PHONE)
    transitions.act(actor=town.property_staff, ticket=ticket, action="accept")

    switch_user(page, town.property_staff, PASSWORD)
    page.goto("/whistle/work/")
    rows = _download(page, page.get_by_test_id("export"))
    cells = [str(c) for row in rows for c in row]
    assert ticket.number in cells
    assert "138****5678" in cells and not any(PHONE in c for c in cells)

    switch_user(page, town.secretary, PASSWORD)
    page.goto(f"/whistle/t/{ticket.pk}/")
    expect(page.get_by_test_id("timeline")).to_be_visible()
    page.emulate_media(media="print")
    for hidden in ("header.top", "main form", "main button", "[data-testid=actions]", "[data-testid=ticket-map]"):
        assert not _printed(page, hidden), f"{hidden} is printed on the ticket"
    expect(page.get_by_test_id("timeline")).to_be_visible()
    expect(page.locator("h1")).to_contain_text(ticket.number)
    expect(page.get_by_test_id("contact-phone")).to_have_text("138****5678")
    screenshot(page, "print-ticket")
    assert page.pdf(format="A4")[:4] == b"%PDF"
    page.emulate_media(media="screen")

    month = f"{clock.today():%Y-%m}"
    page.goto(f"/whistle/kpi/?start={month}&end={month}&group_by=handling_org")
    table = page.get_by_role("region", name="三率明细表")
    expect(table).to_contain_text(town.property_company.name)
    rows = _download(page, page.get_by_test_id("export"))
    assert any(town.property_company.name in row for row in rows)
    page.emulate_media(media="print")
    for hidden in ("header.top", "main form", "[data-testid=export]", ".kpi-links"):
        assert not _printed(page, hidden), f"{hidden} is printed on the report"
    expect(page.get_by_test_id("kpi-period")).to_have_text(f"{month} — {month}")
    expect(table).to_be_visible()
    assert table.evaluate("(el) => getComputedStyle(el).overflowX") == "visible"  # the whole table, not a scroller
    screenshot(page, "print-kpi")
    assert page.pdf(format="A4")[:4] == b"%PDF"
