"""The back office: every foundation model's list and edit pages open, personal data stays
masked, and residents are written through the registry service."""

import datetime

import pytest
from django.urls import reverse

from liulin.accounts.models import RoleAssignment
from liulin.accounts.tests.factories import UserFactory, make_user
from liulin.core import audit, crypto
from liulin.core.models import AccessLog, AuditLog
from liulin.core.roles import Role
from liulin.orgs.tests.factories import MembershipFactory
from liulin.people.models import CareTag, Resident
from liulin.people.tests.factories import ResidentFactory, make_id_number
from liulin.territory.models import Facility
from liulin.territory.tests.factories import GridFactory, HouseholdFactory, square

pytestmark = pytest.mark.django_db

ID_NUMBER = make_id_number(birth=datetime.date(1950, 3, 8), seq=123)


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


@pytest.fixture
def objects():
    resident = ResidentFactory(id_number=ID_NUMBER, mobile="13912345678", birth_date=datetime.date(1950, 3, 8))
    household = resident.household
    membership = MembershipFactory(resident=resident, name=resident.name)
    user = make_user(Role.GRID_WORKER, household.grid)
    facility = Facility.objects.create(community=household.community, name="公共服务中心", kind=Facility.Kind.CENTRE)
    audit_row = audit.record(actor=user, action="test.action", target=resident)
    access_row = audit.record_access(actor=user, target=resident, field="id_number", reason="核对")
    return {
        "territory.area": household.community,
        "territory.grid": household.grid,
        "territory.estate": household.building.estate,
        "territory.building": household.building,
        "territory.household": household,
        "territory.facility": facility,
        "orgs.organisation": membership.org,
        "accounts.user": user,
        "people.caretag": CareTag.objects.first() or CareTag.objects.create(code="alone", name="独居老人"),
        "people.resident": resident,
        "core.auditlog": audit_row,
        "core.accesslog": access_row,
    }


def _url(label, name, *args):
    app, model = label.split(".")
    return reverse(f"admin:{app}_{model}_{name}", args=args)


@pytest.mark.parametrize(
    "label",
    [
        "territory.area", "territory.grid", "territory.estate", "territory.building", "territory.household",
        "territory.facility", "orgs.organisation", "accounts.user", "people.caretag", "people.resident",
        "core.auditlog", "core.accesslog",
    ],
)
def test_changelist_and_change_page_load(admin_client, objects, label):
    obj = objects[label]
    assert admin_client.get(_url(label, "changelist")).status_code == 200
    assert admin_client.get(_url(label, "change", obj.pk)).status_code == 200


def test_resident_admin_never_shows_plain_phone_or_id(admin_client, objects):
    resident = objects["people.resident"]
    pages = [
        admin_client.get(_url("people.resident", "changelist")).content.decode(),
        admin_client.get(_url("people.resident", "change", resident.pk)).content.decode(),
    ]
    for html in pages:
        assert ID_NUMBER not in html and "13912345678" not in html
        assert resident.id_masked in html and "139****5678" in html
        assert resident.id_cipher not in html and resident.id_hash not in html


def test_logs_are_read_only_in_admin(admin_client, objects):
    for label in ("core.auditlog", "core.accesslog"):
        assert admin_client.get(_url(label, "add")).status_code == 403
        assert admin_client.get(_url(label, "delete", objects[label].pk)).status_code == 403
        html = admin_client.get(_url(label, "change", objects[label].pk)).content.decode()
        assert 'name="_save"' not in html


def _resident_form(household, **overrides):
    data = {
        "name": "王秀兰", "gender": "F", "birth_date": "1950-03-08", "household": household.pk, "relation": "head",
        "is_party_member": "", "notes": "", "new_mobile": "13800138000", "id_number": ID_NUMBER,
    }
    data.update(overrides)
    return data


def test_resident_created_in_admin_is_encrypted_through_the_service(admin_client):
    household = HouseholdFactory()
    response = admin_client.post(_url("people.resident", "add"), _resident_form(household))
    assert response.status_code == 302, response.content.decode()[:2000]
    resident = Resident.objects.get(name="王秀兰")
    assert ID_NUMBER not in resident.id_cipher
    assert crypto.decrypt(resident.id_cipher) == ID_NUMBER
    assert resident.id_hash == crypto.keyed_hash(ID_NUMBER)
    assert resident.name_initials == "wxl" and resident.mobile == "13800138000"
    assert AuditLog.objects.filter(action="resident.create", target_id=str(resident.pk)).exists()


def test_bad_id_number_in_admin_is_a_form_error_and_nothing_saved(admin_client):
    household = HouseholdFactory()
    bad = ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1")
    response = admin_client.post(_url("people.resident", "add"), _resident_form(household, id_number=bad))
    assert response.status_code == 200
    assert "校验位不正确" in response.content.decode()
    assert not Resident.objects.filter(name="王秀兰").exists()
    assert not AuditLog.objects.filter(action="resident.create").exists()


def test_editing_in_admin_keeps_id_and_phone_when_left_blank(admin_client, objects):
    resident = objects["people.resident"]
    form = _resident_form(resident.household, name="王秀英", new_mobile="", id_number="", birth_date="1950-03-08")
    response = admin_client.post(_url("people.resident", "change", resident.pk), form)
    assert response.status_code == 302, response.content.decode()[:3000]
    resident.refresh_from_db()
    assert resident.name == "王秀英" and resident.mobile == "13912345678"
    assert crypto.decrypt(resident.id_cipher) == ID_NUMBER


def test_overlapping_grid_refused_in_admin(admin_client, objects):
    grid = objects["territory.grid"]
    data = {
        "community": grid.community_id, "code": "NEWG", "name": "新网格",
        "boundary": __import__("json").dumps(grid.boundary),
    }
    response = admin_client.post(_url("territory.grid", "add"), data)
    assert response.status_code == 200 and "重叠" in response.content.decode()
    data["boundary"] = __import__("json").dumps(square(50, 10))
    assert admin_client.post(_url("territory.grid", "add"), data).status_code == 302


def test_role_granted_and_revoked_in_admin_goes_through_the_service(admin_client, objects):
    user = UserFactory()
    grid = GridFactory()
    url = _url("accounts.user", "change", user.pk)
    base = {
        "mobile": user.mobile, "name": user.name, "is_active": "on", "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00", "role_assignments-INITIAL_FORMS": "0", "role_assignments-TOTAL_FORMS": "1",
        "role_assignments-MIN_NUM_FORMS": "0", "role_assignments-MAX_NUM_FORMS": "1000",
        "role_assignments-0-role": "grid_worker", "role_assignments-0-grid": grid.pk,
        "role_assignments-0-active": "on", "role_assignments-0-user": user.pk,
    }
    response = admin_client.post(url, base)
    assert response.status_code == 302, response.content.decode()[:3000]
    assignment = RoleAssignment.objects.get(user=user)
    assert assignment.grid == grid and assignment.active
    assert AuditLog.objects.filter(action="role.assign", target_id=str(user.pk)).exists()

    revoke = {**base, "role_assignments-INITIAL_FORMS": "1", "role_assignments-0-id": assignment.pk}
    del revoke["role_assignments-0-active"]
    assert admin_client.post(url, revoke).status_code == 302
    assignment.refresh_from_db()
    assert not assignment.active
    assert AuditLog.objects.filter(action="role.revoke", target_id=str(user.pk)).exists()


def test_access_log_rows_cannot_be_deleted_even_by_bulk_action(admin_client, objects):
    row = objects["core.accesslog"]
    admin_client.post(
        _url("core.accesslog", "changelist"), {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"}
    )
    assert AccessLog.objects.filter(pk=row.pk).exists()
