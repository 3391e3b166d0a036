"""The data migration that moved whistle's notices to the kernel keeps each row's reader,
text, time, read state and ticket (as target and link), both ways."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from liulin.core.notifications.models import Notification
from liulin.whistle.models import State
from liulin.whistle.tests.factories import ticket_in_state

pytestmark = pytest.mark.django_db(transaction=True)
KERNEL = ("notifications", "0001_initial")
BEFORE = [("whistle", "0022_drop_work_calendar_moved_to_core"), KERNEL]
AFTER = [("whistle", "0024_remove_notification"), KERNEL]


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


def test_whistle_notices_survive_the_move_to_the_kernel(back_to_now):
    ticket = ticket_in_state(State.DISPATCHED)
    Notification.objects.all().delete()
    old_apps = migrate(BEFORE)
    Old = old_apps.get_model("whistle", "Notification")
    read_at = ticket.dispatched_at
    Old.objects.create(user_id=ticket.requester_user_id, ticket_id=ticket.pk, message="您的诉求已派单。", read_at=read_at)
    Old.objects.create(user_id=ticket.requester_user_id, ticket_id=None, message="吹哨：报到。")
    old_apps.get_model("notifications", "Notification").objects.all().delete()

    migrate(AFTER)
    moved = {n.message: n for n in Notification.objects.filter(user=ticket.requester_user)}
    assert set(moved) == {"您的诉求已派单。", "吹哨：报到。"}
    on_ticket = moved["您的诉求已派单。"]
    assert on_ticket.kind == "whistle.ticket" and on_ticket.url == f"/whistle/t/{ticket.pk}/"
    assert list(Notification.objects.about(ticket)) == [on_ticket] and on_ticket.read_at == read_at
    assert on_ticket.rendered() == "您的诉求已派单。"  # untranslatable rows show their text as sent
    assert moved["吹哨：报到。"].kind == "whistle.summons" and moved["吹哨：报到。"].read_at is None
