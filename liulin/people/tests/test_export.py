import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from liulin.accounts.tests.factories import make_user
from liulin.core import crypto
from liulin.core.models import AuditLog
from liulin.core.roles import Role
from liulin.core.xlsx import neutralise
from liulin.people.tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


def exported_rows(client, **params):
    response = client.get(reverse("people:export"), params)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]


def test_export_is_masked(staff_client, town):
    rows = exported_rows(staff_client)
    header, body = rows[0], rows[1:]
    zhang = next(r for r in body if r[0] == "张三")
    assert zhang[header.index("手机号")] == "138****5678"
    assert zhang[header.index("身份证号")] == town["zhang"].id_masked
    flat = " ".join(str(c) for r in rows for c in r)
    assert "13812345678" not in flat
    assert crypto.decrypt(town["zhang"].id_cipher) not in flat


def test_export_neutralises_formulas(staff_client, town):
    ResidentFactory(name="=1+1", notes="@SUM(A1:A9)", household=town["zhang"].household)
    ResidentFactory(name="-2+3", notes="+cmd|' /C calc'!A0", household=town["zhang"].household)
    rows = exported_rows(staff_client)
    header = rows[0]
    names = {r[0] for r in rows[1:]}
    notes = {r[header.index("备注")] for r in rows[1:]}
    assert "'=1+1" in names and "'-2+3" in names and "=1+1" not in names
    assert "'@SUM(A1:A9)" in notes and "'+cmd|' /C calc'!A0" in notes


@pytest.mark.parametrize("text", ["=A1", "+1", "-1", "@x", "\tx", "\rx"])
def test_neutralise_prefixes_every_formula_start(text):
    assert neutralise(text) == "'" + text


def test_neutralise_keeps_ordinary_text_and_numbers():
    assert neutralise("张三") == "张三"
    assert neutralise(67) == 67


def test_export_holds_only_scoped_rows_and_is_audited(client, town):
    auditor = make_user(Role.AUDITOR, town["community"])
    client.force_login(auditor)
    assert {r[0] for r in exported_rows(client)[1:]} == {"张三", "李四"}
    assert AuditLog.objects.filter(action="resident.export", actor=auditor, data__rows=2).exists()


def test_export_follows_the_search(staff_client, town):
    assert [r[0] for r in exported_rows(staff_client, q="ls")[1:]] == ["李四"]


def test_grid_worker_may_not_export(client, town):
    client.force_login(make_user(Role.GRID_WORKER, town["grid1"]))
    assert client.get(reverse("people:export")).status_code == 403


def test_import_template_has_the_import_header(staff_client):
    from liulin.people.importing import COLUMNS

    response = staff_client.get(reverse("people:import_template"))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert tuple(next(workbook.worksheets[0].iter_rows(values_only=True))) == COLUMNS
