"""Import a resident ledger (xlsx) into one community: a dry run unless --commit is given."""

import time

from django.core.management.base import BaseCommand, CommandError

from liulin.core.errors import DomainError
from liulin.people import importing
from liulin.territory.models import Area


class Command(BaseCommand):
    help = "导入居民台账（xlsx）。默认只校验（试运行），加 --commit 才写入；任何一行有错则全部不写入。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="xlsx 文件路径")
        parser.add_argument("--community", required=True, help="社区代码（Area.code）")
        parser.add_argument("--commit", action="store_true", help="校验通过后写入数据库")

    def handle(self, *args, file, community, commit, **options):
        try:
            area = Area.objects.get(code=community, kind=Area.Kind.COMMUNITY)
        except Area.DoesNotExist:
            raise CommandError(f"没有代码为 {community} 的社区。") from None
        started = time.perf_counter()
        try:
            plan = importing.plan_import(file, community=area)
        except (DomainError, FileNotFoundError) as e:
            raise CommandError(str(getattr(e, "detail", e))) from None
        for error in plan.errors:
            self.stderr.write(str(error))
        if plan.errors:
            raise CommandError(f"{plan.rows_with_errors} 行有错误，未写入任何数据。")
        if not commit:
            self.stdout.write(f"试运行通过：{len(plan.rows)} 行可导入。加 --commit 写入。")
            return
        created = importing.commit_import(actor=None, plan=plan)
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"已导入 {created} 位居民，用时 {elapsed:.1f} 秒。"))
