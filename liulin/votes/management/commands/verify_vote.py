"""Re-add a vote from its published file (or from the database by id) and check its chain."""

import json

from django.core.management.base import BaseCommand, CommandError

from liulin.votes.publication import export, verify_document
from liulin.votes.rules import format_area


class Command(BaseCommand):
    help = "Verify a vote's published hash chain and re-add its tally (a downloaded file, or --vote ID)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="the JSON file downloaded from the vote's result page")
        parser.add_argument("--vote", type=int, help="read the vote from this database instead")

    def handle(self, *args, file=None, vote=None, **options):
        if (file is None) == (vote is None):
            raise CommandError("give a file or --vote, not both")
        if file is not None:
            try:
                with open(file, encoding="utf-8") as handle:
                    doc = json.load(handle)
            except (OSError, ValueError) as error:
                raise CommandError(f"cannot read {file}: {error}") from None
        else:
            from liulin.votes.models import Vote

            found = Vote.objects.filter(pk=vote).select_related("estate").first()
            if found is None:
                raise CommandError(f"no vote {vote}")
            doc = export(found)
        problems, figures = verify_document(doc)
        for problem in problems:
            self.stdout.write(f"PROBLEM {problem}")
        if figures is not None:
            self.stdout.write(
                f"events {len(doc['events'])}; voted {format_area(figures.voted_area)} m2 / {figures.voted_owners} owners "
                f"of {format_area(figures.total_area)} m2 / {figures.total_owners}; yes {format_area(figures.yes_area)} m2 / "
                f"{figures.yes_owners}; no {format_area(figures.no_area)} m2 / {figures.no_owners}"
            )
        if problems:
            raise CommandError("verification failed")
        self.stdout.write("OK")
