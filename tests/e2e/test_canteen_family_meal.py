"""A daughter orders lunch on her phone for her 82-year-old father who lives alone; it is
subsidised (9 yuan: 空巢/独居 over 70), the canteen delivers it, and it appears in the month's
subsidy claim."""

import datetime

import pytest
from playwright.sync_api import expect

from liulin.accounts.tests.factories import PASSWORD, make_user
from liulin.canteen.models import Claim, Order
from liulin.canteen.tests.factories import Kitchen
from liulin.core import clock
from liulin.core.roles import Role

from .conftest import assert_accessible, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_daughter_orders_lunch_for_her_father_it_is_delivered_and_claimed(page, screenshot):
    k = Kitchen()
    today = clock.today()
    father = k.resident(birth=datetime.date(today.year - 82, 1, 1), name="赵德明", with_user=False)
    daughter = k.resident(birth=datetime.date(today.year - 50, 1, 1), name="赵丽", with_user=False)
    daughter.user = make_user(Role.RESIDENT, resident=daughter, mobile="13900000082")
    k.status(father, "living-alone-elderly", valid_from=today - datetime.timedelta(days=30), expires_on=today + datetime.timedelta(days=365))
    k.consent(father, daughter)
    tomorrow = today + datetime.timedelta(days=1)

    log_in(page, daughter.user.mobile, PASSWORD)
    page.goto("/canteen/")
    page.select_option("#id_resident", str(father.pk))
    page.select_option("#id_period", str(k.lunch.pk))
    page.fill("#id_day", tomorrow.isoformat())
    page.check("#id_delivery")
    page.click("[data-testid=place-order]")
    page.wait_for_url("**/canteen/")
    order = Order.objects.get(resident=father)
    expect(page.locator(f"[data-testid=order-{order.pk}]")).to_contain_text("¥9.00")
    assert (order.channel, order.subsidy_fen, order.delivery, order.proxy.proxy_resident_id) == ("family", 900, True, daughter.pk)
    # The page's content fits the phone (the header's menu scrolls within itself).
    assert page.evaluate("(() => { const m = document.querySelector('main'); return Math.max(m.scrollWidth, m.getBoundingClientRect().right); })()") <= 360
    assert_accessible(page)
    screenshot(page, "canteen-family-order")

    page.context.clear_cookies()
    log_in(page, k.staff.mobile, PASSWORD)
    page.goto(f"/canteen/{k.canteen.pk}/queue/?day={tomorrow.isoformat()}")
    assert_accessible(page)
    page.click(f"[data-testid=dispatch-{order.pk}]")
    page.click(f"[data-testid=deliver-{order.pk}]")
    expect(page.locator(f"[data-testid=order-{order.pk}]")).to_have_count(0)
    order.refresh_from_db()
    assert order.state == "delivered"

    page.goto(f"/canteen/{k.canteen.pk}/manage/")
    page.fill("#id_month", tomorrow.isoformat())
    page.click("[data-testid=generate-claim]")
    claim = Claim.objects.get(canteen=k.canteen)
    card = page.locator(f"[data-testid=claim-{claim.pk}]")
    expect(card).to_contain_text("¥9.00")
    expect(card).to_contain_text(claim.sha256)
    assert claim.lines == 1 and claim.subsidy_total_fen == 900
    assert_accessible(page)
    screenshot(page, "canteen-claim")
