import datetime

import pytest

from liulin.core.errors import Invalid
from liulin.people import services
from liulin.people.models import Resident
from liulin.people.tests.conftest import id_ending_in_x
from liulin.people.tests.factories import make_id_number
from liulin.territory.tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db

BIRTH = datetime.date(1958, 3, 9)


def build(**overrides):
    fields = {"name": "王五", "gender": "M", "birth_date": BIRTH, "mobile": "13800000000"}
    return services.build_resident(**(fields | overrides))


def test_valid_id_with_final_x_is_accepted_and_masked():
    number = id_ending_in_x(BIRTH)
    resident = build(id_number=number.lower())  # a lower-case x is the same number
    assert resident.id_masked == f"{number[:4]}*************{number[-1]}"
    assert resident.id_masked.endswith("X")
    assert number not in resident.id_cipher


def test_bad_checksum_is_rejected():
    number = make_id_number(birth=BIRTH, seq=7)
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(Invalid) as e:
        build(id_number=wrong)
    assert e.value.code == "bad_id_checksum"
    assert "校验位" in e.value.detail


def test_fifteen_digit_legacy_number_is_rejected_with_its_message():
    with pytest.raises(Invalid) as e:
        build(id_number="430112580309123")
    assert e.value.code == "legacy_id"
    assert "15 位旧身份证号已停止使用" in e.value.detail


def test_impossible_birth_date_in_id_is_rejected():
    first17 = "43011219580230123"  # 30 February
    from liulin.core.validators import id_check_char

    with pytest.raises(Invalid) as e:
        build(id_number=first17 + id_check_char(first17))
    assert e.value.code == "invalid_id_birth"


def test_birth_date_must_agree_with_id_number():
    with pytest.raises(Invalid) as e:
        build(id_number=make_id_number(birth=BIRTH), birth_date=datetime.date(1958, 3, 10))
    assert e.value.field == "birth_date"


def test_birth_date_is_taken_from_id_number_when_left_empty():
    resident = build(id_number=make_id_number(birth=BIRTH), birth_date=None)
    assert resident.birth_date == BIRTH


def test_bad_mobile_is_rejected():
    with pytest.raises(Invalid) as e:
        build(mobile="1234567")
    assert e.value.field == "mobile"


def test_same_id_number_cannot_be_registered_twice():
    number = make_id_number(birth=BIRTH, seq=5)
    household = HouseholdFactory()
    services.create_resident(actor=None, household=household, id_number=number, **_fields())
    with pytest.raises(Invalid) as e:
        services.create_resident(actor=None, household=household, id_number=number, **_fields())
    assert e.value.code == "duplicate_id"
    assert Resident.objects.count() == 1


def _fields():
    return {"name": "赵六", "gender": "F", "birth_date": BIRTH}
