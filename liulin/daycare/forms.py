from django import forms
from django.utils.translation import gettext_lazy as _

from .models import WEEKDAYS, CareLog


class CareLogForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=CareLog.Kind.choices)
    text = forms.CharField(label=_("内容"), max_length=200)
    value = forms.DecimalField(label=_("数值"), required=False, max_digits=7, decimal_places=2)
    unit = forms.CharField(label=_("单位"), required=False, max_length=12)


class MonthForm(forms.Form):
    month = forms.DateField(label=_("月份"), required=False, input_formats=["%Y-%m", "%Y-%m-%d"])


class ApplyForm(forms.Form):
    """A family member's application for one elder: the centre (of her community) and the
    weekly days. The centre's manager admits it after meeting her."""

    elder = forms.IntegerField(widget=forms.HiddenInput)
    centre = forms.TypedChoiceField(label=_("照料中心"), coerce=int, widget=forms.Select(attrs={"translate": "no"}))
    days = forms.TypedMultipleChoiceField(label=_("每周照料日"), coerce=int, widget=forms.CheckboxSelectMultiple,
                                          choices=list(enumerate(WEEKDAYS)))
    note = forms.CharField(label=_("给中心的说明（选填）"), required=False, max_length=200,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, elder, centres, **kwargs):
        super().__init__(*args, prefix=f"e{elder.pk}", initial={"elder": elder.pk}, **kwargs)
        self.fields["centre"].choices = [(c.pk, c.name) for c in centres]
        if len(centres) == 1:
            self.fields["centre"].initial = centres[0].pk
