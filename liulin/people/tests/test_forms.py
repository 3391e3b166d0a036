import datetime

import pytest
from django.urls import reverse

from liulin.accounts.tests.factories import make_user
from liulin.core import crypto
from liulin.core.models import AuditLog
from liulin.core.roles import Role
from liulin.people.models import CareTag, Resident
from liulin.people.tests.factories import make_id_number
from liulin.territory.models import Household

pytestmark = pytest.mark.django_db


def form_data(town, **overrides):
    data = {
        "name": "王大妈",
        "gender": "F",
        "birth_date": "1944-08-01",
        "mobile": "13600001111",
        "id_number": make_id_number(birth=datetime.date(1944, 8, 1), seq=88),
        "building": town["b1"].pk,
        "room": "402",
        "relation": "head",
        "care_tags": [CareTag.objects.get(name="独居老人").pk, CareTag.objects.get(name="高龄").pk],
        "notes": "",
    }
    return data | overrides


def test_staff_registers_a_resident_in_a_new_room(staff_client, staff, town):
    response = staff_client.post(reverse("people:resident_create"), form_data(town))
    resident = Resident.objects.get(name="王大妈")
    assert response.status_code == 302
    assert response["Location"] == reverse("people:resident_detail", args=[resident.pk])
    assert resident.household.room == "402" and resident.household.grid == town["grid1"]
    assert {t.name for t in resident.care_tags.all()} == {"独居老人", "高龄"}
    assert resident.mobile_masked == "136****1111"
    assert AuditLog.objects.filter(action="resident.create", target_id=str(resident.pk), actor=staff).exists()


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("id_number", "430112194408010000", "校验位"),
        ("id_number", "430112440801001", "15 位旧身份证号已停止使用"),
        ("mobile", "12345", "手机号应为 11 位"),
        ("birth_date", "1944-08-02", "出生日期与身份证号"),
    ],
)
def test_bad_input_shows_a_form_message_and_writes_nothing(staff_client, town, field, value, message):
    households = Household.objects.count()
    response = staff_client.post(reverse("people:resident_create"), form_data(town, **{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Resident.objects.filter(name="王大妈").exists()
    assert Household.objects.count() == households  # the new room was rolled back too


def test_grid_worker_cannot_register_into_another_grid(client, town):
    client.force_login(make_user(Role.GRID_WORKER, town["grid1"]))
    response = client.post(reverse("people:resident_create"), form_data(town, building=town["b2"].pk))
    assert response.status_code == 400  # building 2 is not among his choices
    assert not Resident.objects.filter(name="王大妈").exists()


def test_edit_changes_fields_and_keeps_the_id_when_left_blank(staff_client, town):
    zhang = town["zhang"]
    cipher = zhang.id_cipher
    data = form_data(town, name="张三丰", id_number="", birth_date="1958-03-09", room="301", mobile="13812345678")
    response = staff_client.post(reverse("people:resident_edit", args=[zhang.pk]), data)
    assert response.status_code == 302
    zhang.refresh_from_db()
    assert zhang.name == "张三丰" and zhang.name_initials == "zsf"
    assert zhang.id_cipher == cipher
    assert crypto.decrypt(zhang.id_cipher).endswith("X")


def test_edit_form_never_prefills_the_plain_id(staff_client, town):
    zhang = town["zhang"]
    html = staff_client.get(reverse("people:resident_edit", args=[zhang.pk])).content.decode()
    assert crypto.decrypt(zhang.id_cipher) not in html
    assert zhang.id_masked in html
