"""Recount the KPI rollups from the stored events and compare them with the table.

    manage.py check_kpi_rollups                 # every month
    manage.py check_kpi_rollups --month 2026-03 # one month (repeatable)
    manage.py check_kpi_rollups --fix           # replace the rows by the recount

Exit status 0 when the table equals the recount (or was just fixed), non-zero otherwise.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from liulin.whistle import rollups

SHOWN = 50


def _month(value):
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise CommandError(f"--month 应为 YYYY-MM，收到 {value!r}") from None


class Command(BaseCommand):
    help = "Recount KPI rollups from ticket events and compare (or --fix) the stored counters."

    def add_arguments(self, parser):
        parser.add_argument("--month", action="append", type=_month, help="YYYY-MM; may be repeated")
        parser.add_argument("--fix", action="store_true", help="replace the rows of the checked months by the recount")

    def handle(self, *args, month=None, fix=False, **options):
        months = month or None
        diffs = rollups.differences(months=months)
        scope = ", ".join(f"{m:%Y-%m}" for m in months) if months else "all months"
        if not diffs:
            self.stdout.write(f"KPI rollups match a recount from events ({scope}).")
            return
        for (grain, month_, community, grid, category, org), name, have, want in diffs[:SHOWN]:
            self.stdout.write(
                f"{grain} {month_:%Y-%m} community={community} grid={grid} category={category} org={org}: "
                f"{name} stored {have}, recount {want}"
            )
        if len(diffs) > SHOWN:
            self.stdout.write(f"... and {len(diffs) - SHOWN} more")
        if fix:
            written = rollups.recompute(months=months)
            remaining = rollups.differences(months=months)
            if remaining:
                raise CommandError(f"{len(remaining)} differences remain after --fix (tickets changed meanwhile?)")
            self.stdout.write(f"Fixed: {len(diffs)} differences; {written} rows rewritten ({scope}).")
            return
        raise CommandError(f"{len(diffs)} KPI rollup counters differ from a recount ({scope}); run with --fix to rewrite them.")
