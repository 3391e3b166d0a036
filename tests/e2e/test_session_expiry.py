"""A session that expires while a page is open: the next htmx request (a registry search)
takes the whole page to the login page, not a login form swapped into the results, and
logging in again returns to the page."""

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from liulin.accounts.tests.factories import PASSWORD, make_user
from liulin.core.roles import Role
from liulin.people.tests.factories import ResidentFactory
from liulin.territory.tests.factories import GridFactory, HouseholdFactory

from .conftest import assert_accessible, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_expired_session_reloads_on_the_login_page_and_comes_back(page):
    grid = GridFactory()
    ResidentFactory(name="张三丰", household=HouseholdFactory(building__grid=grid))
    staff = make_user(Role.COMMUNITY_STAFF, grid.community, mobile="13800000002")
    log_in(page, staff.mobile, PASSWORD)
    page.goto("/people/?q=zs")
    expect(page.locator("#results a.resident-name", has_text="张三丰")).to_have_count(1)
    assert_accessible(page)

    page.context.clear_cookies()  # the session cookie is gone, as when it expires
    page.fill("[data-testid=resident-search]", "zsf")

    page.wait_for_url("**/accounts/login/**")
    assert_accessible(page)
    assert page.locator("#results").count() == 0, "the whole page is the login page"
    assert parse_qs(urlsplit(page.url).query)["next"] == ["/people/?q=zs"]

    page.fill("#id_username", staff.mobile)
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url("**/people/?q=zs")
    expect(page.locator("#results a.resident-name", has_text="张三丰")).to_have_count(1)
