"""The data migration that moved whistle's photos to the kernel's attachments keeps each
photo's id (old links still find it), ticket, file, size, uploader, time and stage, both
ways; new attachments after it take fresh ids."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from liulin.core.attachments.models import Attachment
from liulin.whistle.models import State
from liulin.whistle.tests.factories import ticket_in_state

pytestmark = pytest.mark.django_db(transaction=True)
KERNEL = ("attachments", "0001_attachment")
BEFORE = [("whistle", "0025_rename_whistle_to_whistlecall"), KERNEL]
AFTER = [("whistle", "0027_delete_photo_moved_to_attachments"), KERNEL]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.fixture
def back_to_now():
    yield
    migrate(latest())  # whatever happened, the database leaves at the current schema (the
    # latest migration of every app, not only of those this test moved)


def test_whistle_photos_survive_the_move_to_the_kernel(back_to_now):
    ticket = ticket_in_state(State.DISPATCHED)
    old_apps = migrate(BEFORE)
    Photo = old_apps.get_model("whistle", "Photo")
    at = ticket.created_at
    intake = Photo.objects.create(ticket_id=ticket.pk, file="tickets/2026/03/a.jpg", width=40, height=20, size=1234,
                                  uploaded_by_id=ticket.requester_user_id, uploaded_at=at, stage="intake")
    result = Photo.objects.create(id=intake.pk + 7, ticket_id=ticket.pk, file="tickets/2026/03/b.jpg", width=8, height=9,
                                  size=99, uploaded_by_id=None, uploaded_at=at, stage="result")

    migrate(AFTER)
    moved = {a.pk: a for a in Attachment.objects.all()}
    assert set(moved) == {intake.pk, result.pk}
    first = moved[intake.pk]
    # By id: the ticket model of today has columns a later migration adds.
    assert (first.owner_type.model, first.owner_id) == ("ticket", ticket.pk)
    assert (first.stage, first.kind, first.content_type) == ("intake", "image", "image/jpeg")
    assert (first.file, first.width, first.height, first.size) == ("tickets/2026/03/a.jpg", 40, 20, 1234)
    assert first.uploaded_by_id == ticket.requester_user_id and first.uploaded_at == at
    assert moved[result.pk].stage == "result" and moved[result.pk].uploaded_by_id is None
    fresh = Attachment.objects.create(owner_type=first.owner_type, owner_id=ticket.pk, stage="intake", kind="image",
                                      file="x.jpg", content_type="image/jpeg", size=1)
    assert fresh.pk > result.pk  # the id sequence moved past the copied ids
    fresh.delete()

    back = migrate(BEFORE).get_model("whistle", "Photo")
    assert sorted(back.objects.values_list("pk", "stage", "file")) == [
        (intake.pk, "intake", "tickets/2026/03/a.jpg"), (result.pk, "result", "tickets/2026/03/b.jpg")]
