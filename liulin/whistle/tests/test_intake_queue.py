"""The intake queue: accepted with one insert, filed in batches exactly as a direct filing
would be (the same ticket, events, deadlines, notices, KPI counters), rejected with the
error a direct filing would have answered, idempotent on client_request_id."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from liulin.accounts.tests.factories import make_user
from liulin.core.errors import Conflict, Invalid, NotPermitted
from liulin.core.notifications.models import Notification
from liulin.core.roles import Role
from liulin.territory.tests.factories import BuildingFactory
from liulin.whistle import events, rollups
from liulin.whistle.models import Channel, Intake, State, Ticket
from liulin.whistle.services import intake, queue

from .intake_fixtures import submitted

pytestmark = pytest.mark.django_db
LOCAL = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 3, 16, 9, 0, tzinfo=LOCAL)  # a Monday morning
JSON = "application/json"


def request_for(town, **changes):
    return {"category": "property-elevator", "description": "1栋电梯坏了，老人下不了楼", "household_id": town.household.pk,
            "requester_id": town.resident.pk, **changes}


def enqueue(town, crid, actor=None, **changes):
    return queue.enqueue(actor=actor or town.operator, client_request_id=crid, request=request_for(town, **changes), now=NOW)


def status(crid):
    return Intake.objects.get(client_request_id=crid)


def filed(crid):
    assert status(crid).status == Intake.Status.FILED
    return Ticket.objects.get(client_request_id=crid)


def timeline(ticket):
    return [(e.seq, e.action, e.from_state, e.to_state, e.actor_id, e.actor_role, e.reason,
             {k: v for k, v in e.data.items() if k != "client_request_id"}) for e in ticket.events.order_by("seq")]


def notices(ticket):
    return sorted((n.user_id, n.message.replace(ticket.number, "#")) for n in Notification.objects.about(ticket))


# --- the same filing either way -------------------------------------------------------


def test_a_queued_request_is_filed_exactly_as_a_direct_one(town):
    direct, _ = intake.file_ticket(actor=town.operator, channel=Channel.API, client_request_id="direct-1", now=NOW,
                                   category="property-elevator", description="1栋电梯坏了，老人下不了楼",
                                   household=town.household, requester=town.resident)
    enqueue(town, "queued-1")
    assert queue.drain(now=NOW) == 1

    queued = filed("queued-1")
    assert queued.number == f"LF20260316{queued.pk:05d}"
    for name in ("state", "handling_org_id", "grid_id", "community_id", "policy_id", "verify_org_id", "requester_id",
                 "requester_user_id", "contact_phone", "address", "accept_due", "resolve_due", "dispatched_at", "created_at",
                 "tier", "channel", "filed_by_id"):
        assert getattr(queued, name) == getattr(direct, name), name
    assert queued.state == State.DISPATCHED and queued.handling_org == town.property_company
    assert timeline(queued) == timeline(direct)
    assert events.verify_chain(queued) is None
    assert notices(queued) == notices(direct) != []
    fields = ("status", "args_kwargs", "priority", "task_path", "queue_name", "run_after", "backend_name")
    checks = {c.args_kwargs["args"][0]: {f: getattr(c, f) for f in fields} for c in DBTaskResult.objects.all()}
    assert sorted(checks) == sorted([direct.pk, queued.pk])  # one deadline check each, queued alike
    assert checks[queued.pk] == {**checks[direct.pk], "args_kwargs": {"args": [queued.pk], "kwargs": {}}}
    assert rollups.differences() == []


def test_the_ticket_dates_from_receipt_and_its_clock_from_dispatch(town):
    enqueue(town, "late-1")
    queue.drain(now=NOW + datetime.timedelta(minutes=3))
    ticket = filed("late-1")
    assert ticket.created_at == NOW
    assert ticket.dispatched_at == NOW + datetime.timedelta(minutes=3)
    assert [e.at for e in ticket.events.order_by("seq")] == [NOW, NOW + datetime.timedelta(minutes=3)]


def test_a_request_routing_finds_no_unit_for_waits_for_the_dispatcher(town):
    enqueue(town, "unrouted-1", category="illegal-building", description="楼顶私搭乱建")
    queue.drain(now=NOW)
    ticket = filed("unrouted-1")
    assert ticket.state == State.SUBMITTED and ticket.handling_org is None
    assert [e.action for e in ticket.events.all()] == ["file"]


# --- accepting ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "crid, changes, error, code",
    [
        ("", {}, Invalid, "client_request_id_required"),
        ("q-1", {"category": "no-such-category"}, Invalid, "unknown_category"),
        ("q-1", {"description": "  "}, Invalid, "description_required"),
        ("q-1", {"urgency": "whenever"}, Invalid, "invalid_urgency"),
    ],
)
def test_what_needs_no_database_is_refused_at_once_and_nothing_is_queued(town, crid, changes, error, code):
    with pytest.raises(error) as raised:
        enqueue(town, crid, **changes)
    assert raised.value.code == code
    assert not Intake.objects.exists()


def test_a_role_that_may_not_file_is_refused_at_once(town):
    auditor = make_user(Role.AUDITOR, town.community)
    with pytest.raises(NotPermitted):
        enqueue(town, "q-1", actor=auditor)
    assert not Intake.objects.exists()


def test_the_202_remembers_the_role_names_until_a_role_changes(town):
    enqueue(town, "q-1")
    with CaptureQueriesContext(connection) as queries:
        enqueue(town, "q-2")
    assert not [q for q in queries if "accounts_roleassignment" in q["sql"]]
    for assignment in town.operator.role_assignments.all():
        assignment.active = False
        assignment.save()
    with pytest.raises(NotPermitted):
        enqueue(town, "q-3")


def test_a_retry_returns_the_first_request_and_another_users_id_is_a_conflict(town):
    first, created = enqueue(town, "retry-1")
    again, created_again = enqueue(town, "retry-1", description="别的内容")
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk and again.payload["description"] == "1栋电梯坏了，老人下不了楼"
    with pytest.raises(Conflict) as raised:
        enqueue(town, "retry-1", actor=town.grid_worker)
    assert raised.value.code == "client_request_id_taken"
    assert Intake.objects.count() == 1


# --- rejections -----------------------------------------------------------------------


def test_bad_requests_are_rejected_with_the_direct_error_and_the_rest_of_the_batch_is_filed(town):
    elsewhere = BuildingFactory()
    enqueue(town, "ok-1")
    enqueue(town, "out-of-scope", household_id=None, requester_id=None, building_id=elsewhere.pk)
    enqueue(town, "no-place", household_id=None, requester_id=None)
    enqueue(town, "gone", household_id=10**9, requester_id=None)
    enqueue(town, "ok-2", household_id=None, requester_id=None, building_id=town.b2.pk)
    assert queue.drain(now=NOW) == 5

    assert status("ok-1").status == status("ok-2").status == Intake.Status.FILED
    assert (status("out-of-scope").status, status("out-of-scope").error_code) == (Intake.Status.REJECTED, "not_found")
    assert (status("no-place").error_code, status("no-place").error_field) == ("place_required", "location")
    assert status("gone").error_code == "not_found"
    assert Ticket.objects.count() == 2
    assert not Intake.objects.filter(status=Intake.Status.QUEUED).exists()


@pytest.mark.parametrize("payload", [
    {"description": "没有类别"},
    {"category": "property-elevator", "description": 5},
    {"category": "property-elevator", "description": "地点编号不是数字", "building_id": "b1"},
    {"category": "property-elevator", "description": "坐标不是数字", "lon": "112.9"},
    ["not", "an", "object"],
])
def test_a_stored_request_the_api_could_not_have_written_is_rejected_alone(town, payload):
    """A row put into the queue by hand: rejected, and the requests behind it are filed."""
    enqueue(town, "before")
    Intake.objects.create(filed_by=town.operator, client_request_id="by-hand", channel=Channel.API, payload=payload,
                          received_at=NOW)
    enqueue(town, "after")
    assert queue.drain(now=NOW) == 3
    assert (status("by-hand").status, status("by-hand").error_code) == (Intake.Status.REJECTED, "malformed_request")
    assert filed("before") and filed("after")


def test_a_role_withdrawn_after_queueing_is_rejected(town):
    enqueue(town, "q-1")
    town.operator.role_assignments.update(active=False)
    queue.drain(now=NOW)
    assert status("q-1").error_code == "not_permitted"
    assert not Ticket.objects.exists()


def test_a_request_id_used_by_a_direct_filing(town):
    direct, _ = intake.file_ticket(actor=town.operator, channel=Channel.API, client_request_id="both-1", now=NOW,
                                   category="noise", description="夜间施工噪音", building=town.b1)
    enqueue(town, "both-1")
    intake.file_ticket(actor=town.grid_worker, channel=Channel.API, client_request_id="theirs-1", now=NOW,
                       category="noise", description="夜间施工噪音", building=town.b1)
    enqueue(town, "theirs-1")
    queue.drain(now=NOW)
    assert filed("both-1") == direct  # the same user's request is that ticket
    assert status("theirs-1").error_code == "client_request_id_taken"
    assert Ticket.objects.count() == 2


def test_when_the_batch_insert_fails_each_request_is_filed_on_its_own(town, monkeypatch):
    for n in range(3):
        enqueue(town, f"q-{n}")
    real = intake.insert_filings

    def fail_for_a_batch(filings, **kw):
        if len(filings) > 1:
            raise IntegrityError("a direct filing took one of the request ids")
        return real(filings, **kw)

    monkeypatch.setattr(intake, "insert_filings", fail_for_a_batch)
    queue.drain(now=NOW)
    assert Intake.objects.filter(status=Intake.Status.FILED).count() == 3
    assert Ticket.objects.count() == 3
    assert all(events.verify_chain(t) is None for t in Ticket.objects.all())


# --- cost -----------------------------------------------------------------------------


def test_a_batch_costs_the_same_queries_for_five_requests_as_for_fifteen(town):
    def drained_queries(n, prefix):
        for k in range(n):
            enqueue(town, f"{prefix}-{k}", household_id=None, requester_id=None, building_id=(town.b1, town.b2)[k % 2].pk)
        with CaptureQueriesContext(connection) as captured:
            queue.drain_batch(now=NOW)
        return len(captured)

    drained_queries(1, "warm")  # the configuration (rules, policies, calendar) is read once per process
    # Fifteen, not twenty: SQLite takes at most 999 parameters a statement, so Django splits an
    # insert of more than 999 // (the ticket's 50 columns) = 19 rows in two.
    assert drained_queries(15, "b") == drained_queries(5, "a")


# --- over HTTP ------------------------------------------------------------------------


def test_api_answers_202_then_reports_the_ticket(client, town):
    client.force_login(town.operator)
    body = {**request_for(town), "client_request_id": "api-1"}
    response = client.post("/api/v1/tickets/intake", body, content_type=JSON)
    assert response.status_code == 202, response.json()
    queued = response.json()
    assert queued["status"] == "queued" and queued["ticket"] is None and queued["error"] is None
    assert response["Location"] == f"/api/v1/tickets/intake/{queued['id']}"
    assert client.post("/api/v1/tickets/intake", body, content_type=JSON).json()["id"] == queued["id"]

    queue.drain()
    followed = client.get(response["Location"]).json()
    ticket = Ticket.objects.get(client_request_id="api-1")
    assert followed["status"] == "filed"
    assert followed["ticket"] == {"id": ticket.pk, "number": ticket.number, "state": "dispatched"}

    client.force_login(town.grid_worker)
    assert client.get(response["Location"]).status_code == 404


def test_api_reports_a_rejection_and_refuses_bad_input_with_a_code(client, town):
    client.force_login(town.operator)
    assert client.post("/api/v1/tickets/intake", request_for(town), content_type=JSON).json()["code"] == "invalid_input"
    bad = client.post("/api/v1/tickets/intake", {**request_for(town), "category": "nope", "client_request_id": "x"},
                      content_type=JSON)
    assert (bad.status_code, bad.json()["code"]) == (400, "unknown_category")
    location = client.post("/api/v1/tickets/intake", {**request_for(town, household_id=None, requester_id=None),
                                                       "client_request_id": "x"}, content_type=JSON)["Location"]
    queue.drain()
    body = client.get(location).json()
    assert body["status"] == "rejected"
    assert body["error"]["code"] == "place_required" and body["error"]["field"] == "location"


def test_numbers_written_in_sql_are_those_of_number_for_long_ids_too(town):
    from liulin.whistle.tests.factories import TicketFactory

    tickets = [TicketFactory(pk=pk, created_at=NOW) for pk in (7, 123456)]
    intake.write_numbers(tickets)
    for ticket in tickets:
        ticket.refresh_from_db(fields=["number"])
        assert ticket.number == intake.number_for(NOW.date(), ticket.pk)
    assert Ticket.objects.get(pk=123456).number == "LF20260316123456"


def _renumbered(captured):
    return [q for q in captured if q["sql"].startswith('UPDATE "whistle_ticket" SET "number"')]


def test_both_ways_of_filing_number_their_tickets_with_one_update_on_every_database(town):
    """The number follows the insert (it is made of the id), one UPDATE per batch and filing
    day, the same on PostgreSQL and SQLite."""
    with CaptureQueriesContext(connection) as direct_queries:
        direct, _ = intake.file_ticket(actor=town.operator, channel=Channel.API, client_request_id="direct-1", now=NOW,
                                       category="property-elevator", description="1栋电梯坏了，老人下不了楼",
                                       household=town.household, requester=town.resident)
    for n in range(3):
        enqueue(town, f"queued-{n}")
    with CaptureQueriesContext(connection) as batch_queries:
        queue.drain()
    assert len(_renumbered(direct_queries)) == 1
    assert len(_renumbered(batch_queries)) == 1
    for ticket in (direct, *(filed(f"queued-{n}") for n in range(3))):
        ticket.refresh_from_db(fields=["number"])
        assert ticket.number == intake.number_for(NOW.date(), ticket.pk)


class _Stop(Exception):
    pass


def test_the_drain_command_waits_after_a_short_pass_so_arrivals_gather_into_a_batch(monkeypatch):
    """It waits after a pass that filed a few, not only after an empty one: filing requests as
    they trickle in, a few a batch, costs several times the CPU per request."""
    from liulin.whistle.management.commands import drain_intake

    passes, calls = iter([3, 0, 7]), []
    monkeypatch.setattr(queue, "drain", lambda batch_size: calls.append("drain") or next(passes))

    def sleep(seconds):
        calls.append(seconds)
        if calls.count(seconds) == 3:
            raise _Stop

    monkeypatch.setattr(drain_intake.time, "sleep", sleep)
    with pytest.raises(_Stop):
        call_command("drain_intake", "--every", "0.5", stdout=io.StringIO())
    assert calls == ["drain", 0.5, "drain", 0.5, "drain", 0.5]


def test_a_duplicate_request_id_spoils_nothing_the_callers_transaction_did(town):
    """The insert has its own savepoint: after the duplicate's IntegrityError the caller's
    transaction goes on (PostgreSQL would refuse every later statement without it)."""
    first, _ = enqueue(town, "dup-1")
    with transaction.atomic():
        other, created = enqueue(town, "dup-2")
        assert created and enqueue(town, "dup-1") == (first, False)
        assert Intake.objects.filter(pk__in=[first.pk, other.pk]).count() == 2


def test_numbers_and_request_ids_stay_unique_without_pattern_indexes(town):
    """Unique by Meta.constraints rather than `unique=True`, which on PostgreSQL also builds a
    LIKE-pattern index that no query needs and every insert writes (migration 0018)."""
    first, second = (submitted(town, client_request_id=f"direct-{n}") for n in range(2))
    taken, other = (enqueue(town, crid)[0] for crid in ("queued-1", "queued-2"))
    for row, column, value in ((second, "number", first.number), (second, "client_request_id", first.client_request_id),
                               (other, "client_request_id", taken.client_request_id)):
        with pytest.raises(IntegrityError), transaction.atomic():
            type(row).objects.filter(pk=row.pk).update(**{column: value})


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pattern-operator indexes exist on PostgreSQL only")
def test_no_pattern_index_is_built_for_the_unique_text_columns():
    """What `unique=True` would add on PostgreSQL (migration 0018): none on tickets or intakes."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename IN ('whistle_ticket', 'whistle_intake') "
                       "AND indexdef LIKE '%%pattern_ops%%'")
        assert cursor.fetchall() == []
        # The query does find such an index where one exists: the KPI rollups' prefix index.
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE tablename = 'whistle_kpirollup' "
                       "AND indexdef LIKE '%%pattern_ops%%'")
        assert cursor.fetchone()[0] >= 1

