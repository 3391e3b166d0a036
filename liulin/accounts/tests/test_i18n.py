"""Chinese by default, English available through Django i18n."""

import ast
import gettext
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from liulin.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOCALE = Path(django_settings.BASE_DIR) / "liulin" / "locale" / "en" / "LC_MESSAGES"


def test_login_page_is_chinese_by_default(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert "登录六邻" in html and 'lang="zh-hans"' in html
    assert "Log in" not in html


def test_login_page_in_english_by_cookie(client):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("accounts:login")).content.decode()
    assert "Log in" in html and "Mobile number" in html and 'lang="en"' in html
    assert "登录六邻" not in html


def test_set_language_view_switches_to_english_and_back(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("accounts:login")})
    assert response.status_code == 302
    assert "Log in" in client.get(reverse("accounts:login")).content.decode()
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "登录六邻" in client.get(reverse("accounts:login")).content.decode()


def test_wrong_password_message_in_english(client):
    UserFactory(mobile="13800005555")
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.post(reverse("accounts:login"), {"username": "13800005555", "password": "nope"}).content.decode()
    assert "Wrong mobile number or password" in html


def test_english_nav_and_error_page(client):
    client.force_login(UserFactory(is_superuser=True))
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/no-such-page/").content.decode()
    assert "Page not found" in html and "Seniors' mode" in html and "Organisations" in html


def _po_translations(path):
    """msgid -> msgstr for the translated singular entries of a .po file."""
    entries, key, value, current = {}, [], [], None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("msgid "):
            key, value, current = [ast.literal_eval(line[6:])], [], "id"
        elif line.startswith("msgstr "):
            value, current = [ast.literal_eval(line[7:])], "str"
        elif line.startswith('"') and current in ("id", "str"):
            (key if current == "id" else value).append(ast.literal_eval(line))
        elif not line.strip():
            if current == "str" and "".join(key) and "".join(value):
                entries["".join(key)] = "".join(value)
            current = None
        elif line.startswith("msgid_plural"):
            current = None  # plural entries are checked by Django at render time
    return entries


def test_compiled_catalogue_matches_the_po_file():
    """The .mo is committed (CI may lack gettext); this fails when someone translates and
    forgets to run compilemessages."""
    with (LOCALE / "django.mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    translations = _po_translations(LOCALE / "django.po")
    assert len(translations) > 100
    stale = {k: v for k, v in translations.items() if compiled.gettext(k) != v}
    assert not stale, f"run compilemessages: {list(stale)[:5]}"
