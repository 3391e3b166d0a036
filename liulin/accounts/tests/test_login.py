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


def test_lockout_is_per_mobile_number_from_any_address(client):
    """Guessing one account's password from many addresses still locks that account, and
    only it: its owner waits, other accounts log in."""
    UserFactory(mobile="13800002222")
    UserFactory(mobile="13800003333")
    for i in range(5):
        client.post(reverse("accounts:login"), {"username": "13800002222", "password": "wrong"}, REMOTE_ADDR=f"10.1.0.{i}")
    again = client.post(reverse("accounts:login"), {"username": "13800002222", "password": PASSWORD}, REMOTE_ADDR="10.2.0.1")
    assert again.status_code == 429
    other = client.post(reverse("accounts:login"), {"username": "13800003333", "password": PASSWORD}, REMOTE_ADDR="10.2.0.1")
    assert other.status_code == 302


def test_one_password_sprayed_over_many_accounts_locks_the_address(client):
    """Spraying: one wrong password over many accounts from one address is stopped at the
    limit, while the accounts themselves (and other addresses) stay usable."""
    for i in range(6):
        UserFactory(mobile=f"1380000500{i}")
    statuses = [login(client, f"1380000500{i}", "Spring2026!").status_code for i in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert login(client, "13800005005", PASSWORD).status_code == 429  # this address is locked
    elsewhere = client.post(reverse("accounts:login"), {"username": "13800005005", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9")
    assert elsewhere.status_code == 302


def test_behind_the_proxy_the_lockout_counts_the_forwarded_client(client, settings):
    """Behind one trusted proxy every request has the proxy's REMOTE_ADDR: the lockout keys
    on the client named in X-Forwarded-For, so one client's failures lock only that client."""
    settings.LIULIN_TRUSTED_PROXIES = 1
    for i in range(6):
        UserFactory(mobile=f"1380000600{i}")

    def via_proxy(mobile, password, client_ip, forged=""):
        forwarded = f"{forged}, {client_ip}" if forged else client_ip
        return client.post(reverse("accounts:login"), {"username": mobile, "password": password},
                           REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    # The attacker forges a different left-most address every time: the proxy's entry counts.
    statuses = [via_proxy(f"1380000600{i}", "wrong", "203.0.113.5", forged=f"198.51.100.{i}").status_code for i in range(5)]
    assert statuses[-1] == 429
    assert via_proxy("13800006005", PASSWORD, "203.0.113.6").status_code == 302
    assert AccessAttempt.objects.filter(ip_address="203.0.113.5").exists()
    assert not AccessAttempt.objects.filter(ip_address="127.0.0.1").exists()


def test_inactive_account_cannot_log_in(client):
    UserFactory(mobile="13800004444", is_active=False)
    response = login(client, "13800004444", PASSWORD)
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_logout_is_a_post_and_ends_the_session(client):
    client.force_login(UserFactory())
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and "_auth_user_id" not in client.session


def test_a_password_like_the_mobile_number_or_name_is_refused():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    user = UserFactory(mobile="19900000001", name="Wang Xiuying")
    for weak in ("19900000001a", "wangxiuying1"):
        with pytest.raises(ValidationError):
            validate_password(weak, user=user)
    validate_password("lantern-harbour-42", user=user)
