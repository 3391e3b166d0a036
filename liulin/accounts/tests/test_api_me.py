import pytest

from liulin.accounts.tests.factories import make_user
from liulin.core.roles import Role
from liulin.territory.tests.factories import GridFactory

pytestmark = pytest.mark.django_db


def test_me_lists_the_callers_roles_and_masks_his_number(client):
    grid = GridFactory()
    user = make_user(Role.GRID_WORKER, grid, mobile="13812345678")
    client.force_login(user)
    body = client.get("/api/v1/accounts/me").json()
    assert body["mobile"] == "138****5678"
    assert body["roles"] == [
        {"role": "grid_worker", "role_label": "网格员", "scope_kind": "grid", "scope_id": grid.pk, "scope_name": grid.name}
    ]


def test_me_needs_a_login(client):
    response = client.get("/api/v1/accounts/me")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
