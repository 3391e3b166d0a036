import pytest
from django.db import connection

from liulin.core import crypto
from liulin.people.models import CareTag, Resident

pytestmark = pytest.mark.django_db


def test_database_row_never_holds_the_plain_id_number(town):
    zhang = town["zhang"]
    plain = crypto.decrypt(Resident.objects.get(pk=zhang.pk).id_cipher)
    assert len(plain) == 18
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Resident._meta.db_table} WHERE id = %s", [zhang.pk])
        row = cursor.fetchone()
    cells = " ".join(str(c) for c in row)
    assert plain not in cells
    assert plain[6:] not in cells  # not even the birth date + sequence part
    assert zhang.id_masked in cells


def test_default_care_tags_are_seeded():
    assert set(CareTag.objects.values_list("name", flat=True)) >= {
        "独居老人", "空巢老人", "高龄", "残疾", "低保", "特困", "留守儿童", "困境儿童", "退役军人", "重病", "优抚对象",
    }
    assert CareTag.objects.get(name="独居老人").code == "living-alone-elderly"


def test_care_tag_admin_lists_tags_with_resident_counts(client, town):
    from liulin.accounts.tests.factories import UserFactory

    town["zhang"].care_tags.add(CareTag.objects.get(name="高龄"))
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    html = client.get("/admin/people/caretag/").content.decode()
    assert "高龄" in html and "优抚对象" in html
