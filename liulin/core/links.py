"""Links for the rows of long lists, without a reverse() per link.

A worklist or the supervisor board links every row to the same few views (the ticket's
page, its actions), and the links differ only by the row's number. reverse() walks the URL
configuration every time: two links a row came to a third of the board's rendering.
`row_path` reverses each view once, with a marker number, and puts the row's number in
the marker's place, which gives what reverse() gives for that number.
"""

import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

_MARKER = 9_876_543_210_123  # no row's number: the <int:pk> converter writes it as these digits
_MARKER_DIGITS = str(_MARKER)


def row_path(viewname, pk):
    """`reverse(viewname, args=[pk])` for a view whose only argument is an integer id."""
    pattern = _pattern(viewname, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    return pattern.replace(_MARKER_DIGITS, str(int(pk)), 1)


@functools.lru_cache(maxsize=64)
def _pattern(viewname, script_prefix, urlconf):
    # Keyed by what reverse() itself reads besides the view: the script prefix (a deployment
    # under a sub-path) and the URL configuration in use.
    return reverse(viewname, args=[_MARKER], urlconf=urlconf)
