from django import forms
from django.utils.translation import gettext_lazy as _

from liulin.core import clock

from .models import Scale

DATA_SELECT = {"translate": "no"}  # estate and company names are data


class ContractForm(forms.Form):
    estate = forms.ModelChoiceField(label=_("小区"), queryset=None, widget=forms.Select(attrs=DATA_SELECT))
    company = forms.ModelChoiceField(label=_("物业公司"), queryset=None, widget=forms.Select(attrs=DATA_SELECT))
    starts_on = forms.DateField(label=_("合同开始"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("合同结束"), widget=forms.DateInput(attrs={"type": "date"}))
    fee = forms.CharField(label=_("物业费（元/平方米·月）"), max_length=12, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    signed_by = forms.CharField(label=_("签约方"), max_length=60, required=False)
    scope = forms.CharField(label=_("服务事项"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
                            help_text=_("每行一项：维度代码|服务事项|服务标准；留空则用常见的六项"))

    def __init__(self, *args, estates, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = estates
        self.fields["company"].queryset = companies

    def scope_items(self):
        text = self.cleaned_data.get("scope") or ""
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if not lines:
            return None
        out = []
        for line in lines:
            parts = [p.strip() for p in line.split("|")]
            if len(parts) == 1:
                parts = ["", parts[0], ""]
            out.append((parts[0], parts[1] if len(parts) > 1 else "", parts[2] if len(parts) > 2 else ""))
        return out


class SurveyForm(forms.Form):
    estate = forms.ModelChoiceField(label=_("小区"), queryset=None, widget=forms.Select(attrs=DATA_SELECT))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    scale = forms.ChoiceField(label=_("评分方式"), choices=Scale.choices)
    target_pct = forms.IntegerField(label=_("满意率目标（%）"), min_value=1, max_value=100, initial=80)

    def __init__(self, *args, estates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = estates
        self.fields["year"].initial = clock.today().year


class SupervisorForm(forms.Form):
    estate = forms.ModelChoiceField(label=_("小区"), queryset=None, widget=forms.Select(attrs=DATA_SELECT))
    mobile = forms.CharField(label=_("居民账号手机号"), max_length=11, widget=forms.TextInput(attrs={"inputmode": "tel"}))

    def __init__(self, *args, estates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = estates


def answer_form(survey, dimensions, data=None):
    """A form with one radio group per dimension."""
    if survey.scale == Scale.FIVE:
        choices = [(5, _("5 非常满意")), (4, _("4 满意")), (3, _("3 一般")), (2, _("2 不满意")), (1, _("1 非常不满意"))]
    else:
        choices = [(1, _("满意")), (0, _("不满意"))]
    form = forms.Form(data)
    for dim in dimensions:
        form.fields[dim.code] = forms.TypedChoiceField(label=dim.label, choices=choices, coerce=int, widget=forms.RadioSelect)
    form.fields["comment"] = forms.CharField(label=_("意见建议"), max_length=300, required=False,
                                             widget=forms.Textarea(attrs={"rows": 3}))
    return form
