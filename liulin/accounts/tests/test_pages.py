"""Elder mode remembered on the account, and the friendly error pages."""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from liulin.accounts.tests.factories import UserFactory, make_user
from liulin.core.models import AuditLog
from liulin.core.roles import Role
from liulin.people.tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db

ELDER_HTML = re.compile(r'<html[^>]*class="elder"')


def page_html(client):
    """Any page built on base.html; a missing page is one that every user can reach."""
    return client.get("/no-such-page/").content.decode()


def test_elder_mode_is_remembered_on_the_user_across_sessions():
    user = UserFactory()
    first = Client()
    first.force_login(user)
    assert not ELDER_HTML.search(page_html(first))
    response = first.post(reverse("core:elder_mode"), {"on": "1", "next": "/orgs/"})
    assert response.status_code == 302 and response["Location"] == "/orgs/"
    user.refresh_from_db()
    assert user.elder_mode
    assert AuditLog.objects.filter(action="elder_mode", target_id=str(user.pk)).exists()

    later = Client()  # another browser, a new session
    later.force_login(user)
    assert ELDER_HTML.search(page_html(later))

    later.post(reverse("core:elder_mode"), {"on": "0"})
    assert not ELDER_HTML.search(page_html(later))
    user.refresh_from_db()
    assert not user.elder_mode


def test_elder_mode_before_login_lives_in_the_session(client):
    client.post(reverse("core:elder_mode"), {"on": "1"})
    assert ELDER_HTML.search(client.get(reverse("accounts:login")).content.decode())


def test_elder_toggle_refuses_to_redirect_off_site(client):
    response = client.post(reverse("core:elder_mode"), {"on": "1", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def _custom_property(css, selector, name):
    block = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", css).group(1)
    return int(re.search(rf"--{name}:\s*(\d+)px", block).group(1))


def test_elder_css_makes_text_and_targets_larger():
    css = (Path(django_settings.BASE_DIR) / "liulin/static/css/liulin.css").read_text()
    assert _custom_property(css, "html.elder", "base") > _custom_property(css, ":root", "base")
    assert _custom_property(css, "html.elder", "target") > _custom_property(css, ":root", "target")


@pytest.fixture
def friendly(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "liulin.accounts.tests.urls_errors"
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    return client


def test_404_is_a_friendly_chinese_page(friendly):
    response = friendly.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "找不到页面" in html and "回到首页" in html
    assert "Traceback" not in html


def test_403_is_a_friendly_chinese_page(friendly):
    response = friendly.get("/test-403/")
    assert response.status_code == 403
    assert "没有权限" in response.content.decode()


def test_500_is_a_friendly_chinese_page_without_details(friendly):
    response = friendly.get("/test-500/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "出错了" in html and "请稍后再试" in html
    assert "boom" not in html and "RuntimeError" not in html


def test_domain_error_on_a_page_shows_its_message(friendly):
    resident = ResidentFactory()
    friendly.force_login(make_user(Role.RESIDENT, resident=resident))
    response = friendly.get(reverse("orgs:list"))
    assert response.status_code == 403
    assert "无法完成" in response.content.decode()
