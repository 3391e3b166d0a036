import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from liulin.core import clock
from liulin.core.errors import Invalid


class DayForm(forms.Form):
    day = forms.DateField(required=False)

    def clean_day(self):
        day = self.cleaned_data.get("day")
        if day is None:
            return None
        try:
            return clock.bounded(day)
        except Invalid as error:
            raise forms.ValidationError(error.detail) from None


class BookForm(forms.Form):
    """One or more consecutive slots from `start`; the details the resource asks for."""

    start = forms.DateTimeField(widget=forms.HiddenInput)
    slots = forms.TypedChoiceField(label=_("时长"), coerce=int, initial=1, choices=[(n, n) for n in range(1, 9)])
    purpose = forms.CharField(label=_("用途"), max_length=200, required=False)
    headcount = forms.IntegerField(label=_("人数"), min_value=1, max_value=100_000, required=False)
    safety_plan = forms.CharField(label=_("安全预案"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, required=False)

    def __init__(self, *args, resource, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.resource = resource
        # Elders who consented that this user books for them (people.proxies): by her account
        # ("u<pk>") where she has one, else by her registry record ("r<pk>").
        self.elders = {}
        if user is not None:
            from django.contrib.auth import get_user_model

            from liulin.people import proxies

            elders = list(proxies.elders_for(user, "venues"))
            # her first account, as proxies.elder_account finds it
            accounts = {a.resident_id: a for a in get_user_model().objects.filter(resident__in=elders, is_active=True).order_by("-pk")}
            for elder in elders:
                account = accounts.get(elder.pk)
                if account is None:
                    self.elders[f"r{elder.pk}"] = elder
                elif account.pk != user.pk:
                    self.elders[f"u{account.pk}"] = account
        if self.elders:
            self.fields["for_whom"] = forms.ChoiceField(
                label=_("为谁预约"), required=False, widget=forms.Select(attrs={"translate": "no"}),
                choices=[("", _("我本人"))] + [(key, person.name) for key, person in self.elders.items()])
        minutes = resource.slot_minutes
        self.fields["slots"].choices = [(n, _("%(m)d 分钟") % {"m": n * minutes}) for n in range(1, 9)]
        if not resource.requires_approval:
            for name in ("purpose", "headcount", "safety_plan"):
                self.fields[name].widget = forms.HiddenInput()

    def clean_start(self):
        start = self.cleaned_data["start"]
        try:
            return clock.bounded(start)
        except Invalid as error:
            raise forms.ValidationError(error.detail) from None

    def _chosen(self, prefix):
        key = self.cleaned_data.get("for_whom") or ""
        return self.elders.get(key) if key.startswith(prefix) else None

    def booker(self):
        """The elder's account chosen in "for whom", or None (the user himself, or an elder
        without an account)."""
        return self._chosen("u")

    def for_resident(self):
        """The registry record of the elder without an account chosen in "for whom", or None."""
        return self._chosen("r")

    def interval(self):
        start = self.cleaned_data["start"]
        return start, start + datetime.timedelta(minutes=self.resource.slot_minutes * self.cleaned_data["slots"])


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=500, required=False)


class ReceiptForm(forms.Form):
    receipt_no = forms.CharField(label=_("收据号"), max_length=32)


class SeriesForm(forms.Form):
    """A weekly practice: the team, the hours, the first and last dates; the dates to skip
    come back from the preview as ticked boxes."""

    team = forms.ModelChoiceField(label=_("队伍"), queryset=None)
    starts = forms.TimeField(label=_("开始时间"), widget=forms.TimeInput(attrs={"type": "time"}))
    ends = forms.TimeField(label=_("结束时间"), widget=forms.TimeInput(attrs={"type": "time"}))
    first_day = forms.DateField(label=_("首次日期"), widget=forms.DateInput(attrs={"type": "date"}))
    last_day = forms.DateField(label=_("末次日期"), widget=forms.DateInput(attrs={"type": "date"}))
    skip = forms.MultipleChoiceField(label=_("跳过的日期"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        if self.is_bound:
            self.fields["skip"].choices = [(v, v) for v in self.data.getlist("skip")]

    def clean(self):
        data = super().clean()
        for name in ("first_day", "last_day"):
            if data.get(name) is not None:
                try:
                    clock.bounded(data[name])
                except Invalid as error:
                    self.add_error(name, error.detail)
        try:
            data["skip"] = [datetime.date.fromisoformat(v) for v in data.get("skip") or []]
        except ValueError:
            self.add_error("skip", _("日期格式不对。"))
        return data
