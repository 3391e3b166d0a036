"""Recompute a class's lottery from its published inputs and say whether the result holds."""

from django.core.management.base import BaseCommand, CommandError

from liulin.activities.lottery import verify
from liulin.activities.models import Activity


class Command(BaseCommand):
    help = "Recompute a class's public lottery (public value + applicant list hash) and compare the ranks."

    def add_arguments(self, parser):
        parser.add_argument("activity_id", type=int)

    def handle(self, *args, activity_id, **options):
        activity = Activity.objects.filter(pk=activity_id).first()
        if activity is None or not activity.drawn_at:
            raise CommandError(f"activity {activity_id} has no draw")
        holds, expected, stored = verify(activity)
        self.stdout.write(f"public value: {activity.draw_public_value}")
        self.stdout.write(f"applicants hash: {activity.draw_applicants_hash}")
        self.stdout.write(f"seed: {activity.draw_seed}")
        self.stdout.write(f"applicants: {len(expected)}")
        if not holds:
            raise CommandError("the draw does NOT reproduce from its published inputs")
        self.stdout.write(self.style.SUCCESS("the draw reproduces from its published inputs"))
