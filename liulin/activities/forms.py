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


class VoteForm(forms.Form):
    nominations = forms.ModelMultipleChoiceField(label=_("选择家庭"), queryset=None, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nominations"].queryset = candidates


class NominateForm(forms.Form):
    family_name = forms.CharField(label=_("家庭称呼（公开展示，如“王家”）"), max_length=40)
    story = forms.CharField(label=_("家风故事"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))


class ObjectionForm(forms.Form):
    nomination = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(label=_("异议的事实和理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
