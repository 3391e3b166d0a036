"""Importing an owners' register from xlsx: a dry run that writes nothing, exact areas, the
headcount rules (one code, one head; the developer's rows one head), errors per row."""

import io

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from liulin.core.errors import Invalid, NotPermitted
from liulin.votes.importing import commit_register, plan_register
from liulin.votes.models import Owner, Unit

from .factories import make_world

pytestmark = pytest.mark.django_db
HEADER = ["房号", "面积（平方米）", "面积来源", "业主", "业主编号", "业主类型"]


def sheet(rows, header=HEADER):
    book = Workbook()
    ws = book.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


ROWS = [
    ["2栋101", 89.56, "不动产登记簿", "王一", "A1", "业主"],
    ["2栋102", "118.3201", "实测", "王一", "A1", "业主"],  # the same owner: one head
    ["2栋103", 136.75, "买卖合同", "李二", "", "共有人"],
    ["2栋104", 95, "", "某开发公司", "", "建设单位"],
    ["2栋105", 95.1, "", "某开发公司", "", "建设单位"],
]


def test_dry_run_writes_nothing_then_commit_applies():
    world = make_world()
    before = (Unit.objects.count(), Owner.objects.count())
    plan = plan_register(sheet(ROWS), estate=world.estate)
    assert plan.ok, plan.errors
    assert (plan.new_units, plan.heads, plan.total_area_cm2) == (5, 3, 895600 + 1183201 + 1367500 + 950000 + 951000)
    assert (plan.untouched_units, plan.new_owners) == (4, 3)
    assert (Unit.objects.count(), Owner.objects.count()) == before
    commit_register(actor=world.chair, plan=plan)
    assert Unit.objects.get(label="2栋102").area_cm2 == 1183201
    assert Unit.objects.get(label="2栋101").owner == Unit.objects.get(label="2栋102").owner
    assert Owner.objects.get(estate=world.estate, kind=Owner.Kind.DEVELOPER).units.count() == 2
    again = plan_register(sheet(ROWS), estate=world.estate)
    assert (again.new_units, again.changed_units, again.unchanged_units, again.new_owners) == (0, 0, 5, 0)
    changed = plan_register(sheet([["2栋101", 90, "实测", "王一", "A1", "业主"]]), estate=world.estate)
    assert changed.changed_units == 1


def test_errors_are_per_row_and_block_the_commit():
    world = make_world()
    bad = [
        ["", 10, "", "甲", "", ""],
        ["3栋1", "-5", "", "乙", "", ""],
        ["3栋2", "1.23456", "", "丙", "", ""],
        ["3栋3", 10, "估算", "丁", "", "租户"],
        ["3栋4", 10, "", "戊", "B", ""],
        ["3栋5", 10, "", "己", "B", ""],
        ["3栋4", 10, "", "庚", "", ""],
    ]
    plan = plan_register(sheet(bad), estate=world.estate)
    columns = {(number, column) for number, column, _ in plan.errors}
    assert {(2, "房号"), (3, "面积"), (4, "面积"), (5, "面积来源"), (5, "业主类型"), (7, "业主编号"), (8, "房号")} <= columns
    with pytest.raises(Invalid):
        commit_register(actor=world.chair, plan=plan)
    with pytest.raises(Invalid) as missing:
        plan_register(sheet([["x"]], header=["房号"]), estate=world.estate)
    assert missing.value.code == "missing_columns"
    with pytest.raises(Invalid):
        plan_register(io.BytesIO(b"not a workbook"), estate=world.estate)


def test_only_the_committee_or_community_staff_import():
    world = make_world()
    plan = plan_register(sheet(ROWS), estate=world.estate)
    with pytest.raises(NotPermitted):
        commit_register(actor=world.owners[0].user, plan=plan)
    commit_register(actor=world.clerks[0], plan=plan)


def test_the_command_dry_runs_by_default(tmp_path, capsys):
    world = make_world()
    path = tmp_path / "register.xlsx"
    path.write_bytes(sheet(ROWS).getvalue())
    call_command("import_owner_register", str(path), estate=world.estate.pk)
    assert "dry run" in capsys.readouterr().out
    assert not Unit.objects.filter(label="2栋101").exists()
    call_command("import_owner_register", str(path), estate=world.estate.pk, commit=True, actor=world.chair.mobile)
    assert Unit.objects.filter(label="2栋101").exists()


def test_import_through_the_api():
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    world = make_world()
    chair = Client()
    chair.force_login(world.chair)
    upload = lambda: SimpleUploadedFile("r.xlsx", sheet(ROWS).getvalue())  # noqa: E731
    url = f"/api/v1/votes/registers/{world.estate.pk}/import"
    dry = chair.post(url, {"file": upload()})
    assert dry.status_code == 200 and dry.json()["new_units"] == 5 and not dry.json()["committed"]
    assert not Unit.objects.filter(label="2栋101").exists()
    done = chair.post(url, {"file": upload(), "commit": "true"})
    assert done.json()["committed"] and Unit.objects.filter(label="2栋101").exists()
    stranger = Client()
    stranger.force_login(world.owners[0].user)
    assert stranger.post(url, {"file": upload()}).status_code == 404
