"""Import an estate's owners' register from xlsx: a dry run unless --commit."""

from django.core.management.base import BaseCommand, CommandError

from liulin.accounts.models import User
from liulin.core.errors import DomainError
from liulin.territory.models import Estate
from liulin.votes.importing import commit_register, plan_register
from liulin.votes.rules import format_area


class Command(BaseCommand):
    help = "Read an owners' register (xlsx) for an estate and show what would change; --commit applies it."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--estate", type=int, required=True, help="the estate's id")
        parser.add_argument("--commit", action="store_true", help="apply the register (default: dry run)")
        parser.add_argument("--as", dest="actor", help="mobile of the committee member or community worker importing it")

    def handle(self, *args, file, estate, commit, actor, **options):
        found = Estate.objects.filter(pk=estate).first()
        if found is None:
            raise CommandError(f"no estate {estate}")
        try:
            with open(file, "rb") as source:
                plan = plan_register(source, estate=found)
        except OSError as error:
            raise CommandError(str(error)) from None
        except DomainError as error:
            raise CommandError(error.detail) from None
        for number, column, message in plan.errors:
            self.stdout.write(f"row {number} {column}: {message}")
        self.stdout.write(
            f"{len(plan.rows)} units, {format_area(plan.total_area_cm2)} m2, {plan.heads} owners; new {plan.new_units}, "
            f"changed {plan.changed_units}, unchanged {plan.unchanged_units}, not in sheet {plan.untouched_units}; "
            f"new owners {plan.new_owners}; errors {len(plan.errors)}"
        )
        if not commit:
            self.stdout.write("dry run: nothing written")
            return
        user = User.objects.filter(mobile=actor or "").first()
        if user is None:
            raise CommandError("--commit needs --as MOBILE of an account allowed to keep this register")
        try:
            commit_register(actor=user, plan=plan)
        except DomainError as error:
            raise CommandError(error.detail) from None
        self.stdout.write("imported")
