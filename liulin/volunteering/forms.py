import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from liulin.core import clock
from liulin.core.errors import Invalid

from .models import Activity


def _bounded(value, field):
    try:
        return clock.bounded(value, field=field)
    except Invalid as refused:
        raise forms.ValidationError(refused.detail) from None



def new_key():
    """A posting key for a counter form, made when the form is drawn: a double tap sends the
    same key twice and the second posts nothing."""
    return uuid.uuid4().hex


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("活动名称"), max_length=64)
    kind = forms.ChoiceField(label=_("服务类别"), choices=Activity.Kind.choices)
    content = forms.CharField(label=_("服务内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    place = forms.CharField(label=_("服务地点"), max_length=64)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    post_name = forms.CharField(label=_("岗位"), max_length=32, initial=_("志愿者"))
    capacity = forms.IntegerField(label=_("人数"), min_value=1, max_value=1000, initial=10)
    for_minors = forms.BooleanField(label=_("未成年人参加（须监护人同意）"), required=False)

    def clean_starts_at(self):
        return _bounded(self.cleaned_data["starts_at"], "starts_at")

    def clean_ends_at(self):
        return _bounded(self.cleaned_data["ends_at"], "ends_at")


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=200)


class DecideForm(forms.Form):
    accept = forms.BooleanField(required=False)
    reason = forms.CharField(label=_("理由"), max_length=200, required=False)


class RecordActionForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in ("confirm", "void", "dispute", "uphold", "correct")])
    reason = forms.CharField(label=_("理由"), max_length=200, required=False)
    minutes = forms.IntegerField(label=_("更正为（分钟）"), min_value=1, max_value=720, required=False)


class ManualRecordForm(forms.Form):
    volunteer = forms.TypedChoiceField(label=_("志愿者"), coerce=int, widget=forms.Select(attrs={"translate": "no"}))
    minutes = forms.IntegerField(label=_("时长（分钟）"), min_value=1, max_value=720)
    reason = forms.CharField(label=_("补录理由"), max_length=200)


class FindForm(forms.Form):
    who = forms.CharField(label=_("扫描积分码，或输入手机号、身份证号"), max_length=500)


class RedeemForm(forms.Form):
    volunteer = forms.IntegerField(widget=forms.HiddenInput)
    good = forms.IntegerField(widget=forms.HiddenInput)
    quantity = forms.IntegerField(label=_("数量"), min_value=1, max_value=100, initial=1)
    key = forms.CharField(max_length=100, widget=forms.HiddenInput)


class GoodForm(forms.Form):
    name = forms.CharField(label=_("物品"), max_length=32)
    price_points = forms.IntegerField(label=_("兑换积分"), min_value=1, max_value=1_000_000)


class RestockForm(forms.Form):
    quantity = forms.IntegerField(label=_("入库数量"), min_value=1, max_value=100)
    key = forms.CharField(max_length=100, widget=forms.HiddenInput)


class CertificateForm(forms.Form):
    period_from = forms.DateField(label=_("起始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    period_to = forms.DateField(label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        for name in ("period_from", "period_to"):
            if data.get(name):
                try:
                    clock.bounded(data[name], field=name)
                except Invalid as refused:
                    self.add_error(name, refused.detail)
        return data


class VerifyForm(forms.Form):
    number = forms.CharField(label=_("证明编号"), max_length=32)
    code = forms.CharField(label=_("核验码"), max_length=32)


class ConsentForm(forms.Form):
    child_name = forms.CharField(label=_("儿童姓名"), max_length=32)
    child_birth_date = forms.DateField(label=_("出生日期"), widget=forms.DateInput(attrs={"type": "date"}))
    guardian_name = forms.CharField(label=_("监护人姓名"), max_length=32)
    guardian_relation = forms.CharField(label=_("与儿童关系"), max_length=16)
    guardian_mobile = forms.CharField(label=_("监护人手机号"), max_length=11)

    def clean_child_birth_date(self):
        return _bounded(self.cleaned_data["child_birth_date"], "child_birth_date")


class ChildInForm(forms.Form):
    consent = forms.TypedChoiceField(label=_("儿童"), coerce=int, widget=forms.Select(attrs={"translate": "no"}))
    adult_name = forms.CharField(label=_("送达成年人"), max_length=32)


class AdultForm(forms.Form):
    adult_name = forms.CharField(label=_("接走成年人"), max_length=32)
