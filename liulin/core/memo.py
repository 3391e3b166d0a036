"""Per-process memory of small configuration tables — categories, routing rules, time-limit
policies, the work calendar, the units that take work — which every intake reads and an
administrator changes a few times a year; and of a user's role names for the intake
queue's 202 (`permissions.holds_perm`), whose drain checks them again.

`@memoized(Model, ..., ttl=60)` (models, or "app_label.Model" names) remembers a
function's results by its arguments. They are forgotten when a row of one of the models is
saved or deleted in this process (signals), and at the latest after `ttl` seconds: that
bounds how long another node, or a bulk write that sends no signals, can go unnoticed.
`forget_all()` forgets everything; the tests call it before each test, since a rolled-back
test sends no delete signals.

What is remembered is shared between threads: treat it as read-only.
"""

import functools
import threading
import time

from django.db.models.signals import post_delete, post_save

DEFAULT_TTL = 60
_memos = []


class _Memo:
    def __init__(self, fn, ttl):
        self.fn, self.ttl = fn, ttl
        self.entries = {}  # arguments -> (expires at, result)
        self.lock = threading.Lock()

    def __call__(self, *args):
        now = time.monotonic()
        found = self.entries.get(args)
        if found is not None and found[0] > now:
            return found[1]
        result = self.fn(*args)
        with self.lock:
            self.entries[args] = (now + self.ttl, result)
        return result

    def forget(self, **_signal_kwargs):
        with self.lock:
            self.entries.clear()


def memoized(*models, ttl=DEFAULT_TTL):
    """Remember the decorated function's results (positional, hashable arguments only) until
    a row of `models` changes in this process or `ttl` seconds pass."""

    def decorate(fn):
        memo = _Memo(fn, ttl)
        for model in models:
            post_save.connect(memo.forget, sender=model, weak=False)
            post_delete.connect(memo.forget, sender=model, weak=False)
        _memos.append(memo)
        @functools.wraps(fn)
        def remembered(*args):
            return memo(*args)

        remembered.forget = memo.forget
        return remembered

    return decorate


def forget_all():
    for memo in _memos:
        memo.forget()
