"""An owners' vote end to end on a phone: the owner (in 长辈版) votes in three screens and
keeps his receipt code; the committee counts and publishes in the browser; the owner checks
with his code that his ballot was counted as cast."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from liulin.accounts.tests.factories import PASSWORD
from liulin.core import clock
from liulin.votes import services
from liulin.votes.models import Ballot, State, Vote
from liulin.votes.tests.factories import make_world

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_owner_votes_committee_counts_owner_checks_receipt(browser, live_server, page, screenshot):
    world = make_world()
    now = clock.now()
    opens, closes = now - timedelta(hours=1), now + timedelta(days=7)
    vote = services.create_vote(actor=world.chair, committee=world.committee, title="使用维修资金维修电梯", matter=5,
                                opens_at=opens, closes_at=closes)
    services.act(actor=world.chair, vote=vote, action="publish_notice", now=opens - timedelta(days=16))
    services.act(actor=None, vote=vote, action="open", now=opens)
    for other in world.owners[1:3]:
        services.cast_online(actor=other.user, vote=vote, choice="yes")
    owner = world.owners[0].user

    # The owner, on a phone, in 长辈版.
    log_in(page, owner.mobile, PASSWORD)
    page.goto("/votes/")
    page.click("[data-testid=elder-toggle]")
    page.wait_for_load_state("networkidle")
    assert page.locator("html.elder").count() == 1
    page.click(f"[data-testid=go-vote-{vote.pk}]")  # screen 1: the matter and three big buttons
    yes = page.locator("[data-testid=choose-yes]")
    assert yes.bounding_box()["height"] >= 60
    screenshot(page, "votes-ballot-elder")
    yes.click()
    expect(page.locator("[data-testid=confirm-choice]")).to_have_text("同意")  # screen 2
    page.click("[data-testid=confirm-vote]")
    code = page.text_content("[data-testid=receipt-code]").strip()  # screen 3
    assert len(code) == 14
    assert Ballot.objects.get(vote=vote, owner=world.owners[0]).choice == "yes"
    screenshot(page, "votes-receipt")

    # Voting closes at its deadline (the scheduled sweep); the committee counts and publishes.
    services.act(actor=None, vote=vote, action="close", now=closes)
    chair_context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", base_url=live_server.url)
    chair = chair_context.new_page()
    log_in(chair, world.chair.mobile, PASSWORD)
    chair.goto(f"/votes/{vote.pk}/")
    expect(chair.locator("[data-testid=participation]")).to_contain_text("3 / 4")
    chair.click("[data-testid=act-count]")
    chair.click("[data-testid=act-publish_result]")
    expect(chair.locator("[data-testid=vote-state]")).to_have_text("已公示")
    expect(chair.locator("[data-testid=result]")).to_contain_text("通过")
    screenshot(chair, "votes-result-committee")
    chair_context.close()
    assert Vote.objects.get(pk=vote.pk).state == State.PUBLISHED

    # The owner checks his code against the published count.
    page.goto(f"/votes/{vote.pk}/")
    page.fill("input[name=code]", code)
    page.click("[data-testid=receipt-check]")
    expect(page.locator("[data-testid=receipt-result]")).to_contain_text("已按所投计入结果")
    expect(page.locator("[data-testid=receipt-result]")).to_contain_text("1栋101")
