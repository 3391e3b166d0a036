"""Links for the rows of long lists, without a reverse() per link.

A worklist or the supervisor board links every row to the same few views (the ticket's
page, its actions), and the links differ only by the row's number. reverse() walks the URL
configuration every time: two links a row came to a third of the board's rendering.
`row_path` reverses each view once, with a marker number, and puts the row's number in
the marker's place, which gives what reverse() gives for that number.
"""

import functools

from django.core.signals import setting_changed
from django.urls import get_script_prefix, reverse

_MARKER = 9_876_543_210_123  # no row's number: the <int:pk> converter writes it as these digits


def row_path(viewname, pk):
    """`reverse(viewname, args=[pk])` for a view whose only argument is an integer id."""
    return _pattern(viewname, get_script_prefix()).replace(str(_MARKER), str(int(pk)), 1)


@functools.lru_cache(maxsize=64)
def _pattern(viewname, script_prefix):
    # The script prefix (a deployment under a sub-path) is part of every reversed path.
    return reverse(viewname, args=[_MARKER])


def _forget(*, setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _pattern.cache_clear()


setting_changed.connect(_forget)
