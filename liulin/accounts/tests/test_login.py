import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from liulin.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5


def login(client, mobile, password):
    return client.post(reverse("accounts:login"), {"username": mobile, "password": password}, REMOTE_ADDR="10.0.0.7")


def test_login_by_mobile_and_password(client):
    user = UserFactory(mobile="13800001111")
    response = login(client, "13800001111", PASSWORD)
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_wrong_password_shows_a_clear_message(client):
    UserFactory(mobile="13800001111")
    response = login(client, "13800001111", "wrong-password")
    assert response.status_code == 200
    assert "手机号或密码不正确" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sixth_attempt_with_the_right_password_is_locked_out(client):
    UserFactory(mobile="13800002222")
    statuses = [login(client, "13800002222", "wrong-password").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth failure reaches the limit
    response = login(client, "13800002222", PASSWORD)
    assert response.status_code == 429
    assert "账号已暂时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.filter(username="13800002222").exists()


def test_lockout_is_per_mobile_number(client):
    UserFactory(mobile="13800002222")
    UserFactory(mobile="13800003333")
    for _ in range(5):
        login(client, "13800002222", "wrong-password")
    assert login(client, "13800003333", PASSWORD).status_code == 302


def test_inactive_account_cannot_log_in(client):
    UserFactory(mobile="13800004444", is_active=False)
    response = login(client, "13800004444", PASSWORD)
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_logout_is_a_post_and_ends_the_session(client):
    client.force_login(UserFactory())
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and "_auth_user_id" not in client.session
