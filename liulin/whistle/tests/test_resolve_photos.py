"""Resolving with photos: the handler's photos of the finished work are stored with the
resolve (stage "result"), in its transaction, and shown to whoever sees the ticket."""

import base64
import io

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image

from liulin.core.attachments.models import Attachment
from liulin.core.roles import Role
from liulin.whistle import selectors
from liulin.whistle.models import State
from liulin.whistle.tests.factories import drive
from liulin.whistle.tests.intake_fixtures import dispatched

pytestmark = pytest.mark.django_db
JSON = "application/json"


def _png(name="done.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 120, 200)).save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = name
    return buffer


def _bad(name="done.png"):
    buffer = io.BytesIO(b"this is not a picture at all")
    buffer.name = name
    return buffer


def _accepted(town):
    return drive(dispatched(town), [(Role.PROPERTY_STAFF, "accept")])


def _shown_to(client, user, ticket, photo):
    client.force_login(user)
    page = client.get(reverse("whistle:ticket", args=[ticket.pk]))
    if page.status_code != 200:
        return False
    url = reverse("attachments:file", args=[photo.pk])
    return url in page.content.decode() and client.get(url).status_code == 200


def test_resolve_on_the_page_stores_result_photos_seen_by_verifier_and_requester_only(client, town):
    ticket = _accepted(town)
    client.force_login(town.property_staff)
    assert 'enctype="multipart/form-data"' in client.get(reverse("whistle:ticket", args=[ticket.pk])).content.decode()
    response = client.post(reverse("whistle:act", args=[ticket.pk]), {"action": "resolve", "reason": "已更换灯泡", "photos": [_png()]})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == State.RESOLVED
    photo = selectors.photos(ticket).get()
    assert photo.stage == "result" and photo.uploaded_by == town.property_staff and photo.content_type == "image/jpeg"
    assert _shown_to(client, town.secretary, ticket, photo)  # the verifier
    assert _shown_to(client, town.resident_user, ticket, photo)  # the requester
    client.force_login(town.neighbour_user)  # an outsider
    assert client.get(reverse("attachments:file", args=[photo.pk])).status_code == 404
    assert client.get(reverse("whistle:ticket", args=[ticket.pk])).status_code == 404


def test_a_bad_photo_on_the_page_refuses_the_whole_resolve(client, town):
    ticket = _accepted(town)
    client.force_login(town.property_staff)
    response = client.post(
        reverse("whistle:act", args=[ticket.pk]), {"action": "resolve", "reason": "已更换灯泡", "photos": [_png(), _bad()]}
    )
    assert response.status_code == 400
    assert "只能上传" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.state == State.ACCEPTED
    assert not Attachment.objects.exists()


def test_resolve_through_the_api_with_base64_photos(client, town):
    ticket = _accepted(town)
    client.force_login(town.property_staff)
    encoded = "data:image/png;base64," + base64.b64encode(_png().getvalue()).decode()
    response = client.post(f"/api/v1/tickets/{ticket.pk}/resolve", {"reason": "已更换灯泡", "photos": [encoded]}, content_type=JSON)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "resolved"
    [shown] = body["photos"]
    photo = Attachment.objects.get()
    assert shown == {"id": photo.pk, "stage": "result", "url": reverse("attachments:file", args=[photo.pk])}
    for user in (town.secretary, town.resident_user):
        client.force_login(user)
        assert [p["stage"] for p in client.get(f"/api/v1/tickets/{ticket.pk}").json()["photos"]] == ["result"]
        assert client.get(shown["url"]).status_code == 200
    client.force_login(town.neighbour_user)
    assert client.get(f"/api/v1/tickets/{ticket.pk}").status_code == 404
    assert client.get(shown["url"]).status_code == 404


@pytest.mark.parametrize(
    "photo, code",
    [
        (base64.b64encode(b"not a picture").decode(), "not_an_image"),
        ("%%% not base64 %%%", "not_an_image"),
    ],
)
def test_a_bad_photo_through_the_api_refuses_the_whole_resolve(client, town, photo, code):
    ticket = _accepted(town)
    client.force_login(town.property_staff)
    good = base64.b64encode(_png().getvalue()).decode()
    response = client.post(f"/api/v1/tickets/{ticket.pk}/resolve", {"reason": "已更换灯泡", "photos": [good, photo]}, content_type=JSON)
    assert response.status_code == 400
    assert response.json()["code"] == code
    ticket.refresh_from_db()
    assert ticket.state == State.ACCEPTED
    assert not Attachment.objects.exists()


def test_a_refused_step_leaves_no_file_behind(town, monkeypatch):
    """A photo written before the step fails later in its transaction is removed again."""
    from liulin.core.errors import Conflict
    from liulin.whistle.services import transitions

    ticket = _accepted(town)
    saved = []
    real_save = default_storage.save

    def save(name, content, **kw):
        saved.append(real_save(name, content, **kw))
        return saved[-1]

    def fail(*args, **kwargs):
        raise Conflict("boom")

    monkeypatch.setattr(default_storage, "save", save)
    monkeypatch.setattr(transitions, "append_event", fail)
    with pytest.raises(Conflict):
        transitions.act(actor=town.property_staff, ticket=ticket, action="resolve", reason="好了", photos=[_png()])
    assert saved and not any(default_storage.exists(name) for name in saved)
    assert not Attachment.objects.exists()


def test_photos_come_only_with_a_resolve(town):
    from liulin.core.errors import Invalid
    from liulin.whistle.services import transitions

    ticket = dispatched(town)
    with pytest.raises(Invalid) as refused:
        transitions.act(actor=town.property_staff, ticket=ticket, action="accept", photos=[_png()])
    assert refused.value.code == "photos_not_allowed"
