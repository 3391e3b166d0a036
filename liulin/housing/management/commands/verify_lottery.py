"""Recompute a housing round's lottery from its published inputs and say whether it holds.

    manage.py verify_lottery <round id>            # the current draw, from the database
    manage.py verify_lottery --file draw.txt       # a downloaded draw file, without the database
"""

from django.core.management.base import BaseCommand, CommandError

from liulin.core import lottery


def parse_file(text):
    """(public value, applicants hash, seed, algorithm, rows in published order) of a draw file."""
    head, rows = {}, []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, sep, value = line.partition(": ")
        if sep and key in ("algorithm", "public_value", "applicants_hash", "seed"):
            head[key] = value
            continue
        _rank, pk, person, group, _lot = line.split()
        rows.append((int(pk), int(person), int(group)))
    return head, rows


class Command(BaseCommand):
    help = "Recompute a housing lottery (public value + applicant list hash) and compare the published ranks."

    def add_arguments(self, parser):
        parser.add_argument("round_id", type=int, nargs="?")
        parser.add_argument("--file", help="a draw file downloaded from the round's page")

    def handle(self, *args, round_id=None, file=None, **options):
        if file:
            with open(file, encoding="utf-8") as handle:
                head, rows = parse_file(handle.read())
            if head.get("algorithm") != lottery.ALGORITHM:
                raise CommandError(f"unknown algorithm: {head.get('algorithm')}")
            holds, expected = lottery.verify(rows, public_value=head["public_value"], published_hash=head["applicants_hash"],
                                             published_seed=head["seed"], published_order=[r[0] for r in rows])
            public_value, list_hash, seed = head["public_value"], head["applicants_hash"], head["seed"]
        else:
            from liulin.housing.models import Draw
            from liulin.housing.services import verify_draw

            draw = Draw.objects.filter(round_id=round_id, current=True).select_related("round").first()
            if draw is None:
                raise CommandError(f"round {round_id} has no draw")
            holds, expected, _stored = verify_draw(draw)
            public_value, list_hash, seed = draw.public_value, draw.list_hash, draw.seed
        self.stdout.write(f"public value: {public_value}")
        self.stdout.write(f"applicants hash: {list_hash}")
        self.stdout.write(f"seed: {seed}")
        self.stdout.write(f"applicants: {len(expected)}")
        for rank, pk in enumerate(expected, start=1):
            self.stdout.write(f"{rank} {pk}")
        if not holds:
            raise CommandError("the draw does NOT reproduce from its published inputs")
        self.stdout.write(self.style.SUCCESS("the draw reproduces from its published inputs"))
