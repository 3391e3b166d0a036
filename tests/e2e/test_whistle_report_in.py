"""吹哨报到 in a phone browser: the community blows a whistle on an open ticket naming two
departments; one reports in on time, the other never does; past the report-in deadline the
community's whistle page flags the silent one late, and the community rates the one that came."""

import datetime

import pytest
import time_machine
from playwright.sync_api import expect

from liulin.accounts.tests.factories import PASSWORD, make_user
from liulin.core import clock
from liulin.core.roles import Role
from liulin.orgs.models import Organisation
from liulin.orgs.tests.factories import OrganisationFactory
from liulin.whistle.models import Channel, Summons, WhistleCall
from liulin.whistle.services import intake, whistles
from liulin.whistle.tests.intake_fixtures import make_town, seed_whistle_defaults

from .conftest import assert_accessible
from .whistle_helpers import switch_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_department_that_does_not_report_in_is_flagged_and_the_other_is_rated(page, screenshot):
    seed_whistle_defaults()
    town = make_town()
    dept_a = town.department  # 区城管局
    dept_b = OrganisationFactory(
        name="区住建局", kind=Organisation.Kind.DEPARTMENT, community=town.community.parent
    )
    officer_a = town.officer
    officer_b = make_user(Role.DEPARTMENT_OFFICER, dept_b)
    ticket, _ = intake.file_ticket(
        actor=town.staff,
        channel=Channel.GRID_PATROL,
        category=town.category("illegal-building"),
        description="1栋楼顶私搭乱建彩钢房，多次劝导无效。",
        building=town.b1,
    )

    # 1. The community worker blows an emergency whistle on the ticket, naming both departments.
    switch_user(page, town.staff, PASSWORD)
    page.goto("/whistle/whistles/")
    assert_accessible(page)
    blow = page.get_by_test_id("blow-form")
    blow.get_by_label("应急处置").check()
    blow.get_by_label("事由").fill("楼顶违建联合处置")
    blow.get_by_role("checkbox", name=ticket.number).check()
    blow.get_by_role("checkbox", name=dept_a.name).check()
    blow.get_by_role("checkbox", name=dept_b.name).check()
    blow.get_by_role("button", name="吹哨").click()
    expect(page.locator("ul.messages")).to_contain_text("已吹哨")

    whistle = WhistleCall.objects.get(title="楼顶违建联合处置")
    assert whistle.kind == WhistleCall.Kind.EMERGENCY
    assert whistle.report_due == whistle.blown_at + datetime.timedelta(hours=1)
    summons_a = Summons.objects.get(whistle=whistle, department=dept_a)
    summons_b = Summons.objects.get(whistle=whistle, department=dept_b)
    card = page.get_by_test_id(f"whistle-{whistle.pk}")
    expect(card.locator("tr", has_text=dept_a.name)).to_contain_text("待报到")
    expect(card.locator("tr", has_text=dept_b.name)).to_contain_text("待报到")

    # 2. Department A's officer reports in at once, on site.
    switch_user(page, officer_a, PASSWORD)
    page.goto("/whistle/summons/")
    task = page.get_by_test_id(f"summons-{summons_a.pk}")
    expect(task).to_contain_text("楼顶违建联合处置")
    assert_accessible(page)
    expect(page.get_by_test_id(f"summons-{summons_b.pk}")).to_have_count(0)
    task.get_by_label("已到现场").check()
    task.locator("textarea[name=actions]").fill("执法队员已到场，下达限期拆除通知。")
    page.get_by_test_id(f"report-{summons_a.pk}").click()
    expect(page.locator("ul.messages")).to_contain_text("已报到")
    expect(page.get_by_test_id(f"summons-{summons_a.pk}")).to_contain_text("报到")

    # 3. Department B stays silent. Ninety minutes later the deadline has passed: the
    #    periodic sweep flags it, and the community's page shows who came and who did not.
    later = clock.now() + datetime.timedelta(minutes=90)
    with time_machine.travel(later, tick=True):
        assert whistles.flag_unreported() == 1

        switch_user(page, officer_b, PASSWORD)
        page.goto("/whistle/summons/")
        expect(page.get_by_test_id(f"summons-{summons_b.pk}")).to_contain_text("逾期")

        switch_user(page, town.staff, PASSWORD)
        page.goto("/whistle/whistles/")
        card = page.get_by_test_id(f"whistle-{whistle.pk}")
        row_a = card.locator("tr", has_text=dept_a.name)
        row_b = card.locator("tr", has_text=dept_b.name)
        expect(row_b).to_contain_text("逾期未报到")
        expect(row_a).to_contain_text("到场")
        expect(row_a).not_to_contain_text("迟到")
        expect(row_a).not_to_contain_text("逾期")
        expect(row_b.get_by_role("button", name="评价")).to_have_count(0)
        screenshot(page, "whistle-4-report-in-flagged")
        assert_accessible(page)

        # 4. The community rates department A's report-in.
        row_a.get_by_label("评价").select_option("4")
        row_a.get_by_role("button", name="评价").click()
        expect(page.locator("ul.messages")).to_contain_text(f"已评价 {dept_a.name}")
        expect(
            page.get_by_test_id(f"whistle-{whistle.pk}").locator("tr", has_text=dept_a.name)
        ).to_contain_text("4 ★")

    summons_a.refresh_from_db()
    summons_b.refresh_from_db()
    assert summons_a.reported_at is not None and summons_a.reported_by == officer_a and summons_a.on_site
    assert summons_a.late is False
    assert summons_a.rating == 4 and summons_a.rated_by == town.staff
    assert summons_b.reported_at is None and summons_b.late is True
    assert summons_b.rating is None
    ranking = whistles.department_ranking(
        town.community, (whistle.blown_at - datetime.timedelta(days=1), later)
    )
    assert [row["department"] for row in ranking] == [dept_a, dept_b]
