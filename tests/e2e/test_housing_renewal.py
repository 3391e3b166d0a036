"""The housing manager opens a call for applications on his phone, its rules and tiers typed
as rows; a tenant in his lease's renewal window asks to renew on his phone, and the manager
renews with the tenant's eligibility re-checked. Every page axe-checked at phone width."""

import pytest
from playwright.sync_api import expect

from liulin.accounts.tests.factories import PASSWORD
from liulin.housing.models import Lease, RenewalRequest, Round
from liulin.housing.tests.factories import Town

from .conftest import assert_accessible, content_width, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def _as(page, user):
    page.context.clear_cookies()
    log_in(page, user.mobile, PASSWORD)


def test_the_manager_opens_a_round_on_his_phone(page):
    town = Town()
    _as(page, town.staff)
    page.goto("/housing/")
    page.click("[data-testid=new-round]")
    assert_accessible(page)
    page.fill("#id_title", "2027 年第一批青年人才公寓")
    rows = [("no_local_housing", "本市无自有住房", "yes", "", "不动产登记查询证明"),
            ("annual_income_fen", "家庭年收入不超过 20 万元", "max", "200000", "收入证明")]
    for i, (key, label, kind, limit, document) in enumerate(rows):
        page.fill(f"#id_rules-{i}-key", key)
        page.fill(f"#id_rules-{i}-label", label)
        page.select_option(f"#id_rules-{i}-kind", kind)
        page.fill(f"#id_rules-{i}-limit", limit)
        page.fill(f"#id_rules-{i}-document", document)
    page.fill("#id_tiers-0-code", "a")
    page.fill("#id_tiers-0-label", "A 类高层次人才")
    page.fill("#id_tiers-0-group", "0")
    page.fill("#id_tiers-1-code", "a")  # the same code twice: refused on its row, nothing made
    page.fill("#id_tiers-1-label", "C 类青年人才")
    page.fill("#id_tiers-1-group", "2")
    page.click("[data-testid=create-round]")
    expect(page.locator("[data-testid=tier-row-1] .error")).to_be_visible()
    assert not Round.objects.exists()
    assert_accessible(page)
    page.fill("#id_tiers-1-code", "c")
    page.click("[data-testid=create-round]")
    expect(page.locator("[data-testid=round-state]")).to_contain_text("受理申请")
    round_ = Round.objects.get()
    assert [r.limit for r in round_.rules.all()] == [None, 20_000_000]
    assert content_width(page) <= 360


def test_a_tenant_asks_to_renew_and_the_manager_renews(page):
    town = Town()
    lease = town.lease_in(Lease.State.ACTIVE, ends_in_days=30)
    _as(page, lease.tenant.user)
    page.goto(f"/housing/leases/{lease.pk}/")
    expect(page.locator("[data-testid=renewal]")).to_be_visible()
    page.click("[data-testid=request-renewal]")
    assert_accessible(page)
    page.fill("#id_answer_local_employment_months", "30")
    page.fill("#id_term_months", "24")
    page.click("[data-testid=submit-renewal]")
    expect(page.locator("[data-testid=renewal-open]")).to_be_visible()
    assert content_width(page) <= 360
    assert_accessible(page)

    _as(page, town.staff)
    page.goto("/housing/leases/")
    expect(page.locator(f"[data-testid=renewal-row-{lease.pk}]")).to_contain_text("已申请续租")
    page.goto(f"/housing/leases/{lease.pk}/")
    page.click("[data-testid=renew-link]")
    expect(page.locator("#id_term_months")).to_have_value("24")
    assert_accessible(page)
    page.click("[data-testid=renew]")
    expect(page.locator("[data-testid=previous-lease]")).to_be_visible()
    renewal = Lease.objects.get(previous=lease)
    assert renewal.term_months == 24 and RenewalRequest.objects.get().state == RenewalRequest.State.RENEWED
