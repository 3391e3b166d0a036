"""A task worker killed with -9 loses no task: a live worker takes it back once the dead
one's lease has run out, and never while it still beats. Real `manage.py db_worker`
processes, a real SIGKILL, on the database the suite runs on (SQLite or PostgreSQL)."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from . import scratch

BEAT = {"LIULIN_WORKER_HEARTBEAT_SECONDS": "0.3", "LIULIN_WORKER_LEASE_SECONDS": "3",
        "LIULIN_TASKS_BACKEND": "django_tasks_db.DatabaseBackend"}
TABLE = "django_tasks_database_dbtaskresult"


def _worker(url, worker_id):
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay", "--no-reload",
         "--worker-id", worker_id, "-v", "0"],
        cwd=scratch.BASE_DIR, env=scratch.environment(url, BEAT), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def _row(url, task_id):
    status, worker_ids = scratch.query(url, f"SELECT status, worker_ids FROM {TABLE} WHERE id = %s", [task_id])[0]
    return status, worker_ids if isinstance(worker_ids, list) else json.loads(worker_ids)


def _wait_for(predicate, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _starts(marker):
    return marker.read_text().splitlines() if marker.exists() else []


@pytest.fixture
def enqueue(scratch_database):
    def enqueue(marker):
        code = (
            "from liulin.core.tests.worker_tasks import hold\n"
            f"print(hold.enqueue({str(marker)!r}).id)\n"
        )
        out = scratch.manage(scratch_database, "shell", "-c", code, env=BEAT).stdout
        return out.strip().splitlines()[-1].replace("-", "")

    return enqueue


def test_a_killed_workers_task_is_taken_back_once_and_only_after_its_lease(scratch_database, enqueue, tmp_path):
    url = scratch_database
    marker = tmp_path / "starts"
    task_id = enqueue(marker)
    if url.startswith("postgres"):
        task_id = f"{task_id[:8]}-{task_id[8:12]}-{task_id[12:16]}-{task_id[16:20]}-{task_id[20:]}"
    first = _worker(url, "worker-a")
    second = None
    try:
        _wait_for(lambda: len(_starts(marker)) == 1, 60, "worker-a to start the task")
        second = _worker(url, "worker-b")
        time.sleep(5)  # longer than the lease: worker-a still beats, so nobody takes its task
        assert len(_starts(marker)) == 1
        assert _row(url, task_id) == ("RUNNING", ["worker-a"])

        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
        _wait_for(lambda: _row(url, task_id)[0] == "SUCCESSFUL", 60, "worker-b to take back and finish the task")
        assert _row(url, task_id) == ("SUCCESSFUL", ["worker-a", "worker-b"])
        assert len(_starts(marker)) == 2  # once by each worker, never twice at once
    finally:
        for process in (first, second):
            if process and process.poll() is None:
                process.send_signal(signal.SIGTERM)  # stops at once when idle
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
    # A worker that stops in order says so: its heartbeat row is gone.
    assert scratch.query(url, "SELECT worker_id FROM core_workerheartbeat WHERE worker_id = %s", ["worker-b"]) == []


@pytest.mark.django_db
def test_only_tasks_of_silent_workers_are_taken_back(settings):
    """The rule itself, in one process: a task goes back only when its last worker has been
    silent for the lease and it was claimed longer ago than the lease."""
    from datetime import timedelta

    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult, get_date_max

    from liulin.core import clock, workers
    from liulin.core.models import WorkerHeartbeat

    settings.LIULIN_WORKER_LEASE_SECONDS = 60
    now = clock.now()
    long_ago = now - timedelta(minutes=10)

    def running(worker_ids, started_at=long_ago):
        return DBTaskResult.objects.create(
            status=TaskResultStatus.RUNNING, started_at=started_at, worker_ids=worker_ids, task_path="x.y",
            args_kwargs={"args": [], "kwargs": {}}, backend_name="default", run_after=get_date_max(),
        )

    WorkerHeartbeat.objects.create(worker_id="alive", beat_at=now - timedelta(seconds=5), started_at=long_ago)
    WorkerHeartbeat.objects.create(worker_id="silent", beat_at=now - timedelta(seconds=90), started_at=long_ago)
    kept_alive = running(["silent", "alive"])  # reclaimed once, now with a live worker
    kept_young = running(["unknown"], started_at=now - timedelta(seconds=10))
    orphan = running(["alive", "silent"])
    unknown = running(["never-beat"])

    assert set(workers.reclaim_orphans(now=now)) == {orphan.id, unknown.id}
    statuses = dict(DBTaskResult.objects.values_list("id", "status"))
    assert statuses[kept_alive.id] == statuses[kept_young.id] == TaskResultStatus.RUNNING
    assert statuses[orphan.id] == statuses[unknown.id] == TaskResultStatus.READY
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["alive"]  # the dead are forgotten
