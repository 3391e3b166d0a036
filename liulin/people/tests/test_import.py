import datetime
import io
import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from openpyxl import Workbook

from liulin.accounts.tests.factories import make_user
from liulin.core import crypto
from liulin.core.models import AuditLog
from liulin.core.roles import Role
from liulin.people import importing
from liulin.people.models import Resident
from liulin.people.tests.factories import make_id_number
from liulin.territory.models import Household

pytestmark = pytest.mark.django_db

HEADER = list(importing.COLUMNS)


def xlsx(rows, header=HEADER):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def row(name="刘一", room="601", seq=1, birth=datetime.date(1950, 1, 2), **overrides):
    cells = {
        "姓名": name, "性别": "男", "出生日期": birth.isoformat(), "手机号": "13700000001",
        "身份证号": make_id_number(birth=birth, seq=seq), "小区": "中南小苑", "楼栋": "3栋", "房号": room,
        "与户主关系": "户主", "关爱标签": "独居老人，高龄", "党员": "是",
    } | overrides
    return [cells[c] for c in HEADER]


def plan(data, town):
    return importing.plan_import(io.BytesIO(data), community=town["community"])


def test_clean_file_imports_with_households_tags_and_encrypted_ids(town):
    before = Resident.objects.count()
    data = xlsx([row(), row(name="刘二", seq=2, 与户主关系="配偶", 关爱标签="", 党员="否"), row(name="陈七", seq=3, room="301")])
    result = plan(data, town)
    assert result.errors == [] and len(result.rows) == 3
    assert Resident.objects.count() == before  # the dry run writes nothing
    assert importing.commit_import(actor=None, plan=result) == 3
    liu = Resident.objects.get(name="刘一")
    assert liu.household.room == "601" and liu.household.grid == town["grid1"]
    assert Resident.objects.get(name="刘二").household == liu.household
    assert Resident.objects.get(name="陈七").household == town["zhang"].household  # an existing room
    assert {t.name for t in liu.care_tags.all()} == {"独居老人", "高龄"} and liu.is_party_member
    assert liu.name_initials == "ly"
    assert crypto.decrypt(liu.id_cipher) == make_id_number(birth=datetime.date(1950, 1, 2), seq=1)
    assert AuditLog.objects.filter(action="resident.import", data__residents=3).exists()


def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_written(town):
    residents, households = Resident.objects.count(), Household.objects.count()
    good_id = make_id_number(birth=datetime.date(1950, 1, 2), seq=9)
    data = xlsx([
        row(seq=1),                                              # row 2: fine
        row(seq=2, 身份证号=good_id[:17] + ("1" if good_id[17] != "1" else "2")),  # row 3
        row(seq=3, 小区="不存在小区"),                             # row 4
        row(seq=4, 楼栋="99栋"),                                  # row 5
        row(seq=5, 手机号="12345"),                               # row 6
        row(seq=6, 身份证号="430112500102001"),                   # row 7: 15-digit
        row(seq=7, 关爱标签="超级英雄"),                           # row 8
        row(seq=1, name="重复"),                                  # row 9: same ID as row 2
        row(seq=8, 性别="未知"),                                   # row 10
        row(seq=10, 党员="也许"),                                  # row 11
        row(seq=11, 出生日期="1950-13-40"),                        # row 12
    ])
    result = plan(data, town)
    found = {(e.row, e.column) for e in result.errors}
    assert found == {
        (3, "身份证号"), (4, "小区"), (5, "楼栋"), (6, "手机号"), (7, "身份证号"), (8, "关爱标签"),
        (9, "身份证号"), (10, "性别"), (11, "党员"), (12, "出生日期"),
    }
    messages = {e.row: str(e) for e in result.errors}
    assert messages[9] == "第 9 行「身份证号」：与第 2 行的身份证号重复。"
    assert "15 位旧身份证号" in messages[7]
    with pytest.raises(importing.Invalid) as refused:
        importing.commit_import(actor=None, plan=result)
    assert refused.value.code == "import_has_errors"
    assert (Resident.objects.count(), Household.objects.count()) == (residents, households)


def test_id_already_registered_is_a_row_error(town):
    from liulin.people.tests.conftest import id_ending_in_x

    result = plan(xlsx([row(身份证号=id_ending_in_x(), birth=datetime.date(1958, 3, 9))]), town)
    assert [(e.row, e.column, e.message) for e in result.errors] == [(2, "身份证号", "该身份证号已登记在册。")]


def test_missing_columns_are_named(town):
    with pytest.raises(importing.Invalid) as e:
        plan(xlsx([["张"]], header=["姓名"]), town)
    assert "性别" in e.value.detail and "小区" in e.value.detail


def test_not_an_excel_file_gets_a_clear_message(town):
    with pytest.raises(importing.Invalid) as e:
        plan(b"this is not xlsx", town)
    assert "xlsx" in e.value.detail


def test_numeric_id_cell_is_refused_because_excel_loses_digits(town):
    result = plan(xlsx([row(身份证号=430112195001020018)]), town)
    assert result.errors[0].column == "身份证号" and "文本" in result.errors[0].message


def test_upload_page_dry_run_then_confirm(staff_client, town):
    upload = SimpleUploadedFile("台账.xlsx", xlsx([row(), row(name="刘二", seq=2)]))
    page = staff_client.post(reverse("people:import"), {"community": town["community"].pk, "file": upload})
    assert page.status_code == 200
    html = page.content.decode()
    assert "刘一" in html and "137****0001" in html and "13700000001" not in html
    assert not Resident.objects.filter(name="刘一").exists()
    token = page.context["confirm_form"].initial["token"]
    stash = (importing._stash_dir() / f"{token}.bin").read_bytes()
    assert "刘一".encode() not in stash and b"13700000001" not in stash  # kept encrypted
    done = staff_client.post(reverse("people:import"), {"token": token})
    assert done.status_code == 302
    assert Resident.objects.filter(name__in=["刘一", "刘二"]).count() == 2
    assert not (importing._stash_dir() / f"{token}.bin").exists()
    # Confirming twice does not import twice.
    staff_client.post(reverse("people:import"), {"token": token})
    assert Resident.objects.filter(name="刘一").count() == 1


def test_upload_page_shows_row_errors(staff_client, town):
    upload = SimpleUploadedFile("台账.xlsx", xlsx([row(), row(seq=2, 手机号="999")]))
    page = staff_client.post(reverse("people:import"), {"community": town["community"].pk, "file": upload})
    assert page.status_code == 400
    html = page.content.decode()
    assert "1 行有错误" in html and "手机号" in html and 'data-testid="import-confirm"' not in html
    assert not Resident.objects.filter(name="刘一").exists()


def test_grid_worker_may_not_import(client, town):
    client.force_login(make_user(Role.GRID_WORKER, town["grid1"]))
    upload = SimpleUploadedFile("台账.xlsx", xlsx([row()]))
    assert client.post(reverse("people:import"), {"community": town["community"].pk, "file": upload}).status_code == 403
    assert not Resident.objects.filter(name="刘一").exists()


def test_staff_of_another_community_may_not_import_into_this_one(client, town):
    from liulin.territory.tests.factories import CommunityFactory

    client.force_login(make_user(Role.COMMUNITY_STAFF, CommunityFactory()))
    upload = SimpleUploadedFile("台账.xlsx", xlsx([row()]))
    response = client.post(reverse("people:import"), {"community": town["community"].pk, "file": upload})
    assert response.status_code == 400  # not among his communities
    assert not Resident.objects.filter(name="刘一").exists()


def test_management_command_dry_run_and_commit(tmp_path, town):
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(xlsx([row()]))
    call_command("import_residents", str(path), community=town["community"].code)
    assert not Resident.objects.filter(name="刘一").exists()
    call_command("import_residents", str(path), community=town["community"].code, commit=True)
    assert Resident.objects.filter(name="刘一").exists()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([row(name="周八", seq=20, 楼栋="99栋")]))
    with pytest.raises(CommandError):
        call_command("import_residents", str(bad), community=town["community"].code, commit=True)
    assert not Resident.objects.filter(name="周八").exists()


def test_ten_thousand_rows_import(town):
    rows = []
    for n in range(10_000):
        birth = datetime.date(1940, 1, 1) + datetime.timedelta(days=n // 7)
        rows.append(row(name=f"居民{n}", room=f"{n // 4 + 1}", seq=n % 7, birth=birth, 手机号=f"135{n:08d}",
                        关爱标签="高龄" if n % 3 == 0 else ""))
    data = xlsx(rows)
    started = time.perf_counter()
    result = plan(data, town)
    planned = time.perf_counter()
    assert result.errors == []
    assert importing.commit_import(actor=None, plan=result) == 10_000
    finished = time.perf_counter()
    print(f"\n10,000-row import on {connection.vendor}: dry run {planned - started:.1f}s, commit {finished - planned:.1f}s")
    assert Resident.objects.filter(name__startswith="居民").count() >= 10_000
    assert Resident.care_tags.through.objects.filter(caretag__name="高龄").count() >= 3334
    # Rooms 1..2500, four residents each; room 301 already existed (张三's), the rest are new.
    assert Household.objects.filter(building=town["b1"]).count() == 2500


def test_unconfirmed_uploads_are_removed_after_two_hours(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC), tick=False)
    old = importing.stash_upload(b"old ledger")
    path = importing._stash_dir() / f"{old}.bin"
    os.utime(path, (time.time(), time.time()))  # the file system's clock is not travelled: pin it
    time_machine.move_to(datetime.datetime(2026, 3, 1, 11, 1, tzinfo=datetime.UTC), tick=False)
    fresh = importing.stash_upload(b"new ledger")
    assert not path.exists()
    assert importing.load_stash(fresh).read() == b"new ledger"
