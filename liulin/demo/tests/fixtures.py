"""The demo community seeded once per test module (it takes a second or two) and rolled
back afterwards; each test still runs in its own savepoint through the `db` fixture."""

import time

import pytest
from django.db import transaction
from django.test import override_settings

from liulin.demo.seed import seed_demo


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            # The same fast hasher the root conftest gives every test, or logins would not verify.
            with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
                started = time.monotonic()
                seeded = seed_demo()
                seeded.first_run_seconds = time.monotonic() - started
            yield seeded
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
