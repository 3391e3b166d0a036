"""The hash chain shows any change to a stored event, and any removed event."""

import pytest
from django.db import connection

from liulin.whistle.events import GENESIS, append_event, verify_chain
from liulin.whistle.models import State, TicketEvent
from liulin.whistle.tests.factories import ticket_in_state

pytestmark = pytest.mark.django_db


def raw_sql(sql, params):
    # Straight to the table, past the append-only model: what a tamperer with DB access does.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def ticket():
    return ticket_in_state(State.RESOLVED)  # dispatch, accept, start, resolve: four events


def test_a_driven_ticket_has_an_intact_linked_chain(ticket):
    events = list(ticket.events.order_by("seq"))
    assert [e.action for e in events] == ["dispatch", "accept", "start", "resolve"]
    assert [e.seq for e in events] == [1, 2, 3, 4]
    assert events[0].prev_hash == GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(events, events[1:], strict=False))
    assert verify_chain(ticket) is None


def test_changing_one_events_reason_names_that_event(ticket):
    second = ticket.events.get(seq=2)
    raw_sql("UPDATE whistle_ticketevent SET reason = %s WHERE id = %s", ["早就接单了", second.pk])
    assert verify_chain(ticket) == second


@pytest.mark.parametrize(("column", "value"), [("actor_role", "community_secretary"), ("to_state", "closed"), ("action", "verify")])
def test_changing_any_stored_field_breaks_the_chain(ticket, column, value):
    third = ticket.events.get(seq=3)
    raw_sql(f"UPDATE whistle_ticketevent SET {column} = %s WHERE id = %s", [value, third.pk])
    assert verify_chain(ticket) == third


def test_recomputing_a_forged_events_own_hash_still_breaks_the_next_link(ticket):
    from liulin.whistle.events import hash_of

    second = ticket.events.get(seq=2)
    raw_sql("UPDATE whistle_ticketevent SET reason = %s WHERE id = %s", ["伪造", second.pk])
    forged = TicketEvent.objects.get(pk=second.pk)
    raw_sql("UPDATE whistle_ticketevent SET hash = %s WHERE id = %s", [hash_of(forged), second.pk])
    assert verify_chain(ticket) == ticket.events.get(seq=3)


def test_deleting_an_event_names_the_one_after_the_gap(ticket):
    second = ticket.events.get(seq=2)
    raw_sql("DELETE FROM whistle_ticketevent WHERE id = %s", [second.pk])
    assert verify_chain(ticket) == ticket.events.get(seq=3)


def test_events_cannot_be_changed_or_deleted_through_the_model(ticket):
    event = ticket.events.first()
    event.reason = "改"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        TicketEvent.objects.filter(ticket=ticket).update(reason="改")


def test_appended_event_with_dates_in_data_verifies_after_reload(ticket):
    event = append_event(ticket, actor=None, action="comment", reason="备注", data={"when": ticket.resolve_due})
    assert event.seq == 5
    assert isinstance(TicketEvent.objects.get(pk=event.pk).data["when"], str)
    assert verify_chain(ticket) is None
