from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DinerGroup


class OrderForm(forms.Form):
    # Names of people and of the canteen's meal periods are data.
    resident = forms.TypedChoiceField(label=_("为谁订"), coerce=int, widget=forms.Select(attrs={"translate": "no"}))
    period = forms.TypedChoiceField(label=_("餐次"), coerce=int, widget=forms.Select(attrs={"translate": "no"}))
    day = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    delivery = forms.BooleanField(label=_("送餐上门（符合条件的老人）"), required=False)

    def __init__(self, *args, people=(), periods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resident"].choices = [(p.pk, p.label) for p in people]
        self.fields["period"].choices = [(p.pk, p.name) for p in periods]


class CounterFindForm(forms.Form):
    id_number = forms.CharField(label=_("刷身份证 / 输入身份证号"), max_length=18, required=False)
    resident_code = forms.IntegerField(label=_("居民码"), required=False, min_value=1)
    name = forms.CharField(label=_("按姓名查找"), max_length=32, required=False)


class CounterOrderForm(forms.Form):
    resident = forms.IntegerField(widget=forms.HiddenInput)
    identified_by = forms.CharField(widget=forms.HiddenInput)
    period = forms.TypedChoiceField(label=_("餐次"), coerce=int, widget=forms.Select(attrs={"translate": "no"}))
    group = forms.ChoiceField(label=_("就餐人群"), choices=[("", _("按年龄自动"))] + list(DinerGroup.choices), required=False)
    delivery = forms.BooleanField(label=_("送餐上门"), required=False)

    def __init__(self, *args, periods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [(p.pk, p.name) for p in periods]


class ClaimForm(forms.Form):
    month = forms.DateField(label=_("月份（任一天）"), widget=forms.DateInput(attrs={"type": "date"}))


class QueueDayForm(forms.Form):
    day = forms.DateField(label=_("送餐日期"), widget=forms.DateInput(attrs={"type": "date"}))
