"""The rule for text that comes in, and for text that goes out as XML.

In: control characters (C0) other than tab, newline and carriage return have no meaning in
anything a person types, and one of them stored in a description makes every XML document
that carries it unparseable; they are removed. NUL is refused instead (`Invalid`, code
`invalid_character`): PostgreSQL cannot store it, and a client that sends it is broken or
probing, so it is told rather than silently corrected. `InputHygieneMiddleware` applies the
rule to every query string and form body, the API's parser to every JSON body.

Out: `xml_text` drops whatever XML 1.0 cannot carry, so rows stored before the rule (or
written by a path that bypassed it) still make a parseable document.
"""

import re

from django.utils.translation import gettext_lazy as _

from .errors import Invalid

NUL = "\x00"
_CONTROLS = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f]")
_ANY_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Everything outside XML 1.0's Char production (#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class InvalidCharacter(Invalid):
    code = "invalid_character"


def refuse_nul(text, *, field=None):
    if NUL in text:
        raise InvalidCharacter(_("输入中含有不允许的空字符（NUL）。"), field=field)


def clean_text(text, *, field=None):
    """`text` without C0 control characters other than tab, newline and CR; NUL is refused."""
    refuse_nul(text, field=field)
    return _CONTROLS.sub("", text)


def clean_data(value, *, field=None):
    """`clean_text` applied to every string (keys too) in decoded JSON."""
    if isinstance(value, str):
        return clean_text(value, field=field)
    if isinstance(value, dict):
        return {clean_text(k, field=k): clean_data(v, field=k) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_data(v, field=field) for v in value]
    return value


def clean_querydict(data):
    """A cleaned copy of a QueryDict, or the QueryDict itself when nothing needed cleaning
    (the usual case, which costs one regex search per value)."""
    dirty = [(k, vs) for k, vs in data.lists() if _ANY_CONTROL.search(k) or any(_ANY_CONTROL.search(v) for v in vs)]
    if not dirty:
        return data
    cleaned = data.copy()
    for key, values in dirty:
        del cleaned[key]
        cleaned.setlist(clean_text(key, field=key), [clean_text(v, field=key) for v in values])
    cleaned._mutable = False
    return cleaned


def xml_text(text):
    """`text` with every character XML 1.0 cannot carry removed."""
    return _NOT_XML.sub("", text)
