"""Real concurrent bookings of one slot (threads released together, each on its own
connection), on SQLite (a file, WAL, IMMEDIATE) and PostgreSQL: one resident gets it, the
others are told it is taken, and the database holds one appointment."""

import pytest

from liulin.core.errors import Conflict
from liulin.core.testing.concurrency import read_in_threads, run_at_once, threads_database
from liulin.counselling import services
from liulin.counselling.models import Appointment

from .factories import Practice

pytestmark = pytest.mark.django_db(transaction=True)


def test_ten_residents_book_one_slot_at_once(tmp_path):
    practice = Practice()
    slot = practice.slot()
    residents = [practice.resident() for _ in range(10)]
    use = threads_database(tmp_path)

    def attempt(user):
        return lambda: services.book(actor=user, slot=slot).pk

    results, errors = run_at_once([attempt(u) for u in residents], before=use)
    assert len([r for r in results if r]) == 1
    assert len(errors) == 9 and all(isinstance(e, Conflict) and e.code == "slot_taken" for e in errors), errors
    held = read_in_threads(lambda: Appointment.objects.filter(slot_id=slot.pk).exclude(state="cancelled").count(), use)
    assert held == 1


def test_the_database_refuses_a_second_appointment_past_the_check(tmp_path):
    """Skip the service's read: the partial unique index alone refuses the second row."""
    from django.db import IntegrityError, transaction

    from liulin.core import clock

    practice = Practice()
    slot = practice.slot()
    Appointment.objects.create(slot=slot, client=practice.client, created_at=clock.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(slot=slot, client=practice.resident(), created_at=clock.now())
    # A cancelled one frees the slot.
    Appointment.objects.filter(slot=slot).update(state="cancelled")
    Appointment.objects.create(slot=slot, client=practice.resident(), created_at=clock.now())
