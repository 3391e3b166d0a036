"""A resident's home on a 390 px phone in 长辈版: every service of the six methods is a button
on the first screen (one tap to its page, the second tap is the thing itself), each at least
60×60 px, its text at least 24 px and at a contrast of at least 4.5:1; every page reached
passes axe-core."""

import pytest

from liulin.accounts.models import User
from liulin.demo.logins import DEMO_PASSWORD
from liulin.demo.seed import seed_demo

from .conftest import assert_accessible, log_in

# The whole demo needs the rows data migrations leave, which an earlier browser test's flush
# removed: serialized_rollback puts the database back as `migrate` left it first.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

RESIDENT = "19900000015"  # the demo family's resident: a home in an estate with an owners' vote
SERVICES = {
    "whistle": "/whistle/new/",  # 我要反映
    "whistle_mine": "/whistle/mine/",  # 我的诉求
    "activities": "/activities/",  # 课程与活动
    "venues": "/venues/",  # 场地预约
    "volunteering": "/volunteering/",  # 志愿与积分
    "deliberation": "/deliberation/",  # 小区议事
    "votes": "/votes/",  # 业主投票
    "partybuilding": "/partybuilding/c/",  # 党建微心愿 (his community's list)
}

# Per service button: its box, font size, and the contrast of its text on its background
# (WCAG relative luminance; both colours are solid on these buttons).
MEASURE = """() => {
  function rgb(text) { return text.match(/[\\d.]+/g).slice(0, 3).map(Number); }
  function lum(c) {
    const [r, g, b] = c.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }
  return Array.from(document.querySelectorAll('[data-testid=home-services] a')).map((a) => {
    const box = a.getBoundingClientRect();
    const style = getComputedStyle(a);
    const [l1, l2] = [lum(rgb(style.color)), lum(rgb(style.backgroundColor))].sort((x, y) => y - x);
    return { key: a.dataset.testid.slice(5), href: a.getAttribute('href'), width: box.width, height: box.height,
             bottom: box.bottom, font: parseFloat(style.fontSize), contrast: (l1 + 0.05) / (l2 + 0.05) };
  });
}"""


FITS = """() => { const main = document.querySelector('main');
  return [main.getBoundingClientRect().right, main.scrollWidth, main.clientWidth]; }"""


def assert_fits(page, what):
    """The page's content fits the phone's width without sideways scrolling."""
    right, scroll, client = page.evaluate(FITS)
    assert right <= 390.5 and scroll <= client + 1, f"{what}: main is {right} px wide, scrolls {scroll}/{client}"


def test_every_service_is_one_tap_from_an_elders_home(page, screenshot):
    seed_demo()
    User.objects.filter(mobile=RESIDENT).update(elder_mode=True)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, RESIDENT, DEMO_PASSWORD)
    page.goto("/home/me/")
    assert page.evaluate("document.documentElement.classList.contains('elder')")
    buttons = page.evaluate(MEASURE)
    screenshot(page, "resident-home-elder-390")
    assert {b["key"] for b in buttons} >= set(SERVICES), buttons
    for b in buttons:
        assert b["width"] >= 60 and b["height"] >= 60, b
        assert b["font"] >= 24, b
        assert b["contrast"] >= 4.5, b
        assert b["bottom"] <= 844, f"{b['key']} is below the first screen: {b}"
    assert_fits(page, "home")
    assert_accessible(page)
    # The first tap opens the service's page, where its own action is the second tap.
    for key in SERVICES:
        page.goto("/home/me/")
        with page.expect_navigation() as navigation:
            page.click(f"[data-testid=home-{key}]")
        response = navigation.value
        assert response is not None and response.status < 400, (key, response and response.status)
        assert page.url.split(page.url.split("/")[2], 1)[1].startswith(SERVICES[key]), (key, page.url)
        assert_fits(page, key)
        assert_accessible(page)
