"""Run every minute: `manage.py run_periodic` does (whistle declares it in its AppConfig);
cron may instead run it once a minute,

    * * * * *  cd /srv/liulin && .venv/bin/python manage.py sweep_deadlines

or it may loop by itself: `python manage.py sweep_deadlines --every 60`.

The safety net behind the per-ticket deadline tasks: it flags breaches, escalates by policy
and sends reminders for every open ticket whose moment has come, even if a task was lost;
it also flags departments that missed a whistle's report-in deadline and records callbacks
that went unanswered as not rated. Safe to run twice or concurrently (rows are claimed with
SKIP LOCKED on PostgreSQL and flagged by conditional updates)."""

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from liulin.core import clock
from liulin.whistle.services import callbacks, whistles
from liulin.whistle.tasks import sweep_deadlines


def sweep_once(batch_size):
    now = clock.now()
    counts = sweep_deadlines(now=now, batch_size=batch_size)
    counts["unreported"] = whistles.flag_unreported(now)
    counts["unrated"] = callbacks.expire_unrated(now)
    return counts


class Command(BaseCommand):
    help = "检查所有在办工单的时限：到期提醒、超时标记、按时限标准自动升级；标记逾期未报到的部门和逾期未评价的回访。建议每分钟运行一次。"

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="每批锁定处理的工单数")
        parser.add_argument("--every", type=int, default=0, help="每隔多少秒重复一次（0 表示只运行一次）")

    def handle(self, *args, batch_size, every, **options):
        while True:
            counts = sweep_once(batch_size)
            self.stdout.write(
                f"接单超时 {counts['accept_overdue']}（升级 {counts['accept_escalated']}），办结超时 {counts['resolve_overdue']}，到期提醒 {counts['reminded']}，"
                f"逾期未报到 {counts['unreported']}，逾期未评价 {counts['unrated']}"
            )
            if not every:
                return
            close_old_connections()
            time.sleep(every)
