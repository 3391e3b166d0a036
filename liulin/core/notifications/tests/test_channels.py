"""Which channels a notice goes through: the user's choice for its kind, else his choice for
all kinds, else the inbox only; only channels the deployment offers; SMS through the
provider the settings name."""

import json

import pytest
from django.utils import translation

from liulin.accounts.tests.factories import UserFactory
from liulin.core.notifications import channels, services
from liulin.core.notifications.models import Delivery
from liulin.core.notifications.tasks import deliver

from .conftest import OTHER_KIND, TEST_KIND

pytestmark = pytest.mark.django_db


def channels_of(user, kind, capture):
    Delivery.objects.all().delete()
    with capture(execute=True):
        services.notify(user, kind=kind, text="消息。")
    return sorted(Delivery.objects.values_list("channel", flat=True))


def test_a_kinds_own_choice_wins_over_the_all_kinds_one(dummy_tasks, django_capture_on_commit_callbacks):
    user = UserFactory(email="a@example.com")
    services.set_preferences(user=user, choices={"": {"email"}, TEST_KIND: {"sms"}})
    assert channels_of(user, TEST_KIND, django_capture_on_commit_callbacks) == ["sms"]
    assert channels_of(user, OTHER_KIND, django_capture_on_commit_callbacks) == ["email"]


def test_without_a_choice_only_the_inbox(dummy_tasks, django_capture_on_commit_callbacks):
    assert channels_of(UserFactory(email="b@example.com"), TEST_KIND, django_capture_on_commit_callbacks) == []


def test_a_channel_the_deployment_does_not_offer_is_not_used(settings, dummy_tasks, django_capture_on_commit_callbacks):
    settings.LIULIN_NOTIFY_CHANNELS = ["email"]
    user = UserFactory(email="c@example.com")
    services.set_preferences(user=user, choices={"": {"email", "sms"}})
    assert channels_of(user, TEST_KIND, django_capture_on_commit_callbacks) == ["email"]


def test_no_mail_without_an_address(dummy_tasks, django_capture_on_commit_callbacks):
    user = UserFactory(email="")
    services.set_preferences(user=user, choices={"": {"email"}})
    assert channels_of(user, TEST_KIND, django_capture_on_commit_callbacks) == []


def test_sms_goes_through_the_provider_the_settings_name(settings, tmp_path, dummy_tasks, django_capture_on_commit_callbacks):
    settings.LIULIN_SMS_PROVIDER = "liulin.core.notifications.sms.FileSmsProvider"
    settings.LIULIN_SMS_FILE = str(tmp_path / "sms.jsonl")
    user = UserFactory(mobile="13912345678")
    services.set_preferences(user=user, choices={TEST_KIND: {"sms"}})
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(user, kind=TEST_KIND, text="您预约的 {what} 明天开始。", params={"what": "场地"})
    assert deliver.call(Delivery.objects.get().pk) == "sent"
    sent = [json.loads(line) for line in (tmp_path / "sms.jsonl").read_text().splitlines()]
    assert [(s["to"], s["text"]) for s in sent] == [("13912345678", "您预约的 场地 明天开始。")]


def test_the_text_is_read_in_the_readers_language(dummy_tasks):
    """Stored in the source language; rendered through gettext when read ("消息" is in the catalogue)."""
    notification = services.notify(UserFactory(), kind=TEST_KIND, text="消息")
    with translation.override("en"):
        assert notification.rendered() == "Messages"
    with translation.override("zh-hans"):
        assert notification.rendered() == "消息" == notification.message


def test_planning_costs_two_queries_however_many_notices(dummy_tasks, django_assert_max_num_queries):
    users = [UserFactory() for _ in range(20)]
    created = services.send([services.Notice(kind=TEST_KIND, text="群发。", user_id=u.pk) for u in users])
    with django_assert_max_num_queries(1):  # the preferences; nobody chose a channel, so nothing more
        channels.dispatch(created)
