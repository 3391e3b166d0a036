"""Shared set-up for the 雷锋哨 browser tests."""

import importlib
import re

from django.apps import apps
from playwright.sync_api import expect

from .conftest import log_in

_seed_migration = importlib.import_module("liulin.whistle.migrations.0002_default_categories_and_policies")


def seed_whistle_defaults():
    """The default categories, time-limit policies and work calendar of migration 0002.

    transaction=True tests flush every table after each test, data migrations' rows
    included, so each test puts them back (the seeding is idempotent)."""
    _seed_migration.seed(apps, None)


def switch_user(page, user, password):
    """Log the current user out (drop the session cookie) and log `user` in."""
    page.context.clear_cookies()
    log_in(page, user.mobile, password)
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
