"""Files the requests waiting in the intake queue (`POST /api/v1/tickets/intake`).
`manage.py run_periodic` runs it every second (whistle declares it in its AppConfig); it may
also loop by itself, beside the task worker:

    python manage.py drain_intake --every 0.2

Each pass files what is queued, a batch per transaction, until the queue runs short, then
waits `--every` seconds. Waiting after a short pass, not only after an empty one, lets the
requests arriving meanwhile gather into one batch: a batch's statements cost about the
same for 5 requests as for 200, so filing them as they come, a few at a time, would spend
several times the CPU per request just when a peak needs it. A request therefore waits at
most about `--every` before it is filed. Several may run on several machines: each claims
its own rows (SKIP LOCKED on PostgreSQL; SQLite has one writer at a time). Without
`--every` it drains once."""

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from liulin.whistle.services import queue


class Command(BaseCommand):
    help = "把排队受理的诉求逐批生成工单并派单（与直接提交相同的校验、派单规则与时限）。"

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=queue.BATCH_SIZE, help="每批处理的排队诉求数")
        parser.add_argument("--every", type=float, default=0, help="队列为空时等待多少秒再查（0 表示只处理一次）")

    def handle(self, *args, batch_size, every, **options):
        while True:
            processed = queue.drain(batch_size=batch_size)
            if processed or not every:
                self.stdout.write(f"已处理排队诉求 {processed} 条")
            if not every:
                return
            if not processed:
                close_old_connections()
            time.sleep(every)
