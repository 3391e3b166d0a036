"""core.tasks: tasks at a moment through django-tasks' public API, and the periodic runner."""

import datetime

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from liulin.core import clock, tasks
from liulin.core.tests.worker_tasks import hold


@pytest.mark.django_db
def test_schedule_at_enqueues_with_run_after():
    when = clock.now() + datetime.timedelta(hours=3)
    result = tasks.schedule_at(hold, when, "/nonexistent")
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.run_after == when
    assert row.args_kwargs == {"args": ["/nonexistent"], "kwargs": {}}
    assert row.task_path == hold.module_path


@pytest.mark.django_db
def test_bulk_schedule_at_writes_what_enqueue_writes():
    when = clock.now() + datetime.timedelta(minutes=5)
    one = DBTaskResult.objects.get(pk=tasks.schedule_at(hold, when, "a").id)
    tasks.bulk_schedule_at(hold, [(when, ["b"]), (when + datetime.timedelta(minutes=1), ["c"])])
    rows = {row.args_kwargs["args"][0]: row for row in DBTaskResult.objects.all()}
    assert set(rows) == {"a", "b", "c"}
    fields = ("status", "priority", "task_path", "queue_name", "backend_name")
    assert [getattr(rows["b"], f) for f in fields] == [getattr(one, f) for f in fields]
    assert rows["b"].run_after == when and rows["c"].run_after == when + datetime.timedelta(minutes=1)
    assert rows["b"].pk != rows["c"].pk
    # The worker reads them as it reads its own.
    assert rows["b"].task_result.args == ["b"]


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_runner_runs_each_due_job_once_per_interval():
    runs = []
    fast = tasks.PeriodicJob(name="fast", every=1, func=lambda: runs.append("fast"))
    slow = tasks.PeriodicJob(name="slow", every=60, func=lambda: runs.append("slow"))
    tick = FakeClock()
    runner = tasks.PeriodicRunner([fast, slow], clock=tick, after_job=lambda: None)
    runner.run_due()
    runner.run_due()  # same instant: nothing is due again
    assert runs == ["fast", "slow"]
    for _ in range(59):
        tick.now += 1
        runner.run_due()
    assert runs.count("fast") == 60 and runs.count("slow") == 1
    tick.now += 1
    runner.run_due()
    assert runs.count("fast") == 61 and runs.count("slow") == 2
    assert runner.seconds_to_next() == 1


def test_a_failing_job_does_not_stop_the_others(caplog):
    runs = []

    def broken():
        raise RuntimeError("boom")

    runner = tasks.PeriodicRunner(
        [tasks.PeriodicJob(name="broken", every=1, func=broken), tasks.PeriodicJob(name="after", every=1, func=lambda: runs.append(1))],
        clock=FakeClock(),
        after_job=lambda: None,
    )
    assert runner.run_due() == {"broken": "failed", "after": "ok"}
    assert runs == [1]
    assert "periodic job broken failed" in caplog.text


def test_register_refuses_a_job_without_exactly_one_body():
    with pytest.raises(ValueError):
        tasks.register_periodic("x", every=1)
    with pytest.raises(ValueError):
        tasks.register_periodic("x", every=1, func=print, command="check")
    with pytest.raises(ValueError):
        tasks.register_periodic("x", every=0, func=print)


def test_the_apps_declare_their_periodic_jobs():
    jobs = tasks.periodic_jobs()
    assert jobs["whistle.sweep_deadlines"].every == 60 and jobs["whistle.sweep_deadlines"].command == "sweep_deadlines"
    assert jobs["whistle.drain_intake"].every == 1
    assert jobs["core.purge_idempotency_keys"].every == 3600


@pytest.mark.django_db
def test_run_periodic_once_runs_the_registered_commands(capsys):
    call_command("run_periodic", "--once", "--only", "whistle.sweep_deadlines", "--only", "core.purge_idempotency_keys")
    out = capsys.readouterr().out
    assert "接单超时 0" in out
    assert "expired idempotency keys" in out
