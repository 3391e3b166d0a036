import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files in tests never touch the project's media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Factories set a password on every user; PBKDF2 would cost most of a second each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _forget_remembered_config():
    """A test's rollback sends no delete signals: start every test with nothing remembered."""
    from liulin.core.memo import forget_all

    forget_all()
    yield
    forget_all()


@pytest.fixture(autouse=True)
def _site_language():
    """Every test starts in the site's language: a test that switched to English (a request in
    English mode, translation.activate) leaves the thread's language behind otherwise."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def rate_window_held(monkeypatch):
    """Rate limits count in clock windows: a test that makes four requests against "3/m"
    must not see a minute end between the third and the fourth. Its requests all fall ten
    seconds into the window of the moment it started (so the window's entries outlive it)."""
    import time

    from liulin.core import limits

    start = time.time() // 60 * 60 + 10
    monkeypatch.setattr(limits, "clock", lambda: start)


@pytest.fixture
def community(db):
    from liulin.territory.tests.factories import CommunityFactory

    return CommunityFactory()


# --- Rows the migrations wrote, back after a transactional test ----------------------------
# A transaction=True test ends with a flush that empties every table, including the rows the
# data migrations seeded (whistle categories, care tags, notice kinds...). pytest-django orders
# those tests last so nothing runs after them, but xdist's worksteal hands an idle worker
# tests from another's queue: a plain test could then meet an empty database. The contents
# as migrated are taken once per worker, and put back before a plain test that follows a flush.
# A serialized_rollback test reloads them itself, but onto the content types the flush's
# post_migrate made under other ids: the table is emptied for it first.

_as_migrated: dict[str, str] = {}
_flushed = False


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    names = getattr(item, "fixturenames", ())
    return bool(marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))) or \
        "transactional_db" in names or "live_server" in names


def _uses_db(item) -> bool:
    return item.get_closest_marker("django_db") is not None or "db" in getattr(item, "fixturenames", ())


@pytest.fixture(scope="session", autouse=True)
def _remember_as_migrated(request, django_db_blocker):
    items = request.session.items
    if not (any(map(_is_transactional, items)) and any(_uses_db(i) and not _is_transactional(i) for i in items)):
        return
    request.getfixturevalue("django_db_setup")
    from django.db import connections

    with django_db_blocker.unblock():
        for alias in connections:
            _as_migrated[alias] = connections[alias].creation.serialize_db_to_string()


def _flush_without_post_migrate(alias):
    """Empty every table without post_migrate: the test's own flush ran it (new content types
    under new ids), and rows about to be loaded must keep the ids they had."""
    from django.core.management import call_command

    call_command("flush", database=alias, interactive=False, inhibit_post_migrate=True, verbosity=0)


def _put_back_as_migrated(django_db_blocker):
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType
    from django.core.management.color import no_style
    from django.db import connections

    with django_db_blocker.unblock():
        for alias, contents in _as_migrated.items():
            _flush_without_post_migrate(alias)
            connection = connections[alias]
            connection.creation.deserialize_db_from_string(contents)
            # The flush restarted PostgreSQL's sequences at 1, below the ids just loaded.
            statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True))
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
    ContentType.objects.clear_cache()


def _wants_serialized_rollback(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("serialized_rollback")) or \
        "django_db_serialized_rollback" in getattr(item, "fixturenames", ())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    global _flushed
    if _flushed and _uses_db(item):
        from django.db import connections
        from pytest_django.plugin import blocking_manager_key

        blocker = item.config.stash[blocking_manager_key]
        if _as_migrated and not _is_transactional(item):
            _put_back_as_migrated(blocker)
            _flushed = False
        elif _wants_serialized_rollback(item):
            # Django loads its own copy of the migrated rows at the test's start, with their ids.
            with blocker.unblock():
                for alias in connections:
                    _flush_without_post_migrate(alias)
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    global _flushed
    try:
        return (yield)
    finally:
        _flushed = _flushed or _is_transactional(item)
