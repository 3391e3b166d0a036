"""E-mail goes out through Django's SMTP backend to a real SMTP server (aiosmtpd, started by
the test), and only once the sending transaction has committed: a rolled-back action mails
nothing, and leaves no notification and no delivery behind."""

import socket

import pytest
from aiosmtpd.controller import Controller
from django.db import transaction

from liulin.accounts.tests.factories import UserFactory
from liulin.core.notifications import services
from liulin.core.notifications.models import Attempt, Delivery, Notification

from .conftest import TEST_KIND

pytestmark = pytest.mark.django_db(transaction=True)


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings, immediate_tasks):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = False
    yield inbox
    controller.stop()


@pytest.fixture
def reader():
    user = UserFactory(email="li@example.com")
    services.set_preferences(user=user, choices={"": {"email"}})
    return user


def test_mail_arrives_after_commit_and_not_before(smtp, reader):
    with transaction.atomic():
        services.notify(reader, kind=TEST_KIND, text="您的申请 {number} 已受理。", params={"number": "A001"}, url="/x/")
        assert smtp.messages == []  # inside the transaction nothing has left
    assert [m.rcpt_tos for m in smtp.messages] == [["li@example.com"]]
    body = smtp.messages[0].content.decode()
    assert "A001" in body and "http://localhost:8000/x/" in body
    delivery = Delivery.objects.get()
    assert (delivery.channel, delivery.status, delivery.attempts) == ("email", "sent", 1)
    assert Attempt.objects.get(delivery=delivery).ok


def test_a_rolled_back_action_mails_nothing(smtp, reader):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.notify(reader, kind=TEST_KIND, text="您的申请已受理。")
        raise RuntimeError("the action fails after notifying")
    assert smtp.messages == []
    assert not Notification.objects.exists() and not Delivery.objects.exists()


def test_no_mail_to_a_user_who_did_not_choose_it(smtp):
    user = UserFactory(email="wang@example.com")
    services.notify(user, kind=TEST_KIND, text="只在站内。")
    assert smtp.messages == [] and Notification.objects.filter(user=user).count() == 1


def test_an_unreachable_mail_server_is_recorded_as_a_failed_attempt(settings, immediate_tasks, reader):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens
    services.notify(reader, kind=TEST_KIND, text="无法送达。")
    delivery = Delivery.objects.get()
    # The immediate backend cannot defer a retry, so the failure is final at once.
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert "ConnectionRefused" in Attempt.objects.get(delivery=delivery).error
    assert Notification.objects.filter(user=reader).count() == 1  # the inbox has it regardless
