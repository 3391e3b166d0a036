"""`manage.py open311_key create NAME --user MOBILE` prints a new api_key once (stored hashed);
`open311_key revoke NAME`; `open311_key list`. The user is the service account the key
files as: give it a 接线员 (hotline_operator) role over the jurisdiction's area."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from liulin.core.permissions import has_perm_anywhere
from liulin.open311 import services
from liulin.open311.errors import Open311Error
from liulin.open311.models import Open311Key


class Command(BaseCommand):
    help = "Create, list or revoke Open311 api_keys."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        create = sub.add_parser("create")
        create.add_argument("name")
        create.add_argument("--user", required=True, help="mobile number of the service account the key files as")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("name")
        sub.add_parser("list")

    def handle(self, *args, verb, **options):
        try:
            getattr(self, f"_{verb}")(**options)
        except Open311Error as error:
            raise CommandError(error.description) from error

    def _create(self, name, user, **_):
        account = get_user_model().objects.filter(mobile=user).first()
        if account is None:
            raise CommandError(f"no user with mobile {user}")
        if not has_perm_anywhere(account, "whistle.file"):
            raise CommandError("that user holds no role that may file requests (give it a hotline_operator role)")
        key, raw = services.create_key(actor=None, name=name, user=account)
        self.stdout.write(raw)
        self.stderr.write(f"api_key {key.name!r} ({key.prefix}) files as {account.mobile}; shown once, store it now")

    def _revoke(self, name, **_):
        key = Open311Key.objects.filter(name=name).first()
        if key is None:
            raise CommandError(f"no api_key named {name!r}")
        services.revoke_key(actor=None, key=key)
        self.stdout.write(f"revoked {name}")

    def _list(self, **_):
        for key in Open311Key.objects.select_related("user"):
            state = "revoked" if key.revoked_at else "active"
            self.stdout.write(f"{key.name}\t{key.prefix}\t{key.user.mobile}\t{state}\t{key.last_used_at or '-'}")
