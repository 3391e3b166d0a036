"""The "me too" path in a phone browser: a grid worker reported the streetlight 3 minutes
ago 50 m away; the resident, filling in his own report in other words, sees it before
submitting and joins it instead of filing a second ticket."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from liulin.accounts.tests.factories import PASSWORD
from liulin.core import clock
from liulin.whistle.models import Channel, CoSign, Ticket
from liulin.whistle.services import intake
from liulin.whistle.tests.intake_fixtures import NEAR_LAT, NEAR_LON, make_town, seed_whistle_defaults

from .conftest import assert_accessible
from .whistle_helpers import switch_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_resident_sees_the_likely_duplicate_before_submitting_and_joins_it(page, screenshot):
    seed_whistle_defaults()
    town = make_town()
    earlier, _ = intake.file_ticket(
        actor=town.grid_worker, channel=Channel.GRID_PATROL, category="municipal-streetlight",
        description="小区门口路灯坏了，晚上黑漆漆的", lon=NEAR_LON, lat=NEAR_LAT,
        now=clock.now() - datetime.timedelta(minutes=3),
    )
    filed_before = Ticket.objects.count()

    switch_user(page, town.resident_user, PASSWORD)
    page.goto("/whistle/new/")
    page.locator("#id_category").select_option(label="路灯")
    page.locator("#id_description").fill("门口这盏路灯一直不亮，走路看不见")
    likely = page.get_by_test_id(f"likely-{earlier.pk}")
    expect(likely).to_be_visible()  # shown while filling in, before anything is submitted
    expect(likely).to_contain_text("路灯")
    expect(likely).to_contain_text("米")
    assert Ticket.objects.count() == filed_before
    screenshot(page, "duplicates-1-likely")
    assert_accessible(page)

    page.get_by_test_id(f"join-{earlier.pk}").click()
    expect(page).to_have_url(re.compile(r"/whistle/mine/$"))
    expect(page.get_by_test_id(f"joined-{earlier.pk}")).to_be_visible()
    screenshot(page, "duplicates-2-joined")
    assert_accessible(page)
    assert Ticket.objects.count() == filed_before
    assert CoSign.objects.filter(ticket=earlier, user=town.resident_user).exists()
    earlier.refresh_from_db()
    assert earlier.cosign_count == 1
