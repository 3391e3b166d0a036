from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from . import kinds
from .models import Channel

ALL_KINDS = ""


def _field_name(kind, channel):
    return f"{kind or 'all'}__{channel}"


class PreferencesForm(forms.Form):
    """A checkbox per (kind, channel) the deployment offers, the all-kinds row first; and the
    user's own webhook endpoint when webhooks are offered."""

    webhook_url = forms.URLField(label=_("Webhook 地址"), required=False, max_length=300, assume_scheme="https")
    webhook_secret = forms.CharField(label=_("签名密钥"), required=False, max_length=128, widget=forms.PasswordInput(render_value=True))

    def __init__(self, *args, chosen=None, webhook=None, **kwargs):
        super().__init__(*args, **kwargs)
        chosen = chosen or {}
        self.channels = [c for c in Channel if c in settings.LIULIN_NOTIFY_CHANNELS]
        self.rows = []
        for kind, label in [(ALL_KINDS, _("全部消息"))] + kinds.choices():
            current = chosen.get(kind, chosen.get(ALL_KINDS, set()))
            names = []
            for channel in self.channels:
                name = _field_name(kind, channel)
                self.fields[name] = forms.BooleanField(label=channel.label, required=False, initial=channel in current)
                names.append(name)
            self.rows.append((kind, label, names))
        if Channel.WEBHOOK not in self.channels:
            del self.fields["webhook_url"], self.fields["webhook_secret"]
        elif webhook is not None:
            self.initial.setdefault("webhook_url", webhook.url)
            self.initial.setdefault("webhook_secret", webhook.secret)

    def row_fields(self):
        return [(kind, label, [self[name] for name in names]) for kind, label, names in self.rows]

    def choices(self):
        return {kind: {c.value for c in self.channels if self.cleaned_data.get(_field_name(kind, c))} for kind, _, _ in self.rows}
