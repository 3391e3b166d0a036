"""Task workers that die are noticed, and their tasks taken back.

django-tasks-db marks a task RUNNING when a worker claims it and appends the worker's id to
`worker_ids`; it has no heartbeat, so a worker killed with -9 (out of memory, a lost
machine) leaves its task RUNNING forever. Our `manage.py db_worker` (core's command, which
wraps the package's) therefore writes a heartbeat row every `LIULIN_WORKER_HEARTBEAT_SECONDS`
from a thread of its own, and deletes it when it stops. A task is an orphan when it is
RUNNING, was claimed more than `LIULIN_WORKER_LEASE_SECONDS` ago, and the worker that
claimed it last has no beat within the lease: then it goes back to READY and the next
worker runs it again. Every worker does this check when it starts and every half lease.

A live worker beats even while its task runs for hours, so its task is never taken from
it; only a worker that cannot reach the database for a whole lease could lose a task it
still runs. Tasks must therefore be idempotent (ours are: deadline checks are conditional
updates), and the lease should be several beats long.
"""

import logging
import os
import socket
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import connections
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from . import clock
from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)


def heartbeat_seconds():
    return float(getattr(settings, "LIULIN_WORKER_HEARTBEAT_SECONDS", 10))


def lease():
    return timedelta(seconds=float(getattr(settings, "LIULIN_WORKER_LEASE_SECONDS", 60)))


def beat(worker_id, *, started_at=None):
    now = clock.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"beat_at": now},
        create_defaults={"beat_at": now, "started_at": started_at or now, "host": socket.gethostname()[:255],
                         "pid": os.getpid()},
    )


def forget(worker_id):
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def reclaim_orphans(*, now=None):
    """Put back to READY the RUNNING tasks whose worker has stopped beating; their ids."""
    now = now or clock.now()
    cutoff = now - lease()
    alive = set(WorkerHeartbeat.objects.filter(beat_at__gte=cutoff).values_list("worker_id", flat=True))
    taken = []
    for task_id, started_at, worker_ids in (
        DBTaskResult.objects.running().filter(started_at__lt=cutoff).values_list("id", "started_at", "worker_ids")
    ):
        if worker_ids and worker_ids[-1] in alive:
            continue
        # Conditional: a task that finished or was claimed again since the read is left alone.
        if DBTaskResult.objects.filter(id=task_id, status=TaskResultStatus.RUNNING, started_at=started_at).update(
            status=TaskResultStatus.READY, started_at=None
        ):
            logger.warning("Task %s taken back from worker %s, which stopped beating", task_id, worker_ids[-1:])
            taken.append(task_id)
    WorkerHeartbeat.objects.filter(beat_at__lt=cutoff).delete()
    return taken


class Heartbeat(threading.Thread):
    """Beats for `worker_id` and takes back orphans until stopped; its own DB connection."""

    def __init__(self, worker_id):
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.stopped = threading.Event()

    def run(self):
        next_check = 0.0
        try:
            while not self.stopped.wait(heartbeat_seconds()):
                try:
                    beat(self.worker_id)
                    if time.monotonic() >= next_check:  # orphans are looked for every half lease
                        reclaim_orphans()
                        next_check = time.monotonic() + lease().total_seconds() / 2
                except Exception:  # the database may be away for a moment; beat again next time
                    logger.exception("Heartbeat of worker %s failed", self.worker_id)
                    connections.close_all()
        finally:
            connections.close_all()

    def stop(self):
        self.stopped.set()
        self.join(timeout=heartbeat_seconds() + 5)
