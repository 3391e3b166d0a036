from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class MobileLoginForm(AuthenticationForm):
    """Log in with a mobile number and password. The field keeps the name `username` so
    django-axes counts failures per number."""

    username = forms.CharField(
        label=_("手机号"),
        max_length=11,
        widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "numeric", "autofocus": True}),
    )

    error_messages = {
        "invalid_login": _("手机号或密码不正确。连续输错多次后账号会被暂时锁定。"),
        "inactive": _("该账号已停用，请联系社区工作人员。"),
    }
