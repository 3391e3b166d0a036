"""`manage.py db_worker`: django-tasks-db's worker, with a heartbeat.

This command takes the package's name (core is listed before django_tasks_db in
INSTALLED_APPS), so every worker started the documented way beats and takes back the tasks
of workers that died (liulin/core/workers.py). Options are the package's.
"""

import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from liulin.core import clock, workers


class Command(db_worker.Command):
    help = db_worker.Command.help + " (with a heartbeat; tasks of dead workers are taken back)"

    def handle(self, *args, worker_id, reload, **options):
        if reload and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true" and not options.get("batch"):
            # The autoreloader's parent only restarts the child; the child beats.
            return super().handle(*args, worker_id=worker_id, reload=reload, **options)
        workers.beat(worker_id, started_at=clock.now())
        workers.reclaim_orphans()
        heartbeat = workers.Heartbeat(worker_id)
        heartbeat.start()
        try:
            return super().handle(*args, worker_id=worker_id, reload=reload, **options)
        finally:
            heartbeat.stop()
            workers.forget(worker_id)
