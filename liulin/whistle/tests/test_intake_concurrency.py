"""A double submit arriving at the same instant (two phones, two workers) on PostgreSQL:
the unique client_request_id lets exactly one ticket through; the other call gets it back."""

import threading

import pytest
from django.db import connection, connections

from liulin.core.testing.concurrency import run_at_once
from liulin.whistle.models import Channel, Ticket
from liulin.whistle.services import intake

from .intake_fixtures import make_town, seed_whistle_defaults

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent transactions (PostgreSQL)"),
]


@pytest.fixture(autouse=True)
def _defaults():
    seed_whistle_defaults()


def test_concurrent_double_submit_yields_one_ticket():
    town = make_town()

    def submit():
        return intake.file_ticket(
            actor=town.resident_user,
            channel=Channel.SELF_SERVICE,
            category="property-elevator",
            description="电梯困人",
            household=town.household,
            client_request_id="double-tap-1",
        )

    results, errors = run_at_once([submit, submit])
    assert errors == []
    tickets = {ticket.pk for ticket, _ in results}
    assert len(tickets) == 1
    assert sorted(created for _, created in results) == [False, True]
    assert Ticket.objects.filter(client_request_id="double-tap-1").count() == 1


def test_concurrent_different_requests_get_different_numbers():
    town = make_town()

    def submit(n):
        return lambda: intake.file_ticket(
            actor=town.resident_user,
            channel=Channel.SELF_SERVICE,
            category="noise",
            description=f"夜间噪音 {n}",
            household=town.household,
            client_request_id=f"req-{n}",
        )

    results, errors = run_at_once([submit(n) for n in range(4)])
    assert errors == []
    numbers = {ticket.number for ticket, _ in results}
    assert len(numbers) == 4


def test_two_drains_at_once_file_each_queued_request_exactly_once():
    from liulin.whistle.models import Intake
    from liulin.whistle.services import queue

    town = make_town()
    for n in range(40):
        queue.enqueue(actor=town.operator, client_request_id=f"peak-{n}",
                      request={"category": "noise", "description": f"夜间施工噪音 {n}", "building_id": town.b1.pk})

    results, errors = run_at_once([lambda: queue.drain(batch_size=5), lambda: queue.drain(batch_size=5)])
    assert errors == []
    assert sum(results) == 40  # claimed between them, none twice
    assert Intake.objects.filter(status=Intake.Status.FILED).count() == 40
    assert Ticket.objects.filter(client_request_id__startswith="peak-").count() == 40


def test_a_double_submit_to_the_queue_is_queued_once():
    from liulin.whistle.models import Intake
    from liulin.whistle.services import queue

    town = make_town()

    def submit():
        return queue.enqueue(actor=town.operator, client_request_id="peak-double",
                             request={"category": "noise", "description": "夜间施工噪音", "building_id": town.b1.pk})

    results, errors = run_at_once([submit, submit])
    assert errors == []
    assert sorted(created for _, created in results) == [False, True]
    assert len({intake.pk for intake, _ in results}) == 1
    assert Intake.objects.count() == 1


def test_a_community_office_another_transaction_has_not_committed_is_never_handed_out():
    """The first filings of a community create its office. Until the creating transaction
    commits, no other thread may be handed that office from the shared memory: its foreign
    key fails should the creator roll back (two drains at once did)."""
    from django.db import transaction

    from liulin.orgs.models import Organisation
    from liulin.whistle import routing

    town = make_town()
    created, release, made = threading.Event(), threading.Event(), []

    def create_then_roll_back():
        try:
            with transaction.atomic():
                made.append(routing.community_office(town.community))
                routing.community_office(town.community)  # the same transaction's next filing
                created.set()
                release.wait(10)
                transaction.set_rollback(True)
        finally:
            connections.close_all()

    creator = threading.Thread(target=create_then_roll_back)
    creator.start()
    try:
        assert created.wait(10)
        seen = routing.community_office(town.community)
    finally:
        release.set()
        creator.join(10)
    assert seen.pk != made[0].pk
    assert Organisation.objects.filter(pk=seen.pk).exists()
    assert not Organisation.objects.filter(pk=made[0].pk).exists()
