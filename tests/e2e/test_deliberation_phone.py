"""议事 on a phone, for each who works with it: the community secretary (meetings, overdue
items, 四议两公开, mediation, owners' committees), the chair of 同心家园's owners' committee
(his committee, the cases he mediates, his estate's meetings), the property company's staff
(the meetings it is invited to) and a resident (his estate's meetings with their decisions,
and the 公示栏). On the demo data at 390 px, every page answers, fits the screen without
sideways scrolling and passes axe-core at 390 and 1280 px."""

import pytest

from liulin.accounts.models import User
from liulin.deliberation import committees, mediation, selectors
from liulin.deliberation.models import Kind, MajorMatter, State
from liulin.demo.logins import DEMO_PASSWORD
from liulin.demo.seed import seed_demo

from .conftest import assert_accessible, log_in

# The whole demo needs the rows data migrations leave, which an earlier browser test's flush
# removed: serialized_rollback puts the database back as `migrate` left it first.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SECRETARY, PROPERTY, CHAIR, RESIDENT = "19900000001", "19900000006", "19900000007", "19900000015"
WIDTH = 390

FITS = """() => { const main = document.querySelector('main');
  return [main.getBoundingClientRect().right, main.scrollWidth, main.clientWidth]; }"""


def pages_for(mobile):
    """The 议事 pages this demo account works from, read through the same selectors as the pages."""
    user = User.objects.get(mobile=mobile)
    meetings = selectors.meetings_for(user)
    held = meetings.filter(state=State.HELD).first()
    urls = ["/deliberation/"] + ([f"/deliberation/{held.pk}/"] if held else [])
    if mobile == SECRETARY:
        matter = MajorMatter.objects.filter(is_demo=True).first()
        coordination = meetings.filter(kind=Kind.COORDINATION).first()
        urls += ["/deliberation/new/", "/deliberation/overdue/", f"/deliberation/{coordination.pk}/", "/deliberation/matters/",
                 f"/deliberation/matters/{matter.pk}/"]
    if mobile in (SECRETARY, CHAIR):
        term = committees.terms_for(user).first()
        case = mediation.cases_for(user).first()
        urls += ["/deliberation/committees/", f"/deliberation/committees/{term.pk}/", "/deliberation/mediation/",
                 f"/deliberation/mediation/{case.pk}/"]
    if mobile == PROPERTY:
        invited = meetings.filter(kind=Kind.COORDINATION).first()
        urls += [f"/deliberation/{invited.pk}/"]
    if mobile == RESIDENT:
        urls += ["/notices/"]
    return urls


@pytest.mark.parametrize("mobile", [SECRETARY, CHAIR, PROPERTY, RESIDENT], ids=["secretary", "committee-chair", "property",
                                                                            "resident"])
def test_deliberation_pages_fit_a_phone_for_each_role(page, screenshot, mobile):
    seed_demo()
    urls = pages_for(mobile)
    assert len(urls) >= 2, urls  # each sees at least the list and a held meeting of his estate
    page.set_viewport_size({"width": WIDTH, "height": 844})
    log_in(page, mobile, DEMO_PASSWORD)
    for url in urls:
        response = page.goto(url)
        assert response is not None and response.status == 200, (url, response and response.status)
        right, scroll, client = page.evaluate(FITS)
        assert right <= WIDTH + 0.5 and scroll <= client + 1, f"{url}: main is {right} px wide, scrolls {scroll}/{client}"
        assert_accessible(page)
    screenshot(page, f"deliberation-phone-{mobile}")
