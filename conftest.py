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
def _rate_windows_held_still(monkeypatch):
    """Rate limits count in clock windows: a test that makes four requests against "3/m"
    must not see a minute end between the third and the fourth. Each test's requests fall in
    the window of the moment it started; tests of windows ending pass `now=` themselves."""
    import time

    from liulin.core import limits

    started = time.time()
    monkeypatch.setattr(limits, "clock", lambda: started)


@pytest.fixture
def community(db):
    from liulin.territory.tests.factories import CommunityFactory

    return CommunityFactory()
