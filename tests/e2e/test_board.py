"""The supervisor in a phone browser: she lands on the staff home, which opens with her ticket
work; from its overdue figure she reaches the board's 已超时 column, whose "更多" brings every
overdue ticket past the first 15, and its other end the newest breaches first."""

import datetime

import pytest
from playwright.sync_api import expect

from liulin.accounts.tests.factories import PASSWORD
from liulin.core import clock
from liulin.whistle.models import Ticket
from liulin.whistle.tests.intake_fixtures import dispatched, make_town, seed_whistle_defaults

from .conftest import assert_accessible
from .whistle_helpers import switch_user

pytestmark = pytest.mark.django_db(transaction=True)

OVERDUE = 20


def test_the_supervisor_lands_on_her_work_and_pages_the_overdue_column(page, screenshot):
    seed_whistle_defaults()
    town = make_town()
    now = clock.now()
    tickets = [dispatched(town) for _ in range(OVERDUE)]
    for i, ticket in enumerate(tickets):  # the first is the oldest breach, the last the newest
        Ticket.objects.filter(pk=ticket.pk).update(resolve_due=now - datetime.timedelta(hours=OVERDUE - i))
    oldest, newest = tickets[0].number, tickets[-1].number

    switch_user(page, town.secretary, PASSWORD)
    page.goto("/")
    work = page.get_by_test_id("whistle-work")
    expect(work.locator("[data-figure=overdue] .value")).to_have_text(str(OVERDUE))
    assert_accessible(page)
    screenshot(page, "board-1-landing")

    page.goto("/whistle/board/")
    expect(page.get_by_test_id("count-overdue")).to_have_text("15+")
    column = page.locator("[data-testid^=board-overdue-T]")
    expect(column).to_have_count(15)
    expect(page.get_by_test_id(f"board-overdue-{oldest}")).to_be_visible()
    expect(page.get_by_test_id(f"board-overdue-{newest}")).to_have_count(0)
    assert_accessible(page)

    work_link = page.get_by_test_id("board-overdue-more")
    work_link.click()  # htmx: the next rows join the list, the link goes
    expect(column).to_have_count(OVERDUE)
    expect(page.get_by_test_id(f"board-overdue-{newest}")).to_be_visible()
    expect(page.get_by_test_id("board-overdue-more")).to_have_count(0)
    screenshot(page, "board-2-all-overdue")

    page.get_by_test_id("board-overdue-other-end").click()  # 最新超时: the newest breaches first
    first = page.locator("[data-testid^=board-overdue-T]").first
    expect(first).to_have_attribute("data-testid", f"board-overdue-{newest}")
    assert_accessible(page)

    page.goto("/")
    page.get_by_test_id("whistle-work").locator("[data-figure=overdue]").click()
    expect(page.locator("[data-testid^=board-overdue-T]").first).to_have_attribute("data-testid", f"board-overdue-{oldest}")
    expect(page.get_by_test_id("board-overdue-more")).to_be_visible()
