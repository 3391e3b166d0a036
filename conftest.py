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
