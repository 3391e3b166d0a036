"""Shared set-up for the 雷锋哨 browser tests."""

import re

from playwright.sync_api import expect

from .conftest import log_in


def switch_user(page, user, password):
    """Log the current user out (drop the session cookie) and log `user` in."""
    page.context.clear_cookies()
    log_in(page, user.mobile, password)
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
