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


def _when(label):
    return forms.DateTimeField(label=label, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                               input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])


class ActivityForm(forms.Form):
    """A new class or event (in draft) by community staff."""

    kind = forms.ChoiceField(label=_("类型"), choices=())
    title = forms.CharField(label=_("名称"), max_length=80)
    description = forms.CharField(label=_("介绍"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    starts_at = _when(_("开始时间"))
    ends_at = _when(_("结束时间"))
    capacity = forms.IntegerField(label=_("名额"), min_value=1, max_value=100000)
    reserved = forms.IntegerField(label=_("预留名额"), min_value=0, max_value=100000, initial=0)
    facility = forms.ModelChoiceField(label=_("场地"), queryset=None, required=False)
    organiser = forms.ModelChoiceField(label=_("主办组织"), queryset=None, required=False)
    course = forms.ModelChoiceField(label=_("课程"), queryset=None, required=False)
    term = forms.ModelChoiceField(label=_("学期"), queryset=None, required=False)
    weekday = forms.TypedChoiceField(label=_("上课时间"), coerce=int, required=False, empty_value=None, choices=())
    slot_starts = forms.TimeField(label=_("开始"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    slot_ends = forms.TimeField(label=_("结束"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    min_age = forms.IntegerField(label=_("最低年龄"), min_value=0, max_value=130, required=False)
    max_age = forms.IntegerField(label=_("最高年龄"), min_value=0, max_value=130, required=False)

    def __init__(self, *args, facilities, organisers, courses, terms, **kwargs):
        from .models import WEEKDAYS, Activity

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Activity.Kind.choices
        self.fields["facility"].queryset = facilities
        self.fields["organiser"].queryset = organisers
        self.fields["course"].queryset = courses
        self.fields["term"].queryset = terms
        self.fields["weekday"].choices = [("", "—"), *[(i, label) for i, label in enumerate(WEEKDAYS)]]

    def slots(self):
        data = self.cleaned_data
        if data.get("weekday") is None or not data.get("slot_starts") or not data.get("slot_ends"):
            return []
        return [(data["weekday"], data["slot_starts"], data["slot_ends"])]


class FamilyLinkForm(forms.Form):
    """Staff verify a guardian or family tie from the documents shown: both ID numbers."""

    resident_id_number = forms.CharField(label=_("孩子或长辈的身份证号"), max_length=18)
    relative_id_number = forms.CharField(label=_("监护人或家属的身份证号"), max_length=18)
    kind = forms.ChoiceField(label=_("关系"), choices=())

    def __init__(self, *args, **kwargs):
        from .models import FamilyLink

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = FamilyLink.Kind.choices
