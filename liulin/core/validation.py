"""Input the API's schemas refused (pydantic, through Ninja), told in the caller's language.

`describe(errors)` turns pydantic's error list into the platform's error body: `detail`, one
sentence per problem naming the field ("description：最多 4000 个字。"), Chinese unless the
request asked for English; `field`, the first field at fault; `errors`, the same problems
one by one ({field, code, message}) for a client that marks each field. pydantic's own
English messages never reach a user: an error type without a message of ours reads
"格式不对".
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Where Ninja puts an input: the first items of `loc`, not part of the field's name.
_PLACES = frozenset({"body", "query", "path", "header", "cookie", "form", "file", "payload", "data"})

MESSAGES = {
    "missing": gettext_lazy("必须填写。"),
    "string_too_short": gettext_lazy("至少要 %(min_length)s 个字。"),
    "string_too_long": gettext_lazy("最多 %(max_length)s 个字。"),
    "too_short": gettext_lazy("至少要 %(min_length)s 项。"),
    "too_long": gettext_lazy("最多 %(max_length)s 项。"),
    "greater_than": gettext_lazy("应大于 %(gt)s。"),
    "greater_than_equal": gettext_lazy("不能小于 %(ge)s。"),
    "less_than": gettext_lazy("应小于 %(lt)s。"),
    "less_than_equal": gettext_lazy("不能大于 %(le)s。"),
    "int_parsing": gettext_lazy("应为整数。"),
    "int_type": gettext_lazy("应为整数。"),
    "int_from_float": gettext_lazy("应为整数。"),
    "float_parsing": gettext_lazy("应为数字。"),
    "float_type": gettext_lazy("应为数字。"),
    "finite_number": gettext_lazy("应为有限的数字。"),
    "bool_parsing": gettext_lazy("应为 true 或 false。"),
    "bool_type": gettext_lazy("应为 true 或 false。"),
    "string_type": gettext_lazy("应为文字。"),
    "literal_error": gettext_lazy("应为以下之一：%(expected)s。"),
    "enum": gettext_lazy("应为以下之一：%(expected)s。"),
    "date_parsing": gettext_lazy("日期格式不对，应为 YYYY-MM-DD。"),
    "date_from_datetime_parsing": gettext_lazy("日期格式不对，应为 YYYY-MM-DD。"),
    "date_type": gettext_lazy("日期格式不对，应为 YYYY-MM-DD。"),
    "datetime_parsing": gettext_lazy("时间格式不对，应为 ISO 8601（如 2026-03-16T09:00:00+08:00）。"),
    "datetime_from_date_parsing": gettext_lazy("时间格式不对，应为 ISO 8601（如 2026-03-16T09:00:00+08:00）。"),
    "datetime_type": gettext_lazy("时间格式不对，应为 ISO 8601（如 2026-03-16T09:00:00+08:00）。"),
    "json_invalid": gettext_lazy("请求内容不是有效的 JSON。"),
    "list_type": gettext_lazy("应为列表。"),
    "dict_type": gettext_lazy("应为对象。"),
    "model_type": gettext_lazy("应为对象。"),
    "model_attributes_type": gettext_lazy("应为对象。"),
    "extra_forbidden": gettext_lazy("不认识这一项。"),
    "url_parsing": gettext_lazy("网址格式不对。"),
    "url_scheme": gettext_lazy("网址格式不对。"),
}
FALLBACK = gettext_lazy("格式不对。")


def _field(loc):
    names = [str(part) for part in loc or () if str(part) not in _PLACES]
    # Ninja names the whole body after the view's argument ("payload"); what is left is the field.
    return ".".join(names)


def _plain(value):
    """90.0 reads 90."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _message(error):
    kind = error.get("type", "")
    template = MESSAGES.get(kind)
    if template is None:
        return str(FALLBACK)
    ctx = {k: _plain(v) for k, v in (error.get("ctx") or {}).items() if isinstance(v, str | int | float)}
    try:
        return str(template) % ctx if "%(" in str(template) else str(template)
    except (KeyError, TypeError, ValueError):
        return str(FALLBACK)


def describe(errors):
    """{detail, code, field, errors} for pydantic's `errors` (a list of dicts)."""
    items = [{"field": _field(e.get("loc")), "code": e.get("type", "invalid"), "message": _message(e)} for e in errors or ()]
    parts = [_("%(field)s：%(message)s") % item if item["field"] else item["message"] for item in items]
    return {
        "detail": _("；").join(parts) or str(FALLBACK),
        "code": "invalid_input",
        "field": items[0]["field"] or None if items else None,
        "errors": items,
    }
