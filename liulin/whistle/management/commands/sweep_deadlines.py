"""Run every minute (cron, or the worker host's scheduler):

    * * * * *  cd /srv/liulin && .venv/bin/python manage.py sweep_deadlines

The safety net behind the per-ticket deadline tasks: it flags breaches, escalates by policy
and sends reminders for every open ticket whose moment has come, even if a task was lost.
Safe to run twice or concurrently (rows are claimed with SKIP LOCKED on PostgreSQL and
flagged by conditional updates)."""

from django.core.management.base import BaseCommand

from liulin.whistle.tasks import sweep_deadlines


class Command(BaseCommand):
    help = "检查所有在办工单的时限：到期提醒、超时标记、按时限标准自动升级。建议每分钟运行一次。"

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="每批锁定处理的工单数")

    def handle(self, *args, batch_size, **options):
        counts = sweep_deadlines(batch_size=batch_size)
        self.stdout.write(
            f"接单超时 {counts['accept_overdue']}，办结超时 {counts['resolve_overdue']}，到期提醒 {counts['reminded']}"
        )
