"""Two web nodes and two task workers on one PostgreSQL: they share the work, and no
deadline is processed twice.

1. Two web servers (separate processes, separate ports) take intake requests in turn;
   every ticket they file gets its own number and its hash-chained events.
2. The accept deadlines of those tickets are moved to pass a few seconds from now, and the
   deadline check of every ticket is queued twice (as if both web nodes had scheduled it).
3. Two `manage.py db_worker` processes drain the queue (django-tasks-db claims rows with
   SELECT ... FOR UPDATE SKIP LOCKED). Afterwards each ticket must carry exactly one
   "overdue" event, its chain must verify, and both workers must have run some checks.

Step 2 changes the new tickets' deadlines directly, and drops the checks that earlier runs
on a reused database left due: benchmark fixtures, not product paths.
Bounded: BENCH_MULTINODE_TICKETS requests (default 60) and 120 s of waiting."""

import datetime
import json
import os
import time
import urllib.request

from . import memory, server
from .intake import CATEGORIES, TEXTS


def _post(port, token, body):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/tickets",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["id"]


def _file_through_both_nodes(ports, token, buildings, count, run_id):
    created = {port: [] for port in ports}
    for i in range(count):
        port = ports[i % len(ports)]
        n = i % len(CATEGORIES)
        body = {"category": CATEGORIES[n], "description": TEXTS[n], "building_id": buildings[i % len(buildings)],
                "urgency": "normal", "client_request_id": f"multinode-{run_id}-{i}"}
        created[port].append(_post(port, token, body))
    return created


def _queue_deadline_checks_twice(ticket_ids):
    from django.utils import timezone

    from liulin.whistle.models import Ticket
    from liulin.whistle.tasks import check_ticket_deadlines

    soon = timezone.now() + datetime.timedelta(seconds=5)
    task_ids = []
    for k, ticket_id in enumerate(ticket_ids):
        due = soon + datetime.timedelta(milliseconds=200 * k)
        Ticket.objects.filter(pk=ticket_id).update(accept_due=due, reminded=True, accept_overdue=False)
        for _ in range(2):
            task_ids.append(check_ticket_deadlines.using(run_after=due).enqueue(ticket_id).id)
    return task_ids


def _drop_checks_left_due():
    """Deadline checks that earlier runs on this reused database queued and that are due by
    now (the intake benchmark's tickets of an hour ago, say). Left in place, the two workers
    would spend this benchmark's two minutes on them instead of on its own checks. Returns
    how many were dropped."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from liulin.whistle.tasks import check_ticket_deadlines

    due = DBTaskResult.objects.filter(status="READY", task_path=check_ticket_deadlines.module_path, run_after__lte=timezone.now())
    return due.delete()[0]


def _wait_for(task_ids, seconds=120):
    from django_tasks_db.models import DBTaskResult

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pending = DBTaskResult.objects.filter(id__in=task_ids).exclude(status__in=["SUCCESSFUL", "FAILED"]).count()
        if pending == 0:
            break
        time.sleep(0.5)
    return DBTaskResult.objects.filter(id__in=task_ids)


def run(*, log=print):
    from django.db.models import Count

    from liulin.apitokens.services import create_token
    from liulin.territory.models import Building
    from liulin.whistle.events import verify_chain
    from liulin.whistle.models import Ticket, TicketEvent

    from .common import personas

    count = int(os.environ.get("BENCH_MULTINODE_TICKETS", "60"))
    operator = personas()["operator"]
    _, token = create_token(actor=None, user=operator, name="multinode", scopes=["tickets:write"])
    buildings = list(Building.objects.filter(community__path__startswith="/BC/").values_list("pk", flat=True)[:500])
    run_id = str(int(time.time()))

    webs = [server.start_web(log=log) for _ in range(2)]
    workers = []
    try:
        started = time.monotonic()
        created = _file_through_both_nodes([port for _, port in webs], token, buildings, count, run_id)
        filing_s = time.monotonic() - started
        ticket_ids = [pk for ids in created.values() for pk in ids]
        dropped = _drop_checks_left_due()
        task_ids = _queue_deadline_checks_twice(ticket_ids)
        workers = [server.start_db_worker(interval="0.2") for _ in range(2)]
        results = list(_wait_for(task_ids))
        rss = {f"task_worker_{w.pid}": memory.rss_mb(w.pid) for w in workers}
        rss.update(memory.web_workers(webs[0][0].pid))
    finally:
        for proc in workers:
            server.stop(proc)
        for proc, _ in webs:
            server.stop(proc)

    per_worker = {}
    for result in results:
        for worker_id in result.worker_ids:
            per_worker[worker_id] = per_worker.get(worker_id, 0) + 1
    overdue = dict(
        TicketEvent.objects.filter(ticket_id__in=ticket_ids, action="overdue")
        .values_list("ticket_id").annotate(n=Count("id")).values_list("ticket_id", "n")
    )
    tickets = Ticket.objects.filter(pk__in=ticket_ids)
    figures = {
        "web_nodes": {str(port): len(ids) for port, ids in created.items()},
        "tickets": len(ticket_ids),
        "distinct_numbers": tickets.values("number").distinct().count(),
        "filing_seconds": round(filing_s, 1),
        "earlier_checks_dropped": dropped,
        "tasks_queued": len(task_ids),
        "tasks_done": sum(r.status == "SUCCESSFUL" for r in results),
        "tasks_failed": sum(r.status == "FAILED" for r in results),
        "per_worker": per_worker,
        "workers_that_worked": len(per_worker),
        "tickets_with_exactly_one_overdue_event": sum(1 for pk in ticket_ids if overdue.get(pk) == 1),
        "tickets_processed_twice": sum(1 for pk in ticket_ids if overdue.get(pk, 0) > 1),
        "chains_verified": sum(verify_chain(t) is None for t in tickets),
    }
    log(f"  multinode: {json.dumps(figures, ensure_ascii=False)}")
    return {"multinode": figures}, rss
