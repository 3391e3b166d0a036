"""The inbox, the bell and the settings page, for every logged-in user (whatever his roles),
each showing and changing only his own notifications."""

import pytest
from django.urls import reverse

from liulin.accounts.tests.factories import UserFactory
from liulin.core.notifications import selectors, services
from liulin.core.notifications.models import Notification, Preference

from .conftest import TEST_KIND

pytestmark = pytest.mark.django_db


def notify(user, text="有新消息。", **kw):
    return services.notify(user, kind=TEST_KIND, text=text, **kw)


def test_a_user_without_any_role_has_the_bell_and_an_inbox(client):
    user = UserFactory()  # no role at all: no whistle, no registry
    notify(user, "您的场地预约已确认。", url="/somewhere/")
    client.force_login(user)
    home = client.get(reverse("core:home"), follow=True).content.decode()
    assert reverse("notifications:bell") in home and 'data-testid="bell"' in home
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert "您的场地预约已确认。" in page and 'href="/somewhere/"' in page


def test_the_bell_count_is_one_query(django_assert_num_queries):
    user = UserFactory()
    for _ in range(3):
        notify(user)
    with django_assert_num_queries(1):
        assert selectors.unread_count(user) == 3


def test_the_bell_stops_counting_at_99(client):
    user = UserFactory()
    services.send([services.Notice(kind=TEST_KIND, text="多。", user_id=user.pk)] * 120)
    assert selectors.unread_count(user) == 100
    client.force_login(user)
    assert ">99+<" in client.get(reverse("notifications:bell")).content.decode()


def test_htmx_marks_one_read_and_the_bell_refreshes(client):
    user = UserFactory()
    first, second = notify(user), notify(user)
    client.force_login(user)
    response = client.post(reverse("notifications:mark_read", args=[first.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Trigger"] == "notifications-read"
    assert "未读" not in response.content.decode()
    assert list(Notification.objects.unread().values_list("pk", flat=True)) == [second.pk]


def test_nobody_reads_or_marks_another_users_notifications(client):
    owner, other = UserFactory(), UserFactory()
    notice = notify(owner, "只给本人看的消息。")
    client.force_login(other)
    assert "只给本人看的消息" not in client.get(reverse("notifications:inbox")).content.decode()
    assert client.post(reverse("notifications:mark_read", args=[notice.pk])).status_code == 404
    client.post(reverse("notifications:mark_all_read"))
    assert Notification.objects.get(pk=notice.pk).read_at is None


def test_the_settings_page_saves_channels_per_kind_and_the_users_webhook(client):
    user = UserFactory(email="z@example.com")
    client.force_login(user)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "测试消息" in page and 'name="all__email"' in page
    response = client.post(reverse("notifications:preferences"), {
        "all__email": "on", f"{TEST_KIND}__sms": "on",
        "webhook_url": "https://hooks.example.com/liulin", "webhook_secret": "a-secret-of-enough-length",
    })
    assert response.status_code == 302
    chosen = {p.kind: p.channels() for p in Preference.objects.filter(user=user)}
    assert chosen[""] == {"email"} and chosen[TEST_KIND] == {"sms"}
    assert user.webhook_endpoints.get().url == "https://hooks.example.com/liulin"


def test_a_short_webhook_secret_is_a_form_error(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("notifications:preferences"), {"webhook_url": "https://h.example.com/", "webhook_secret": "x"})
    assert response.status_code == 200 and "16" in response.content.decode()
    assert not user.webhook_endpoints.exists()


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert client.get(reverse("notifications:inbox")).status_code == 302
    assert client.get(reverse("notifications:preferences")).status_code == 302
