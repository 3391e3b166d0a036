"""One elder's month through her daughter (docs/proxies.md): the mother, on her phone in
长辈版, names her daughter as her proxy for the services she wants; the daughter, on hers,
orders her a meal, enrols her in an activity, books a room in her name, files a request about
her home and, with the written proxy registered for the owners' vote, votes for her. Each
record carries both names; the mother is told each time and reads "who acted for me"; staff
read the community's record; the mother revokes and the daughter is refused."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from liulin.accounts.tests.factories import PASSWORD, make_user
from liulin.activities import services as activities
from liulin.activities.models import Activity, Enrolment
from liulin.activities.tests.factories import _into
from liulin.canteen import services as canteen
from liulin.canteen.models import Canteen, DinerGroup, MealPeriod, Order, Price
from liulin.core import clock
from liulin.core.errors import NotPermitted
from liulin.core.notifications.models import Notification
from liulin.core.roles import Role
from liulin.people import proxies
from liulin.people.models import Proxy, ProxyEvent
from liulin.people.tests.factories import ResidentFactory
from liulin.territory.tests.factories import HouseholdFactory
from liulin.venues.models import Booking
from liulin.venues.tests.factories import make_resource
from liulin.votes import services as votes
from liulin.votes.models import Ballot, Owner
from liulin.votes.tests.factories import make_world
from liulin.whistle.models import Ticket
from liulin.whistle.tests.intake_fixtures import make_town, seed_whistle_defaults

from .conftest import assert_accessible, log_in
from .whistle_helpers import switch_user

pytestmark = pytest.mark.django_db(transaction=True)

SERVICES = ["canteen", "whistle", "venues", "activities", "votes"]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _canteen(town):
    place = Canteen.objects.create(name="中南小苑", community=town.community)
    lunch = MealPeriod.objects.create(canteen=place, code="lunch", name="午餐", starts=datetime.time(11), ends=datetime.time(13),
                                      order_cutoff=datetime.time(9, 30), sort=2)
    Price.objects.bulk_create([Price(period=lunch, group=g, price_fen=1200) for g in DinerGroup.values])
    return lunch


def _vote(mother, mother_user):
    world = make_world()
    owner = world.owners[0]
    Owner.objects.filter(pk=owner.pk).update(resident=mother, user=mother_user, name=mother.name)
    owner.refresh_from_db()
    now = clock.now()
    opens, closes = now - datetime.timedelta(hours=1), now + datetime.timedelta(days=7)
    vote = votes.create_vote(actor=world.chair, committee=world.committee, title="使用维修资金维修电梯", matter=5,
                             opens_at=opens, closes_at=closes)
    votes.act(actor=world.chair, vote=vote, action="publish_notice", now=opens - datetime.timedelta(days=16))
    votes.act(actor=None, vote=vote, action="open", now=opens)
    return world, vote, owner


def test_a_daughter_acts_for_her_mother_across_the_services(page, screenshot):
    seed_whistle_defaults()
    town = make_town()
    mother, mother_user = town.resident, town.resident_user  # 张三, the town's resident, living in 1栋301
    daughter = ResidentFactory(name="张丽", household=HouseholdFactory(building=town.b3, room="602"))
    daughter_user = make_user(Role.RESIDENT, resident=daughter, mobile="13900000031", name="张丽")
    lunch = _canteen(town)
    room = make_resource(town.community, "多功能活动室")
    start = clock.now() + datetime.timedelta(days=7)
    activity = _into(activities.create_activity(
        actor=None, community=town.community, kind=Activity.Kind.EVENT, title="重阳节茶话会", starts_at=start,
        ends_at=start + datetime.timedelta(hours=2), capacity=30), Activity.State.OPEN, town.staff)
    world, vote, owner = _vote(mother, mother_user)
    tomorrow = clock.today() + datetime.timedelta(days=1)

    # 1. The mother, on her phone in 长辈版, names her daughter: five services, until the month's end and more.
    log_in(page, mother_user.mobile, PASSWORD)
    page.click("[data-testid=elder-toggle]")
    page.wait_for_load_state("networkidle")
    page.goto("/people/proxies/")
    page.fill("#id_proxy_mobile", daughter_user.mobile)
    page.select_option("#id_relation", "child")
    for code in SERVICES:
        page.check(f"input[name=services][value={code}]")
    page.fill("#id_valid_until", (clock.today() + datetime.timedelta(days=60)).isoformat())
    screenshot(page, "proxy-grant-elder")
    assert_accessible(page)
    page.click("[data-testid=proxy-grant]")
    page.wait_for_url("**/people/proxies/")
    consent = Proxy.objects.get(elder=mother, revoked_at__isnull=True)
    assert consent.proxy_user == daughter_user and sorted(consent.service_codes) == sorted(SERVICES)
    expect(page.locator(f"[data-testid=consent-{consent.pk}]")).to_contain_text("张丽")
    # The page's own content fits the phone (the site's menu scrolls on its own, in every page).
    for box in ("proxy-grant-form", f"consent-{consent.pk}"):
        assert page.locator(f"[data-testid={box}]").bounding_box()["x"] + page.locator(f"[data-testid={box}]").bounding_box()["width"] <= 360

    # 2. The daughter orders her mother's lunch for tomorrow.
    switch_user(page, daughter_user, PASSWORD)
    page.goto("/canteen/")
    page.select_option("#id_resident", str(mother.pk))
    page.select_option("#id_period", str(lunch.pk))
    page.fill("#id_day", tomorrow.isoformat())
    page.click("[data-testid=place-order]")
    page.wait_for_url("**/canteen/")
    order = Order.objects.get(resident=mother)
    assert (order.channel, order.ordered_by, order.proxy) == ("family", daughter_user, consent)

    # 3. She enrols her mother in the tea party.
    page.goto(f"/activities/{activity.pk}/")
    page.select_option("#id_resident", str(mother.pk))
    page.click("[data-testid=enrol]")
    page.wait_for_url("**/activities/mine/")
    enrolment = Enrolment.objects.get(resident=mother, activity=activity)
    assert enrolment.enrolled_by == daughter_user

    # 4. She books the activity room at nine tomorrow in her mother's name.
    page.goto(f"/venues/resources/{room.pk}/?day={tomorrow.isoformat()}")
    page.click("[data-testid=slot-0900]")
    page.select_option("#id_for_whom", f"u{mother_user.pk}")
    page.click("[data-testid=confirm-booking]")
    page.wait_for_url("**/people/proxies/")
    booking = Booking.objects.get(resource=room)
    assert booking.booker == mother_user and booking.events.get(action="book").actor == daughter_user

    # 5. She reports that the lift of her mother's building is broken.
    page.goto("/whistle/new/")
    page.select_option("#id_for_whom", str(mother.pk))
    page.locator("#id_category").select_option(label="电梯故障")
    page.fill("#id_description", "妈妈住的1栋电梯停了，她下不了楼。")
    page.check("input[name=where][value=home]")
    page.click("[data-testid=resident-form] button[type=submit]")
    page.wait_for_url("**/people/proxies/")
    ticket = Ticket.objects.get(requester=mother)
    assert (ticket.filed_by, ticket.requester_user, ticket.household) == (daughter_user, mother_user, mother.household)
    expect(page.locator(".msg-success, [role=status]").first).to_contain_text(ticket.number)

    # 6. The written proxy for the vote is registered at the office (the law asks one per vote);
    #    the daughter votes for her mother.
    votes.register_proxy(actor=world.clerks[0], vote=vote, owner=owner, holder=daughter_user,
                         document=SimpleUploadedFile("weituoshu.pdf", PDF, content_type="application/pdf"))
    page.goto(f"/votes/{vote.pk}/")
    page.click(f"[data-testid=proxy-vote-{owner.pk}]")
    page.click("[data-testid=choose-yes]")
    page.click("[data-testid=confirm-vote]")
    expect(page.locator("[data-testid=receipt-code]")).to_have_text(re.compile(r"\S{14}"))
    ballot = Ballot.objects.get(vote=vote, owner=owner)
    assert ballot.via_proxy and ballot.entered_by == daughter_user
    page.goto("/people/proxies/")
    expect(page.locator("[data-testid=proxy-done]")).to_contain_text("代为投票")
    screenshot(page, "proxy-daughter-record")

    acts = ProxyEvent.objects.filter(proxy=consent, action="act")
    assert sorted(acts.values_list("service", flat=True)) == sorted(["canteen", "activities", "venues", "whistle", "votes", "votes"])
    # the daughter did each act; the written proxy was registered by the clerk, on the mother's record too
    assert {(a.data["what"], a.actor_id) for a in acts if a.actor_id != daughter_user.pk} == {("登记表决委托书", world.clerks[0].pk)}
    assert Notification.objects.filter(user=mother_user, kind=proxies.KIND).count() >= 6

    # 7. The mother reads who acted for her.
    switch_user(page, mother_user, PASSWORD)
    page.goto("/people/proxies/acts/")
    table = page.locator("[data-testid=proxy-acts]")
    for text in ("张丽", "订餐", "报名", "预约场地", "提交诉求", "代为投票"):
        expect(table).to_contain_text(text)
    assert_accessible(page)
    screenshot(page, "proxy-acts-elder")

    # 8. Community staff read the community's record.
    switch_user(page, town.staff, PASSWORD)
    page.goto("/people/proxies/audit/")
    expect(page.locator("[data-testid=proxy-audit]")).to_contain_text("张丽")
    page.goto("/people/proxies/audit/?service=canteen")
    expect(page.locator("[data-testid=proxy-audit] tbody tr")).to_have_count(1)
    assert_accessible(page)

    # 9. The mother revokes; the daughter is refused from then on.
    switch_user(page, mother_user, PASSWORD)
    page.goto("/people/proxies/")
    page.click(f"[data-testid=revoke-{consent.pk}]")
    page.wait_for_url("**/people/proxies/")
    consent.refresh_from_db()
    assert consent.end_reason == Proxy.End.REVOKED
    with pytest.raises(NotPermitted) as refused:
        canteen.place_order(actor=daughter_user, period=lunch, day=tomorrow + datetime.timedelta(days=1), resident=mother,
                            channel="family")
    assert refused.value.code == "proxy_revoked"
    switch_user(page, daughter_user, PASSWORD)
    page.goto("/canteen/")
    expect(page.locator("#id_resident option")).to_have_count(1)  # herself only
