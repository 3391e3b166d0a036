from django.core.management.base import BaseCommand

from ...logins import DEMO_PASSWORD, login_rows


def _width(text):
    # Chinese characters take two columns in a terminal.
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _pad(text, width):
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = "Print the demo accounts (one per role) and their shared password."

    def add_arguments(self, parser):
        # `make run HOST=... PORT=...` passes where its server listens, so the link is right.
        parser.add_argument("--address", default="127.0.0.1:8000", help="host:port of the web server")

    def handle(self, *args, **options):
        rows = login_rows()
        if not rows:
            self.stdout.write("还没有演示账号：请先运行 manage.py seed_demo。")
            return
        header = ("角色 role", "手机号 mobile", "姓名 name", "范围 scope")
        widths = [max(_width(row[i]) for row in [header, *rows]) for i in range(4)]
        for row in [header, *rows]:
            self.stdout.write("  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip())
        self.stdout.write(f"\n所有演示账号的密码 / password for every demo account: {DEMO_PASSWORD}")
        self.stdout.write(f"登录 / log in: http://{options['address']}/accounts/login/")
