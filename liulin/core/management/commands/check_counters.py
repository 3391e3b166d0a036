"""Recount every declared counter (core.counters) from its source rows and compare.

    manage.py check_counters                      # every counter, every row
    manage.py check_counters whistle.kpi_rollup   # named counters only
    manage.py check_counters --fix                # replace differing counters' rows by the recount

Exit status 0 when every table equals its recount (or was just fixed), non-zero otherwise.
An app's own check command may narrow the scope (check_kpi_rollups --month).
"""

from django.core.management.base import BaseCommand, CommandError

from liulin.core import counters

SHOWN = 50


class Command(BaseCommand):
    help = "Recount the declared counters from their source rows and compare (or --fix) the stored rows."

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="*", help="counter names (default: all)")
        parser.add_argument("--fix", action="store_true", help="replace the rows of differing counters by the recount")

    def handle(self, *args, names=(), fix=False, **options):
        declared = counters.registered()
        unknown = sorted(set(names) - set(declared))
        if unknown:
            raise CommandError(f"unknown counters: {', '.join(unknown)}; declared: {', '.join(sorted(declared))}")
        failing = 0
        for name in names or sorted(declared):
            counter = declared[name]
            diffs = counter.differences()
            if not diffs:
                self.stdout.write(f"{name}: matches a recount.")
                continue
            for key, count, have, want in diffs[:SHOWN]:
                self.stdout.write(f"{name} {key}: {count} stored {have}, recount {want}")
            if len(diffs) > SHOWN:
                self.stdout.write(f"... and {len(diffs) - SHOWN} more")
            if fix:
                written = counter.recompute()
                remaining = counter.differences()
                if remaining:
                    failing += 1
                    self.stdout.write(f"{name}: {len(remaining)} differences remain after --fix (source changed meanwhile?)")
                else:
                    self.stdout.write(f"{name}: fixed {len(diffs)} differences; {written} rows rewritten.")
            else:
                failing += 1
        if failing:
            raise CommandError(f"{failing} counters differ from a recount" + ("" if fix else "; run with --fix to rewrite them."))
