"""What every form of the platform gets, through the form renderer (settings.FORM_RENDERER):

- labels without a trailing colon: Chinese labels take none, and Django's default is a
  half-width ":" (its `_(":")` is not translated for zh-hans);
- length messages that name the field in plain words — “请描述情况”最多 4000 个字，现在是
  4100 个字 — instead of Django's stock 「确保该变量包含不超过 … 字符」.

Both live on the BoundField the renderer gives every form (Django 5.2
`BaseRenderer.bound_field_class`), so no form has to inherit anything; a field that sets its
own `label_suffix` keeps it."""

import copy

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy as _

LENGTH_MESSAGES = {
    "max_length": _("“%(label)s”最多 %(limit)s 个字，现在是 %(count)s 个字。"),
    "min_length": _("“%(label)s”至少要 %(limit)s 个字，现在是 %(count)s 个字。"),
}


class BoundField(forms.BoundField):
    def label_tag(self, contents=None, attrs=None, label_suffix=None, tag=None):
        if label_suffix is None and self.field.label_suffix is None:
            label_suffix = ""
        return super().label_tag(contents, attrs, label_suffix, tag)

    @property
    def errors(self):
        errors = super().errors
        if not any(isinstance(e, ValidationError) and e.code in LENGTH_MESSAGES for e in errors.data):
            return errors
        named = copy.copy(errors)
        named.data = [self._named(e) for e in errors.data]
        return named

    def _named(self, error):
        if not isinstance(error, ValidationError) or error.code not in LENGTH_MESSAGES:
            return error
        params = error.params or {}
        message = LENGTH_MESSAGES[error.code] % {
            "label": self.label,
            "limit": params.get("limit_value", ""),
            "count": params.get("show_value", ""),
        }
        return ValidationError(message, code=error.code)


class Renderer(TemplatesSetting):
    """Django's TemplatesSetting renderer (our templates may override its form templates)
    giving every form the BoundField above."""

    bound_field_class = BoundField
