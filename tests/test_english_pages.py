"""English mode: every page each demo role reaches shows no Chinese outside data values.

The Django test client walks the same links the browser test (tests/e2e/test_english_crawl.py)
follows, faster, so the normal suite catches a string that escaped translation.
"""

import pytest
from django.db import connection
from django.utils import translation

from liulin.accounts.models import User
from liulin.demo.logins import ACCOUNTS
from liulin.demo.tests.fixtures import demo  # noqa: F401

from .english import crawl

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="translation does not depend on the database: crawled on SQLite"),
]


@pytest.fixture(autouse=True)
def _source_language_afterwards(settings):
    """The middleware leaves the last request's language active in this thread: hand the
    next test the source language again."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def _fetcher(client):
    def fetch(url):
        response = client.get(url, follow=True)
        kind = response.get("Content-Type", "")
        if response.status_code != 200 or not kind.startswith("text/html"):
            return response.status_code, url, None
        final = response.redirect_chain[-1][0] if response.redirect_chain else url
        return 200, final.split("?")[0], response.content.decode()

    return fetch


@pytest.mark.parametrize("account", ACCOUNTS, ids=lambda a: f"{a.mobile}-{a.role}")
def test_pages_in_english_have_no_chinese_outside_data(demo, client, account):  # noqa: F811
    user = User.objects.get(mobile=account.mobile)
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)
    visited, problems = crawl(_fetcher(client))
    print(f"{account.mobile} {account.role}: {len(visited)} pages")
    assert len(visited) >= 3
    assert not problems, "\n".join(f"{url}: {found[:5]}" for url, found in problems.items())
