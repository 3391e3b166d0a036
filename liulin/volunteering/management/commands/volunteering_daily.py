"""Daily: expire points past their validity, then publish each ledger's latest hash."""

from django.core.management.base import BaseCommand

from liulin.core import clock
from liulin.volunteering.models import Ledger
from liulin.volunteering.services import ledger as ledgers


class Command(BaseCommand):
    help = "Expire old volunteering points and publish each points ledger's latest hash (idempotent)."

    def handle(self, *args, **options):
        now = clock.now()
        for book in Ledger.objects.select_related("community"):
            expired = ledgers.expire_points(ledger=book, now=now)
            published = ledgers.publish_hash(ledger=book, day=clock.today())
            self.stdout.write(f"{book.community}: {expired} expiries, hash {published.hash[:12]} at seq {published.seq}")
