"""Exports people expect: the dispatch queue (as filtered), the worklist, the 三率 table, the
红黑榜, the 吹哨报到 department ranking and each supervisor-board column as xlsx, each with
only the rows the page shows the user, phones masked, no cell that a spreadsheet would run
as a formula; and print rules for the ticket page and the report."""

import datetime
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from liulin.accounts.tests.factories import make_user
from liulin.core import clock
from liulin.core.calendar import month_bounds
from liulin.core.roles import Role
from liulin.orgs.models import Organisation
from liulin.orgs.tests.factories import OrganisationFactory
from liulin.territory.tests.factories import CommunityFactory
from liulin.whistle import kpi, selectors
from liulin.whistle.models import Channel, Ticket, Urgency
from liulin.whistle.services import whistles
from liulin.whistle.tests.intake_fixtures import dispatched, submitted
from liulin.whistle.tests.test_kpi import MARCH
from liulin.whistle.tests.test_kpi_pages import make_league
from liulin.whistle.tests.test_whistles import MONDAY, blow, report

pytestmark = pytest.mark.django_db


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def _cells(rows):
    return [str(c) for row in rows for c in row if c is not None]


def test_queue_export_has_the_filtered_rows_the_user_may_dispatch_masked_and_formula_safe(client, town):
    wanted = submitted(town, contact_phone="13812345678", description="=HYPERLINK(\"http://x\")", channel=Channel.HOTLINE)
    other_channel = submitted(town, channel=Channel.SELF_SERVICE)
    already_sent = dispatched(town)
    client.force_login(town.staff)
    rows = _sheet(client.get(reverse("whistle:queue_export"), {"channel": Channel.HOTLINE}))
    numbers = [r[0] for r in rows[1:]]
    assert numbers == [wanted.number]
    assert other_channel.number not in numbers and already_sent.number not in numbers
    cells = _cells(rows)
    assert "138****5678" in cells and not any("13812345678" in c for c in cells)
    assert "'=HYPERLINK(\"http://x\")" in cells and not any(c.startswith("=") for c in cells)
    # The page links its export with the same filters.
    page = client.get(reverse("whistle:queue"), {"channel": Channel.HOTLINE}).content.decode()
    assert reverse("whistle:queue_export") + "?channel=hotline" in page


def test_queue_export_is_refused_to_who_may_not_dispatch(client, town):
    submitted(town)
    client.force_login(town.property_staff)
    assert client.get(reverse("whistle:queue_export")).status_code == 403


def test_worklist_export_has_the_users_worklist_only(client, town):
    mine = dispatched(town, contact_phone="13912345678", contact_name="+SUM(1,2)")
    other_grid = dispatched(town, building=town.b3, urgency=Urgency.NORMAL)
    client.force_login(town.grid_worker)  # grid 1 only
    rows = _sheet(client.get(reverse("whistle:worklist_export")))
    numbers = [r[0] for r in rows[1:]]
    assert mine.number in numbers and other_grid.number not in numbers
    cells = _cells(rows)
    assert "139****5678" in cells and not any("13912345678" in c for c in cells)
    assert "'+SUM(1,2)" in cells
    assert reverse("whistle:worklist_export") in client.get(reverse("whistle:worklist")).content.decode()


def test_worklist_export_of_a_resident_has_nothing_of_others(client, town):
    dispatched(town)
    client.force_login(town.neighbour_user)
    response = client.get(reverse("whistle:worklist_export"))
    assert response.status_code in (200, 403)
    if response.status_code == 200:
        assert len(_sheet(response)) == 1  # the header alone


def test_kpi_export_has_the_rows_of_the_users_scope(client):
    league = make_league()
    period = {"start": f"{MARCH:%Y-%m}", "end": f"{MARCH:%Y-%m}", "group_by": "handling_org"}
    client.force_login(make_user(Role.COMMUNITY_STAFF, league.community))
    rows = _sheet(client.get(reverse("whistle:kpi_export"), period))
    labels = [r[0] for r in rows[1:]]
    assert {"甲物业", "乙物业", "丙物业", "丁物业"} <= set(labels)
    assert rows[0][0] == "承办单位" and labels[-1] == "合计"
    client.force_login(make_user(Role.PROPERTY_STAFF, league.units["甲"]))
    labels = [r[0] for r in _sheet(client.get(reverse("whistle:kpi_export"), period))[1:]]
    assert "乙物业" not in labels and "丁物业" not in labels


def test_kpi_export_is_refused_to_residents(client, town):
    client.force_login(town.resident_user)
    assert client.get(reverse("whistle:kpi_export")).status_code == 403


def test_print_rules_hide_controls_and_the_pages_link_them(client, town):
    css = (Path(settings.BASE_DIR) / "liulin/static/css/liulin.css").read_text()
    assert "@media print" in css
    rules = css[css.index("@media print"):]
    for selector in ("nav", "form", "button", ".no-print"):
        assert selector in rules
    ticket = dispatched(town)
    client.force_login(town.staff)
    for url in (reverse("whistle:ticket", args=[ticket.pk]), reverse("whistle:kpi")):
        assert "css/liulin.css" in client.get(url).content.decode()


def test_an_export_cut_at_its_limit_says_so(client, town, monkeypatch):
    from liulin.whistle import exporting

    monkeypatch.setattr(exporting, "EXPORT_LIMIT", 1)
    submitted(town)
    submitted(town)
    dispatched(town)
    dispatched(town)
    client.force_login(town.staff)
    rows = _sheet(client.get(reverse("whistle:queue_export")))
    assert len(rows) == 3 and "仅导出前 1 条" in rows[-1][0]
    client.force_login(town.property_staff)
    rows = _sheet(client.get(reverse("whistle:worklist_export")))
    assert len(rows) == 3 and "仅导出前 1 条" in rows[-1][0]


# --- the 红黑榜, the 吹哨报到 ranking and the board's columns ---------------------------------


def test_kpi_ranking_export_has_the_pages_ranking_in_the_users_scope(client):
    league = make_league()
    month = {"month": f"{MARCH:%Y-%m}", "by": "handling_org"}
    staff = make_user(Role.COMMUNITY_STAFF, league.community)
    client.force_login(staff)
    rows = _sheet(client.get(reverse("whistle:kpi_ranking_export"), month))
    result = kpi.ranking(staff, MARCH, by="handling_org")
    assert rows[0][:2] == ["名次", "承办单位"]
    ranked = [r for r in rows[1:] if r[0] is not None]
    assert [(r[0], r[1], r[2], r[6]) for r in ranked] == [(r.rank, r.label, r.composite_score, r.dispatched) for r in result.rows]
    assert [r[1] for r in ranked] == ["甲物业", "乙物业", "丙物业", "丁物业"]
    lists = {r[1]: r[7] for r in ranked}
    assert {lists[r.label] for r in result.red} == {"红榜"} and {lists[r.label] for r in result.black} == {"黑榜"}
    assert [r[1] for r in rows[1:] if r[0] is None] == [r.label for r in result.unranked] == ["戊物业"]
    # Units only: no resident's name or phone.
    cells = _cells(rows)
    assert not any(name in c for c in cells for name in ("张三", "李四", "13812345678"))
    page = client.get(reverse("whistle:kpi_ranking"), month).content.decode()
    assert reverse("whistle:kpi_ranking_export") + "?month=2026-03&amp;by=handling_org" in page

    client.force_login(make_user(Role.PROPERTY_STAFF, league.units["甲"]))
    labels = [r[1] for r in _sheet(client.get(reverse("whistle:kpi_ranking_export"), month))[1:]]
    assert "甲物业" in labels and "乙物业" not in labels and "丁物业" not in labels


def test_kpi_ranking_export_is_refused_to_residents(client, town):
    client.force_login(town.resident_user)
    response = client.get(reverse("whistle:kpi_ranking_export"))
    assert response.status_code == 403 and not response.get("Content-Disposition")


def _whistled(town):
    """A month of 吹哨报到 in the town: one department on time, one never."""
    housing = OrganisationFactory(kind=Organisation.Kind.DEPARTMENT, name="区住建局")
    whistle = blow(town, departments=[town.department, housing])
    report(town, whistle, town.department, town.officer, after=datetime.timedelta(hours=1), rating=4)
    whistles.flag_unreported(MONDAY + datetime.timedelta(days=30))
    return whistle


def test_department_ranking_export_has_the_pages_rows(client, town):
    _whistled(town)
    month = {"community": town.community.pk, "month": f"{MONDAY:%Y-%m}"}
    client.force_login(town.secretary)
    rows = _sheet(client.get(reverse("whistle:ranking_export"), month))
    expected = whistles.department_ranking(town.community, month_bounds(MONDAY))
    assert rows[0][:3] == ["名次", "部门", "报到得分"]
    assert [tuple(r) for r in rows[1:]] == [
        (n, r["department"].name, r["score"], r["avg_rating"], r["summons"], r["on_time"], r["late"], r["missed"])
        for n, r in enumerate(expected, start=1)
    ]
    assert [r[1] for r in rows[1:]] == [town.department.name, "区住建局"]
    cells = _cells(rows)
    assert not any(name in c for c in cells for name in ("张三", "李四", "13812345678"))
    page = client.get(reverse("whistle:ranking"), month).content.decode()
    assert reverse("whistle:ranking_export") + f"?community={town.community.pk}&amp;month=2026-03" in page


def test_department_ranking_export_of_a_community_out_of_scope_gives_no_file(client, town):
    _whistled(town)
    elsewhere = make_user(Role.COMMUNITY_SECRETARY, CommunityFactory(name="别的社区"))
    client.force_login(elsewhere)
    response = client.get(reverse("whistle:ranking_export"), {"community": town.community.pk, "month": f"{MONDAY:%Y-%m}"})
    assert response.status_code == 404 and not response.get("Content-Disposition")
    client.force_login(town.resident_user)
    response = client.get(reverse("whistle:ranking_export"), {"month": f"{MONDAY:%Y-%m}"})
    assert response.status_code in (403, 404) and not response.get("Content-Disposition")


def _overdue(town, count, **kw):
    now = clock.now()
    tickets = [dispatched(town, **kw) for _ in range(count)]
    for i, ticket in enumerate(tickets):
        Ticket.objects.filter(pk=ticket.pk).update(resolve_due=now - datetime.timedelta(hours=1 + i))
    return tickets


def test_board_column_export_has_the_whole_column_masked(client, town):
    tickets = _overdue(town, selectors.board.BOARD_LIMIT + 2, contact_phone="13812345678", contact_name="=cmd|x")
    client.force_login(town.secretary)
    rows = _sheet(client.get(reverse("whistle:board_column_export", args=["overdue"])))
    ids, more = selectors.board.column_ids(town.secretary, "overdue", limit=1000)
    assert not more
    numbers = dict(Ticket.objects.filter(pk__in=ids).values_list("pk", "number"))
    assert [r[0] for r in rows[1:]] == [numbers[pk] for pk in ids]  # all of it, in the column's order
    assert len(rows) - 1 == len(tickets) > selectors.board.BOARD_LIMIT
    cells = _cells(rows)
    assert "138****5678" in cells and not any("13812345678" in c for c in cells)
    assert "'=cmd|x" in cells and not any(c.startswith("=") for c in cells)
    newest = _sheet(client.get(reverse("whistle:board_column_export", args=["overdue"]), {"order": "newest"}))
    assert [r[0] for r in newest[1:]] == [r[0] for r in rows[1:]][::-1]
    board = client.get(reverse("whistle:board")).content.decode()
    for column in selectors.COLUMNS:
        assert reverse("whistle:board_column_export", args=[column]) in board
    page = client.get(reverse("whistle:board_column", args=["pending"])).content.decode()
    assert reverse("whistle:board_column_export", args=["pending"]) in page
    assert _sheet(client.get(reverse("whistle:board_column_export", args=["pending"])))[0][0] == "工单号"


def test_board_column_export_is_refused_out_of_scope(client, town):
    _overdue(town, 2)
    client.force_login(town.property_staff)
    response = client.get(reverse("whistle:board_column_export", args=["overdue"]))
    assert response.status_code == 403 and not response.get("Content-Disposition")
    client.force_login(town.secretary)
    assert client.get(reverse("whistle:board_column_export", args=["everything"])).status_code == 404
    client.force_login(make_user(Role.COMMUNITY_SECRETARY, CommunityFactory(name="别的社区")))
    assert len(_sheet(client.get(reverse("whistle:board_column_export", args=["overdue"])))) == 1  # the header alone


def test_board_column_export_is_cut_at_the_limit(client, town, monkeypatch):
    from liulin.whistle import exporting

    monkeypatch.setattr(exporting, "EXPORT_LIMIT", 2)
    _overdue(town, 3)
    client.force_login(town.secretary)
    rows = _sheet(client.get(reverse("whistle:board_column_export", args=["overdue"])))
    assert len(rows) == 4 and "仅导出前 2 条" in rows[-1][0]
