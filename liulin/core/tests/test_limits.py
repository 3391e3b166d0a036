"""The kernel's rate limiter: windows, the shared count across cache clients and processes,
and the limits it enforces on /api/v1 and on reveals."""

import concurrent.futures
import json
import shutil
import socket
import subprocess
import time

import pytest
from django.core.cache import caches
from django.test import RequestFactory

from liulin.core import limits
from liulin.core.cache import DatabaseCache
from liulin.core.net import client_address

from . import scratch


def test_parse_reads_a_count_per_period():
    assert limits.parse("60/m") == limits.Rate(60, 60)
    assert limits.parse("30/h") == limits.Rate(30, 3600)
    assert limits.parse("off") is None
    with pytest.raises(ValueError):
        limits.parse("60 per minute")


@pytest.mark.django_db
def test_a_window_allows_its_count_then_names_the_wait():
    now = 1_700_000_000.0  # 20 seconds into a clock minute
    waits = [limits.hit("t", "a", "3/m", now=now) for _ in range(4)]
    assert waits == [0, 0, 0, 40]
    assert limits.hit("t", "b", "3/m", now=now) == 0  # another identity counts apart
    assert limits.hit("t", "a", "3/m", now=now + 40) == 0  # the next window starts afresh


@pytest.mark.django_db
def test_a_count_the_cache_keeps_losing_starts_again_rather_than_failing(monkeypatch):
    """Seen under load: the entry was gone for incr and add refused to create it, three times
    over; the request then failed with a server error instead of being counted."""
    monkeypatch.setattr(limits.cache, "incr", lambda *a, **kw: (_ for _ in ()).throw(ValueError("gone")))
    monkeypatch.setattr(limits.cache, "add", lambda *a, **kw: False)
    assert limits.hit("t", "lost", "3/m", now=1_700_000_000.0) == 0
    monkeypatch.undo()
    assert limits.cache.get(limits._key("t", "lost", 1_700_000_000 // 60)) == 1


@pytest.mark.django_db
def test_the_count_keeps_its_expiry_when_incremented():
    """Django's own DatabaseCache.incr re-sets the entry with the default timeout (5 minutes):
    an hour's window would forget its count. Ours keeps the entry's expiry."""
    cache = caches["default"]
    cache.add("k", 1, timeout=3600)
    cache.incr("k")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM liulin_cache WHERE cache_key = %s", [cache.make_key("k")])
        expires = cursor.fetchone()[0]
    assert str(expires) > "1971"  # stored
    assert cache.get("k") == 2
    cache.touch  # noqa: B018  (the public API is unchanged)


@pytest.mark.django_db
def test_two_cache_clients_on_the_database_share_one_count():
    """Two separate clients of the database cache (as two processes have) see one count."""
    params = {"OPTIONS": {"MAX_ENTRIES": 1000}}
    first, second = DatabaseCache("liulin_cache", params), DatabaseCache("liulin_cache", params)
    assert first.add("shared", 1, timeout=60)
    assert not second.add("shared", 1, timeout=60)
    assert second.incr("shared") == 2
    assert first.incr("shared") == 3
    assert second.get("shared") == 3


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """A real redis-server of the test's own, on a free port (skipped where none is installed)."""
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path_factory.mktemp("redis"))],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            with socket.socket() as conn:
                if conn.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(10)


@pytest.mark.parametrize("backend", ["database", "redis"])
def test_processes_share_the_limit_and_lose_no_count(scratch_database, request, backend):
    """Four real processes each try 30 requests at once against a limit of 50: exactly 50
    pass in all, whichever process made them (a per-process cache would pass 120, and a
    get-then-set increment would lose counts under the race)."""
    env = {"REDIS_URL": request.getfixturevalue("redis_url")} if backend == "redis" else {}
    code = (
        "from django.core.cache import caches\n"
        "from liulin.core import limits\n"
        "print(type(caches['default']).__name__, sum(1 for _ in range(30) if limits.hit('proc-test', 'one-client', '50/d') == 0))\n"
    )

    def run(_):
        return scratch.manage(scratch_database, "shell", "-c", code, env=env).stdout.strip().splitlines()[-1].split()

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        outputs = list(pool.map(run, range(4)))
    assert {name for name, _ in outputs} == {"RedisCache" if backend == "redis" else "DatabaseCache"}
    assert sum(int(allowed) for _, allowed in outputs) == 50, outputs


# -- the client's address ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.1", "10.0.0.1"),  # no proxy configured: the header is the client's word
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # the forged left part is ignored
        (2, "6.6.6.6, 198.51.100.1, 10.0.0.9", "198.51.100.1"),
        (2, "198.51.100.1", "10.0.0.1"),  # fewer hops than proxies: not through ours
        (1, "not-an-address", "10.0.0.1"),
    ],
)
def test_client_address_believes_only_the_trusted_proxies(settings, proxies, forwarded, expected):
    settings.LIULIN_TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


# -- limits on the API and on reveals ------------------------------------------------------


def _assert_limited(response):
    assert response.status_code == 429
    body = json.loads(response.content)
    assert body["code"] == "rate_limited" and body["detail"]
    assert 1 <= int(response["Retry-After"]) <= 3600


def test_api_token_has_a_request_limit(client, settings, community, rate_window_held):
    from liulin.accounts.tests.factories import make_user
    from liulin.apitokens.services import create_token
    from liulin.core.roles import Role

    settings.LIULIN_API_RATE_LIMIT_TOKEN = "3/h"
    user = make_user(Role.COMMUNITY_STAFF, community)
    _, raw = create_token(actor=None, user=user, name="integration", scopes=["read"])
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    statuses = [client.get("/api/v1/accounts/me", **headers).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    _assert_limited(client.get("/api/v1/accounts/me", **headers))


def test_api_session_user_has_a_request_limit(client, settings, community, rate_window_held):
    from liulin.accounts.tests.factories import make_user
    from liulin.core.roles import Role

    settings.LIULIN_API_RATE_LIMIT_USER = "2/h"
    client.force_login(make_user(Role.COMMUNITY_STAFF, community))
    assert [client.get("/api/v1/accounts/me").status_code for _ in range(2)] == [200, 200]
    _assert_limited(client.get("/api/v1/accounts/me"))
    other = client.__class__()
    other.force_login(make_user(Role.COMMUNITY_STAFF, community))
    assert other.get("/api/v1/accounts/me").status_code == 200  # per user, not global
