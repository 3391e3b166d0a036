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
    assert dry.json()["owners_by_kind"] == {"person": 1, "co_owners": 1, "developer": 1}
    assert (dry.json()["after_units"], dry.json()["after_owners"]) == (9, 7)
    assert not Unit.objects.filter(label="2栋101").exists()
    done = chair.post(url, {"file": upload(), "commit": "true"})
    assert done.json()["committed"] and Unit.objects.filter(label="2栋101").exists()
    stranger = Client()
    stranger.force_login(world.owners[0].user)
    assert stranger.post(url, {"file": upload()}).status_code == 404


def _errors(plan):
    return {(number, column): message for number, column, message in plan.errors}


@pytest.mark.parametrize("area, says", [
    ("-5", "大于零"), (-89.5, "大于零"), (0, "大于零"), ("0.0000", "大于零"), ("1.23456", "四位小数"), (89.123456, "四位小数"),
    ("八十九", "须是数字"), ("89.5㎡", "须是数字"), ("1,234.5", "须是数字"), ("1e3", "须是数字"), (True, "须是数字"), ("", "不能为空"), (1e20, "请核对"), ("1000000.0001", "请核对"),
])
def test_an_area_that_is_not_a_positive_exact_number_of_square_metres_is_a_row_error(area, says):
    world = make_world()
    plan = plan_register(sheet([["3栋1", area, "", "甲", "", ""], ["3栋2", "1000000", "", "乙", "", ""]]), estate=world.estate)
    assert says in _errors(plan)[(2, "面积")]
    assert [r.label for r in plan.rows] == ["3栋2"] and plan.rows[0].area_cm2 == 10_000_000_000


def test_control_characters_and_overlong_values_are_row_errors_not_silently_changed():
    world = make_world()
    plan = plan_register(sheet([
        ["3栋_x0000_1", 10, "", "甲", "", ""],  # Excel writes a control character into the file as _x0000_
        ["3栋2", 10, "", "乙_x001F_", "", ""],
        ["3栋" + "1" * 63, 10, "", "丙", "", ""],
        ["3栋4", 10, "", "丁" * 65, "", ""],
        ["3栋5", 10, "", "戊", "C" * 33, ""],
        ["3栋6", 10, "", "己\n", "", ""],  # a trailing line break is only whitespace
        ["3栋7_x000D_", 10, "", "庚_x000d_\n", "", ""],  # and so is Excel's carriage return
        ["3栋8", 10, "", "辛_x000B_", "", ""],  # a vertical tab is not
    ]), estate=world.estate)
    found = _errors(plan)
    assert "控制字符" in found[(2, "房号")] and "控制字符" in found[(3, "业主")]
    assert {(4, "房号"), (5, "业主"), (6, "业主编号"), (9, "业主")} <= set(found)
    assert [(r.label, r.name) for r in plan.rows] == [("3栋6", "己"), ("3栋7", "庚")]


@pytest.mark.parametrize("content, code", [
    (b"", "empty_file"),
    (b"\x00" * 4096, "empty_file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "bad_file"),  # an old .xls
    ("房号,面积,业主\n1栋101,89.5,王一\n".encode(), "bad_file"),  # a CSV
    (b"PK\x03\x04" + b"\x00" * 200, "bad_file"),  # a zip's magic and nothing behind it
])
def test_what_is_not_an_xlsx_is_refused(content, code):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from liulin.votes.importing import read_upload

    world = make_world()
    with pytest.raises(Invalid) as refused:
        plan_register(read_upload(SimpleUploadedFile("r.xlsx", content)), estate=world.estate)
    assert refused.value.code == code and refused.value.field == "file"


def test_a_huge_file_and_a_zip_bomb_are_refused(monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from liulin.core.errors import TooLarge
    from liulin.votes import importing

    world = make_world()
    with pytest.raises(TooLarge):
        importing.read_upload(SimpleUploadedFile("r.xlsx", b"PK\x03\x04" + b"\x00" * importing.MAX_BYTES))
    monkeypatch.setattr(importing, "MAX_UNPACKED_BYTES", 2000)  # a real workbook's parts unpack past it
    with pytest.raises(TooLarge):
        plan_register(sheet(ROWS), estate=world.estate)


def test_a_workbook_broken_inside_is_a_bad_file():
    import zipfile

    world = make_world()
    whole, out = zipfile.ZipFile(sheet(ROWS)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as broken:
        for member in whole.infolist():
            data = whole.read(member.filename)
            broken.writestr(member, data[: len(data) // 2] if member.filename.startswith("xl/worksheets/") else data)
    with pytest.raises(Invalid) as refused:
        plan_register(out.getvalue(), estate=world.estate)
    assert refused.value.code == "bad_file"


def test_the_plan_shows_the_register_it_would_leave():
    world = make_world()  # four units 1栋101-104 of owners 0-3, 3.8 m² in all, no codes
    plan = plan_register(sheet(ROWS), estate=world.estate)
    assert plan.heads_by_kind == {Owner.Kind.PERSON: 1, Owner.Kind.CO_OWNERS: 1, Owner.Kind.DEVELOPER: 1}
    assert plan.owners_of_several_units == 2  # 王一 (A1) and the developer
    assert (plan.after_units, plan.after_owners) == (9, 4 + 3)
    assert plan.after_area_cm2 == 38000 + plan.total_area_cm2
    commit_register(actor=world.chair, plan=plan)
    units = Unit.objects.filter(estate=world.estate)
    assert (units.count(), len({u.owner_id for u in units})) == (plan.after_units, plan.after_owners)
    # A sheet that gives 1栋101 to 王一 and renames him: one unit reassigned, one owner changed, one head fewer.
    again = plan_register(sheet([["1栋101", 0.9, "", "王一一", "A1", ""]]), estate=world.estate)
    assert (again.changed_units, again.reassigned_units, again.changed_owners, again.new_owners) == (1, 1, 1, 0)
    assert again.after_owners == plan.after_owners - 1


def test_a_developer_without_a_number_is_renamed_by_the_sheet():
    world = make_world(developer_areas=(5000,))  # the developer exists, with no 业主编号
    plan = plan_register(sheet([["9栋101", 0.5, "", "新名称建设单位", "", "建设单位"]]), estate=world.estate)
    assert (plan.changed_owners, plan.unchanged_units, plan.new_owners) == (1, 1, 0)
    commit_register(actor=world.chair, plan=plan)
    assert Owner.objects.get(estate=world.estate, kind=Owner.Kind.DEVELOPER).name == "新名称建设单位"


def test_the_api_refuses_a_huge_file_and_a_secretary(monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from liulin.accounts.tests.factories import make_user
    from liulin.core.roles import Role
    from liulin.votes import importing

    world = make_world()
    url = f"/api/v1/votes/registers/{world.estate.pk}/import"
    upload = lambda: SimpleUploadedFile("r.xlsx", sheet(ROWS).getvalue())  # noqa: E731
    secretary = Client()
    secretary.force_login(make_user(Role.COMMUNITY_SECRETARY, world.estate.community))
    assert secretary.post(url, {"file": upload(), "commit": "true"}).status_code == 404
    chair = Client()
    chair.force_login(world.chair)
    monkeypatch.setattr(importing, "MAX_BYTES", 1024)
    response = chair.post(url, {"file": upload(), "commit": "true"})
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    assert not Unit.objects.filter(label="2栋101").exists()
