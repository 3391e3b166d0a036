"""The kernel's hash chain (core.chain), on a concrete chained model (the work order's
TicketEvent, the first app to use it): appending keeps the sequence and the links, and
`verify` names the first link a change breaks — an edited row, a deleted row, two rows
swapped — with the subject, the seq and what it expected there."""

import datetime

import pytest
from django.db import connection, transaction

from liulin.core import chain
from liulin.whistle.models import KpiRollup, TicketEvent
from liulin.whistle.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db
T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def raw_sql(sql, params):
    # Straight to the table, past the append-only model: what a tamperer with DB access does.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def chain_of(subject, n):
    with transaction.atomic():
        return [
            chain.append(TicketEvent, subject, actor=None, action="comment", reason=f"第{i}条",
                         data={"i": i}, at=T0 + datetime.timedelta(minutes=i))
            for i in range(1, n + 1)
        ]


@pytest.fixture
def subject():
    return TicketFactory()


def test_append_numbers_and_links_each_event(subject):
    events = chain_of(subject, 4)
    stored = list(TicketEvent.objects.filter(ticket=subject).order_by("seq"))
    assert [e.seq for e in stored] == [1, 2, 3, 4]
    assert stored[0].prev_hash == chain.GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(stored, stored[1:], strict=False))
    assert [e.hash for e in stored] == [e.hash for e in events]
    assert chain.verify(TicketEvent, subject) is None


def test_append_continues_a_chain_read_back_from_the_database(subject):
    chain_of(subject, 2)
    fresh = type(subject).objects.get(pk=subject.pk)  # knows nothing of the chain's end
    event = chain.append(TicketEvent, fresh, actor=None, action="comment", data={"when": T0})
    assert event.seq == 3
    assert event.data == {"when": "2026-03-02T09:00:00Z"}  # as the JSON column gives it back
    assert chain.verify(TicketEvent, subject) is None


def test_append_many_keeps_each_subjects_chain(subject):
    other = TicketFactory()
    chain_of(other, 1)
    built = chain.append_many(TicketEvent, [
        (subject, {"actor": None, "action": "comment"}),
        (other, {"actor": None, "action": "comment"}),
        (subject, {"actor": None, "action": "urge"}),
    ])
    assert [(s.pk, e.seq) for s, e in built] == [(subject.pk, 1), (other.pk, 2), (subject.pk, 2)]
    assert chain.verify(TicketEvent, subject) is None and chain.verify(TicketEvent, other) is None


def test_append_counts_nothing(subject):
    """The chain writes the event only: what an app derives from it (the KPI counters) is the caller's."""
    chain.append(TicketEvent, subject, actor=None, action="dispatch", to_state="dispatched")
    assert not KpiRollup.objects.exists()


def test_verify_names_an_edited_row(subject):
    events = chain_of(subject, 4)
    raw_sql("UPDATE whistle_ticketevent SET reason = %s WHERE id = %s", ["改过的", events[1].pk])
    broken = chain.verify(TicketEvent, subject)
    assert (broken.subject_id, broken.seq, broken.problem) == (subject.pk, 2, "hash")
    assert broken.found == events[1].hash and broken.expected != events[1].hash
    assert broken.event.pk == events[1].pk
    assert f"subject {subject.pk}, seq 2: hash expected" in str(broken)


def test_verify_names_a_row_whose_hash_was_forged_to_match(subject):
    """Re-hashing an edited row makes its own hash fit, but the next row's link no longer does."""
    events = chain_of(subject, 4)
    forged = TicketEvent.objects.get(pk=events[1].pk)
    forged.reason = "改过的"
    raw_sql("UPDATE whistle_ticketevent SET reason = %s, hash = %s WHERE id = %s", ["改过的", forged.compute_hash(), forged.pk])
    broken = chain.verify(TicketEvent, subject)
    assert (broken.seq, broken.problem, broken.expected, broken.found) == (3, "prev_hash", forged.compute_hash(), events[1].hash)


def test_verify_names_the_gap_of_a_deleted_row(subject):
    events = chain_of(subject, 4)
    raw_sql("DELETE FROM whistle_ticketevent WHERE id = %s", [events[2].pk])
    broken = chain.verify(TicketEvent, subject)
    assert (broken.subject_id, broken.seq, broken.problem, broken.expected, broken.found) == (subject.pk, 3, "seq", 3, 4)
    assert broken.event.pk == events[3].pk


def test_the_newest_event_deleted_leaves_no_broken_link(subject):
    """Deleting the newest event leaves a chain that still verifies: the chain proves order and
    content, and the subject's own state (a later step appends seq n+1) shows what is missing."""
    events = chain_of(subject, 3)
    raw_sql("DELETE FROM whistle_ticketevent WHERE id = %s", [events[2].pk])
    assert chain.verify(TicketEvent, subject) is None


def test_verify_names_a_reordered_row(subject):
    """Swapping the seq of two events: the first out-of-place event is named by its link."""
    events = chain_of(subject, 4)
    raw_sql("UPDATE whistle_ticketevent SET seq = 99 WHERE id = %s", [events[1].pk])
    raw_sql("UPDATE whistle_ticketevent SET seq = 2 WHERE id = %s", [events[2].pk])
    raw_sql("UPDATE whistle_ticketevent SET seq = 3 WHERE id = %s", [events[1].pk])
    broken = chain.verify(TicketEvent, subject)
    assert (broken.subject_id, broken.seq, broken.problem) == (subject.pk, 2, "prev_hash")
    assert (broken.expected, broken.found) == (events[0].hash, events[1].hash)
    assert broken.event.pk == events[2].pk


def test_the_hash_covers_the_concrete_models_own_fields(subject):
    (event,) = chain_of(subject, 1)
    before = event.compute_hash()
    event.internal = True
    assert event.compute_hash() != before
    event.internal, event.to_state = False, "closed"
    assert event.compute_hash() != before


def test_a_chained_model_keeps_subject_and_seq_unique(subject):
    from django.db import IntegrityError

    (event,) = chain_of(subject, 1)
    duplicate = chain.build(TicketEvent, subject.pk, last_seq=0, last_hash=chain.GENESIS, at=T0, actor=None, action="comment")
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    assert event.seq == duplicate.seq == 1
