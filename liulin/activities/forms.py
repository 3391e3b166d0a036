from django import forms
from django.utils.translation import gettext_lazy as _


class EnrolForm(forms.Form):
    resident = forms.ModelChoiceField(label=_("为谁报名"), queryset=None, empty_label=None)
    safety_pledge = forms.BooleanField(label=_("家属同意并签署安全承诺（80 岁以上学员）"), required=False)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resident"].queryset = people


class CounterForm(forms.Form):
    id_number = forms.CharField(label=_("报名人身份证号"), max_length=18, help_text=_("柜台代办：核对本人出示的身份证"))
    safety_pledge = forms.BooleanField(label=_("家属同意并签署安全承诺（80 岁以上学员）"), required=False)


class CheckInForm(forms.Form):
    code = forms.CharField(label=_("签到码"), max_length=200, required=False)
    id_number = forms.CharField(label=_("或身份证号"), max_length=18, required=False)
    adult = forms.CharField(label=_("接送成年人姓名（未成年人）"), max_length=32, required=False)

    def clean(self):
        data = super().clean()
        if not data.get("code") and not data.get("id_number"):
            raise forms.ValidationError(_("请扫码、输入签到码或身份证号。"))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200, required=False)
    public_value = forms.CharField(label=_("抽签公开值"), max_length=200, required=False)


class SignOutForm(forms.Form):
    adult = forms.CharField(label=_("接走孩子的成年人姓名"), max_length=32)
