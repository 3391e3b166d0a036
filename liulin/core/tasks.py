"""Background work every app shares: tasks at a moment, and periodic jobs in one place.

`schedule_at(task, when, *args, **kwargs)` queues a django-tasks task to run no earlier than
`when`, through the package's public API only (`task.using(run_after=...).enqueue`); a
backend that cannot defer (the immediate backend of some tests) runs it now.
`bulk_schedule_at` queues many runs of one task: with the database backend one INSERT of
the public model `DBTaskResult` (its fields, as `enqueue` fills them), else one `enqueue`
each.

Periodic jobs are declared once, by the app that owns them, in its `AppConfig.ready`:

    from liulin.core.tasks import register_periodic
    register_periodic("whistle.sweep_deadlines", every=60, command="sweep_deadlines")

and one process, `manage.py run_periodic`, runs each of them once per interval. A job is
either a callable or a management command (run once, as cron would). Jobs must be safe to
run twice or on several nodes at once (idempotent, or claiming their rows with conditional
updates / SKIP LOCKED), because every node runs its own `run_periodic`.
"""

import datetime
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.management import call_command
from django.db import close_old_connections, connection

logger = logging.getLogger(__name__)


# -- tasks at a moment ----------------------------------------------------------------------


def schedule_at(task, when, *args, **kwargs):
    """Queue `task(*args, **kwargs)` to run at `when` (an aware datetime) or later."""
    if when is not None and task.get_backend().supports_defer:
        task = task.using(run_after=when)
    return task.enqueue(*args, **kwargs)


def bulk_schedule_at(task, runs):
    """Queue `task` once per (when, args) pair in `runs`, in one INSERT with the database
    backend. Arguments must already be JSON values (ids, strings), as for `enqueue`."""
    runs = list(runs)
    backend = task.get_backend()
    # Imported here: with another task backend, django_tasks_db need not be installed.
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(backend, DatabaseBackend) or backend.options.get("id_function"):
        # Another backend, or ids the backend makes its own way: let it write each one.
        return [schedule_at(task, when, *args) for when, args in runs]
    # The task was validated when it was made (django-tasks checks a Task on creation); a
    # row differs from the next only by its moment and arguments.
    rows = [
        DBTaskResult(
            args_kwargs={"args": list(args), "kwargs": {}},
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            run_after=when if when is not None else task.run_after,
            backend_name=backend.alias,
        )
        for when, args in runs
    ]
    return DBTaskResult.objects.bulk_create(rows)


# -- periodic jobs ----------------------------------------------------------------------------


def _drop_stale_connections():
    """Drop a connection a job left broken or too old, as Django does after a request; never
    inside a caller's transaction (a test, a script calling `--once`), which it would end."""
    if not connection.in_atomic_block:
        close_old_connections()


@dataclass(frozen=True)
class PeriodicJob:
    """Run `func()` (or the management command `command`) every `every` seconds."""

    name: str
    every: float
    func: Callable[[], object] | None = None
    command: str | None = None
    command_args: tuple = ()

    def run(self):
        if self.func is not None:
            return self.func()
        return call_command(self.command, *self.command_args)


_jobs: dict[str, PeriodicJob] = {}


def register_periodic(name, *, every, func=None, command=None, command_args=()):
    """Declare a periodic job (from an AppConfig.ready). Registering a name again replaces it,
    so a reloaded app does not run its job twice."""
    if isinstance(every, datetime.timedelta):
        every = every.total_seconds()
    if (func is None) == (command is None):
        raise ValueError("a periodic job is a callable or a command, exactly one of them")
    if every <= 0:
        raise ValueError("a periodic job's interval must be positive")
    _jobs[name] = PeriodicJob(name=name, every=float(every), func=func, command=command, command_args=tuple(command_args))
    return _jobs[name]


def periodic_jobs():
    """The registered jobs, by name."""
    return dict(_jobs)


@dataclass
class PeriodicRunner:
    """Runs each job when its interval has passed since its last start. `clock` is a monotonic
    clock in seconds (injected by tests); jobs run one after another in this process, so a
    long job delays the others' next turn but never runs twice at once here. `after_job` runs
    after each job (by default: drop a connection the job left broken or too old)."""

    jobs: list
    clock: Callable[[], float] = time.monotonic
    after_job: Callable[[], object] = _drop_stale_connections
    next_at: dict = field(default_factory=dict)

    def run_due(self):
        """Run every due job once; a failing job is logged and the others still run.
        Returns {name: "ok" | "failed"} for the jobs run."""
        outcome = {}
        for job in self.jobs:
            now = self.clock()
            if self.next_at.get(job.name, now) > now:
                continue
            self.next_at[job.name] = now + job.every
            outcome[job.name] = self._run(job)
        return outcome

    def _run(self, job):
        try:
            job.run()
            return "ok"
        except Exception:
            logger.exception("periodic job %s failed", job.name)
            return "failed"
        finally:
            self.after_job()

    def seconds_to_next(self):
        if not self.jobs:
            return 60.0
        now = self.clock()
        return max(0.0, min(self.next_at.get(job.name, now) for job in self.jobs) - now)
