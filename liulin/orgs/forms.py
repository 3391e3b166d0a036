from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Organisation


class KindFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部类型")), *Organisation.Kind.choices])


class MemberForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=32)
    title = forms.CharField(label=_("职务"), max_length=32, required=False, initial="成员")
    is_party_member = forms.BooleanField(label=_("党员"), required=False)
