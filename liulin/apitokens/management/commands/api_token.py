"""`manage.py api_token create MOBILE --scope read [--scope tickets:write] [--name NAME]` prints a
new token once; `api_token revoke PREFIX` revokes it; `api_token list [MOBILE]` shows tokens."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from liulin.apitokens import services
from liulin.apitokens.models import SCOPES, ApiToken
from liulin.core.errors import DomainError


class Command(BaseCommand):
    help = "Create, list or revoke per-user API tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        create = sub.add_parser("create", help="create a token for the user with this mobile number")
        create.add_argument("mobile")
        create.add_argument("--scope", action="append", dest="scopes", choices=SCOPES, required=True)
        create.add_argument("--name", default="integration")
        revoke = sub.add_parser("revoke", help="revoke the token with this prefix")
        revoke.add_argument("prefix")
        listing = sub.add_parser("list", help="list tokens (of one user)")
        listing.add_argument("mobile", nargs="?")

    def handle(self, *args, verb, **options):
        try:
            getattr(self, f"_{verb}")(**options)
        except DomainError as exc:
            raise CommandError(exc.detail) from exc

    def _create(self, mobile, scopes, name, **_):
        user = get_user_model().objects.filter(mobile=mobile).first()
        if user is None:
            raise CommandError(f"no user with mobile {mobile}")
        token, raw = services.create_token(actor=None, user=user, name=name, scopes=scopes)
        self.stdout.write(raw)
        self.stderr.write(f"token {token.prefix} for {user.mobile}, scopes {' '.join(token.scopes)}; shown once, store it now")

    def _revoke(self, prefix, **_):
        token = services.token_by_prefix(prefix)
        services.revoke_token(actor=None, token=token)
        self.stdout.write(f"revoked {token.prefix}")

    def _list(self, mobile=None, **_):
        tokens = ApiToken.objects.select_related("user")
        if mobile:
            tokens = tokens.filter(user__mobile=mobile)
        for t in tokens:
            state = "revoked" if t.revoked_at else "active"
            self.stdout.write(f"{t.prefix}\t{t.user.mobile}\t{t.name}\t{' '.join(t.scopes)}\t{state}\t{t.last_used_at or '-'}")
