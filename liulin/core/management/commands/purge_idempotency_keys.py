from django.core.management.base import BaseCommand

from liulin.core import idempotency


class Command(BaseCommand):
    help = "Delete Idempotency-Key records past their TTL (24 h by default); run hourly."

    def handle(self, *args, **options):
        self.stdout.write(f"deleted {idempotency.purge()} expired idempotency keys")
