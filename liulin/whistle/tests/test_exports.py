"""Exports people expect: the dispatch queue (as filtered), the worklist and the 三率 table
as xlsx, each with only the rows the page shows the user, phones masked, no cell that a
spreadsheet would run as a formula; and print rules for the ticket page and the report."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from liulin.accounts.tests.factories import make_user
from liulin.core.roles import Role
from liulin.whistle.models import Channel, Urgency
from liulin.whistle.tests.intake_fixtures import dispatched, submitted
from liulin.whistle.tests.test_kpi import MARCH
from liulin.whistle.tests.test_kpi_pages import make_league

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
