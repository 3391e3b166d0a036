from django import forms

from .models import Organisation


class KindFilterForm(forms.Form):
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部类型"), *Organisation.Kind.choices])


class MemberForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=32)
    title = forms.CharField(label="职务", max_length=32, required=False, initial="成员")
    is_party_member = forms.BooleanField(label="党员", required=False)
