"""The account's 界面语言 is honoured; the language switch keeps the choice on the account;
notification texts and their label values are translated when read, data values marked."""

import pytest
from django.urls import reverse
from django.utils import translation

from liulin.accounts.tests.factories import make_user
from liulin.core.notifications.models import Notification, label
from liulin.core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _source_language_afterwards(settings):
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def staff(community):
    return make_user(Role.COMMUNITY_STAFF, community)


def test_a_user_with_english_on_his_account_gets_english_whatever_the_browser_asks(client, staff):
    staff.language = "en"
    staff.save(update_fields=["language"])
    client.force_login(staff)
    response = client.get(reverse("dashboard:staff_home"), HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response["Content-Language"] == "en"
    assert '<html lang="en"' in response.content.decode()


def test_without_a_language_on_the_account_the_cookie_decides(client, staff):
    client.force_login(staff)
    assert client.get(reverse("dashboard:staff_home"))["Content-Language"] == "zh-hans"
    client.cookies["django_language"] = "en"
    assert client.get(reverse("dashboard:staff_home"))["Content-Language"] == "en"


def test_the_switch_keeps_the_choice_on_the_account(client, staff):
    client.force_login(staff)
    response = client.post(reverse("core:language"), {"language": "en", "next": "/home/"})
    assert response.status_code == 302 and response["Location"] == "/home/"
    staff.refresh_from_db()
    assert staff.language == "en"
    client.post(reverse("core:language"), {"language": "zh-hans", "next": "/"})
    staff.refresh_from_db()
    assert staff.language == "zh-hans"


def test_an_unknown_language_changes_nothing_on_the_account(client, staff):
    client.force_login(staff)
    client.post(reverse("core:language"), {"language": "xx", "next": "/"})
    staff.refresh_from_db()
    assert staff.language == ""


def test_a_notification_translates_its_text_and_label_values_when_read_and_marks_data(staff):
    with translation.override("en"):
        unit = label(translation.gettext_lazy("物业公司"))
    assert unit == {"label": "物业公司"}, "labels are stored in the source language"
    notice = Notification.objects.create(
        user=staff, kind="whistle.ticket", message="x",
        text="{unit}已接单：诉求 {number}。", params={"unit": unit, "number": "LF<1>"},
    )
    with translation.override("zh-hans"):
        assert notice.rendered() == "物业公司已接单：诉求 LF<1>。"
    with translation.override("en"):
        assert notice.rendered() == "The Property company has accepted request LF<1>."
        html = notice.rendered_html()
    assert html == 'The Property company has accepted request <span translate="no">LF&lt;1&gt;</span>.'
