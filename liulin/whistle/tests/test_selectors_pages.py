"""Selectors behind the pages: scoping, the worklist cursor, the staff view and the admin."""

import base64
import datetime

import pytest
from django.urls import reverse

from liulin.accounts.models import RoleAssignment
from liulin.core import clock
from liulin.core.roles import Role
from liulin.whistle import selectors
from liulin.whistle.models import Ticket, Urgency
from liulin.whistle.tests.intake_fixtures import dispatched

pytestmark = pytest.mark.django_db


def _raw(text):
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "value", ["", "x", "%%%", *map(_raw, ["3||1", "0|not-a-date|3", "1||", "0|2026-01-01T00:00:00+00:00", "0|2026-01-01T00:00:00|3"])]
)
def test_cursor_decode_rejects_garbage(value):
    assert selectors.Cursor.decode(value) is None


def test_cursor_round_trips():
    due = datetime.datetime(2026, 3, 1, 8, 30, tzinfo=datetime.UTC)
    cursor = selectors.Cursor(0, due, 42)
    assert selectors.Cursor.decode(cursor.encode()) == cursor
    assert selectors.Cursor.decode(selectors.Cursor(1, None, 7).encode()) == selectors.Cursor(1, None, 7)


def test_worklist_garbage_cursor_shows_first_page(client, town):
    ticket = dispatched(town)
    client.force_login(town.property_staff)
    response = client.get(reverse("whistle:worklist"), {"after": "nonsense"})
    assert response.status_code == 200 and ticket.number in response.content.decode()


def test_with_allowed_matches_can_for_each_role(town):
    ticket = dispatched(town)
    for user, expected in ((town.property_staff, True), (town.operator, False), (town.grid2_worker, False)):
        annotated = selectors.with_allowed(Ticket.objects.filter(pk=ticket.pk), user, ("accept",)).first()
        selectors.allowed_actions(annotated, ("accept",))
        assert annotated.may_accept is expected


def test_resident_who_is_also_staff_gets_staff_view_only_where_his_staff_role_reaches(town):
    ticket = dispatched(town)
    far = dispatched(town, building=town.b3)
    assert not selectors.is_staff_viewer(town.resident_user, ticket)
    RoleAssignment.objects.create(user=town.resident_user, role=Role.GRID_WORKER, grid=town.grid1)
    town.resident_user.__dict__.pop("_liulin_assignments", None)
    assert selectors.is_staff_viewer(town.resident_user, ticket)
    assert not selectors.is_staff_viewer(town.resident_user, far)


def test_supervisor_board_near_deadline_uses_the_reminder_window(town):
    now = clock.now()
    near, far = dispatched(town), dispatched(town)
    remind = near.policy.remind_before_minutes
    Ticket.objects.filter(pk=near.pk).update(resolve_due=now + datetime.timedelta(minutes=remind - 5))
    Ticket.objects.filter(pk=far.pk).update(resolve_due=now + datetime.timedelta(minutes=remind + 600))
    board = selectors.supervisor_board(town.secretary, now=now)
    assert [t.pk for t in board["near"]] == [near.pk]
    assert board["overdue"] == []


def test_supervisor_board_near_deadline_reads_each_tickets_own_window(town):
    """An emergency's window (10 minutes) is shorter than a normal request's (60): 30 minutes
    before their deadlines, the normal one is near and the emergency not yet. A reminder sent
    for the deadline to accept does not put a ticket whose resolve deadline is days away on
    the list."""
    now = clock.now()
    normal, emergency, accept_reminded = dispatched(town), dispatched(town, urgency=Urgency.EMERGENCY), dispatched(town)
    assert emergency.policy.remind_before_minutes < 30 < normal.policy.remind_before_minutes
    Ticket.objects.filter(pk__in=[normal.pk, emergency.pk]).update(resolve_due=now + datetime.timedelta(minutes=30))
    Ticket.objects.filter(pk=accept_reminded.pk).update(resolve_due=now + datetime.timedelta(days=2), reminded=True)
    board = selectors.supervisor_board(town.secretary, now=now)
    assert [t.pk for t in board["near"]] == [normal.pk]
    Ticket.objects.filter(pk=emergency.pk).update(resolve_due=now + datetime.timedelta(minutes=5))
    board = selectors.supervisor_board(town.secretary, now=now)
    assert [t.pk for t in board["near"]] == [emergency.pk, normal.pk]


def test_admin_ticket_list_masks_phone(client, town):
    from liulin.accounts.models import User

    admin_client = client
    admin_client.force_login(User.objects.create_superuser("13700009999", "x-Admin-2026", name="管理员"))
    ticket = dispatched(town)
    Ticket.objects.filter(pk=ticket.pk).update(contact_phone="13812345678")
    html = admin_client.get(reverse("admin:whistle_ticket_changelist")).content.decode()
    assert "138****5678" in html and "13812345678" not in html
    assert admin_client.get(reverse("admin:whistle_category_changelist")).status_code == 200
