"""`manage.py run_periodic`: every periodic job of every app, in one process.

The jobs are those the apps declare with `core.tasks.register_periodic` in their
AppConfig.ready (list them with `--list`). Run one per node beside the task worker; the jobs
are safe on several nodes at once (docs/deployment.md). `--once` runs each job once and
stops (cron-style, and for tests); `--only NAME` limits the run to the named jobs.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from liulin.core import tasks


class Command(BaseCommand):
    help = "运行各应用登记的周期任务（时限巡检、排队受理、幂等键清理等），每项按其间隔运行一次。"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="每项只运行一次后退出")
        parser.add_argument("--only", action="append", default=[], help="只运行这些任务（可重复）")
        parser.add_argument("--list", dest="list_jobs", action="store_true", help="列出已登记的周期任务")

    def handle(self, *args, once, only, list_jobs, **options):
        jobs = tasks.periodic_jobs()
        unknown = set(only) - set(jobs)
        if unknown:
            raise CommandError(f"未登记的周期任务：{', '.join(sorted(unknown))}")
        chosen = [job for name, job in sorted(jobs.items()) if not only or name in only]
        if list_jobs:
            for job in chosen:
                self.stdout.write(f"{job.name}\t每 {job.every:g} 秒\t{job.command or job.func.__qualname__}")
            return
        runner = tasks.PeriodicRunner(chosen)
        while True:
            for name, outcome in runner.run_due().items():
                if outcome != "ok":
                    self.stderr.write(f"{name}: {outcome}")
            if once:
                return
            time.sleep(runner.seconds_to_next())
