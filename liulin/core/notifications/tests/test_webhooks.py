"""Webhooks: a signed POST to a real local HTTP server (started by the test), each attempt
recorded with its response code, a failure retried later with a growing wait, and the
delivery given up when the waits run out."""

import datetime
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from liulin.accounts.tests.factories import UserFactory
from liulin.core.notifications import services, webhooks
from liulin.core.notifications.models import Attempt, Delivery, WebhookEndpoint
from liulin.core.notifications.services import Notice
from liulin.core.notifications.tasks import deliver
from liulin.orgs.tests.factories import OrganisationFactory

from .conftest import TEST_KIND

pytestmark = pytest.mark.django_db
SECRET = "s3cret-shared-with-the-receiver"


class Receiver:
    """A local endpoint that answers with the next status of `answers` (200 once they run out)."""

    def __init__(self, answers=()):
        self.answers, self.received = list(answers), []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                self.send_response(receiver.answers.pop(0) if receiver.answers else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made = []

    def make(answers=()):
        made.append(Receiver(answers))
        return made[-1]

    yield make
    for r in made:
        r.close()


@pytest.fixture
def hooked_user(settings):
    settings.LIULIN_WEBHOOK_ALLOW_PRIVATE = True  # the receiver listens on 127.0.0.1
    user = UserFactory()
    services.set_preferences(user=user, choices={"": {"webhook"}})
    return user


def send_one(user, capture, **kw):
    with capture(execute=True):
        services.notify(user, kind=TEST_KIND, text="工单 {number} 已派单。", params={"number": "T9"}, url="/t/9/", **kw)
    return Delivery.objects.get(channel="webhook")


def test_the_body_is_signed_with_a_timestamp_and_the_attempt_recorded(
    receiver, hooked_user, dummy_tasks, django_capture_on_commit_callbacks
):
    endpoint = receiver()
    services.set_webhook(user=hooked_user, url=endpoint.url, secret=SECRET)
    delivery = send_one(hooked_user, django_capture_on_commit_callbacks)
    assert [r.task.func for r in dummy_tasks.results] == [deliver.func]  # queued after commit

    assert deliver.call(delivery.pk) == "sent"
    (headers, body), = endpoint.received
    assert webhooks.verify(SECRET, headers["X-Liulin-Timestamp"], body, headers["X-Liulin-Signature"])
    assert not webhooks.verify("another-secret-of-16+", headers["X-Liulin-Timestamp"], body, headers["X-Liulin-Signature"])
    payload = json.loads(body)
    assert payload["kind"] == TEST_KIND and payload["text"] == "工单 T9 已派单。" and payload["url"].endswith("/t/9/")
    attempt = Attempt.objects.get(delivery=delivery)
    assert (attempt.ok, attempt.response_code) == (True, 200)


def test_a_stale_timestamp_does_not_verify():
    body = b'{"id":1}'
    old = "1000000000"
    assert not webhooks.verify(SECRET, old, body, webhooks.sign(SECRET, old, body))


def test_a_failure_is_retried_later_with_a_growing_wait_then_succeeds(
    receiver, hooked_user, dummy_tasks, settings, django_capture_on_commit_callbacks
):
    settings.LIULIN_NOTIFY_RETRY_SECONDS = [60, 300]
    endpoint = receiver(answers=[500, 503])
    services.set_webhook(user=hooked_user, url=endpoint.url, secret=SECRET)
    delivery = send_one(hooked_user, django_capture_on_commit_callbacks)
    dummy_tasks.clear()

    before = datetime.datetime.now(datetime.UTC)
    assert deliver.call(delivery.pk) == "pending"
    assert deliver.call(delivery.pk) == "pending"
    waits = [(r.task.run_after - before).total_seconds() for r in dummy_tasks.results]
    assert 55 < waits[0] < 70 and 295 < waits[1] < 310  # backoff: 60 s, then 300 s
    assert deliver.call(delivery.pk) == "sent"
    assert list(Attempt.objects.filter(delivery=delivery).values_list("response_code", "ok")) == [
        (500, False), (503, False), (200, True)
    ]
    assert len(endpoint.received) == 3


def test_when_the_waits_run_out_the_delivery_fails_for_good(
    receiver, hooked_user, dummy_tasks, settings, django_capture_on_commit_callbacks
):
    settings.LIULIN_NOTIFY_RETRY_SECONDS = [60]
    endpoint = receiver(answers=[500, 500, 500])
    services.set_webhook(user=hooked_user, url=endpoint.url, secret=SECRET)
    delivery = send_one(hooked_user, django_capture_on_commit_callbacks)
    deliver.call(delivery.pk)
    assert deliver.call(delivery.pk) == "failed"
    assert deliver.call(delivery.pk) is None  # a failed delivery is not tried again
    assert Delivery.objects.get(pk=delivery.pk).attempts == 2 and len(endpoint.received) == 2


def test_an_organisation_endpoint_receives_the_organisations_notices(
    receiver, settings, dummy_tasks, django_capture_on_commit_callbacks
):
    settings.LIULIN_WEBHOOK_ALLOW_PRIVATE = True
    org, other = OrganisationFactory(), OrganisationFactory()
    endpoint = receiver()
    WebhookEndpoint.objects.create(org=org, url=endpoint.url, secret=SECRET)
    WebhookEndpoint.objects.create(org=other, url=endpoint.url + "/other", secret=SECRET)
    with django_capture_on_commit_callbacks(execute=True):
        services.send([Notice(kind=TEST_KIND, text="新工单 {n}。", params={"n": "T1"}, org_id=org.pk)])
    delivery = Delivery.objects.get()
    assert delivery.notification is None and delivery.endpoint.org == org
    deliver.call(delivery.pk)
    assert json.loads(endpoint.received[0][1])["org"] == org.pk


def test_an_endpoint_on_a_private_address_is_refused_outside_development(
    receiver, hooked_user, dummy_tasks, settings, django_capture_on_commit_callbacks
):
    endpoint = receiver()
    services.set_webhook(user=hooked_user, url=endpoint.url, secret=SECRET)
    delivery = send_one(hooked_user, django_capture_on_commit_callbacks)
    settings.LIULIN_WEBHOOK_ALLOW_PRIVATE = False
    settings.LIULIN_NOTIFY_RETRY_SECONDS = []
    assert deliver.call(delivery.pk) == "failed"
    assert endpoint.received == []
    assert "non-public" in Attempt.objects.get(delivery=delivery).error


def test_a_short_secret_is_refused():
    from liulin.core.errors import Invalid

    with pytest.raises(Invalid):
        services.set_webhook(user=UserFactory(), url="https://example.com/hook", secret="short")
