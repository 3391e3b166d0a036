from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CareLog


class CareLogForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=CareLog.Kind.choices)
    text = forms.CharField(label=_("内容"), max_length=200)
    value = forms.DecimalField(label=_("数值"), required=False, max_digits=7, decimal_places=2)
    unit = forms.CharField(label=_("单位"), required=False, max_length=12)


class MonthForm(forms.Form):
    month = forms.DateField(label=_("月份"), required=False, input_formats=["%Y-%m", "%Y-%m-%d"])
