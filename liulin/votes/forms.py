from django import forms
from django.utils.translation import gettext_lazy as _

from liulin.orgs.models import Organisation

from .models import Choice
from .rules import Matter


class VoteForm(forms.Form):
    committee = forms.ModelChoiceField(label=_("业主委员会"), queryset=Organisation.objects.none(), empty_label=None)
    title = forms.CharField(label=_("表决事项"), max_length=120)
    matter = forms.TypedChoiceField(label=_("事项类型（民法典第二百七十八条）"), choices=Matter.choices, coerce=int)
    description = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=5000)
    opens_at = forms.DateTimeField(label=_("投票开始"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    closes_at = forms.DateTimeField(label=_("投票截止"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def __init__(self, *args, committees=None, **kwargs):
        super().__init__(*args, **kwargs)
        if committees is not None:
            self.fields["committee"].queryset = committees


class ChoiceForm(forms.Form):
    choice = forms.ChoiceField(label=_("您的意见"), choices=Choice.choices, widget=forms.RadioSelect)


class ConfirmForm(ChoiceForm):
    choice = forms.ChoiceField(choices=Choice.choices, widget=forms.HiddenInput)
    confirmed = forms.BooleanField(widget=forms.HiddenInput, initial=True)


class RollSearchForm(forms.Form):
    q = forms.CharField(label=_("房号"), max_length=64, required=False)


class CounterForm(forms.Form):
    owner = forms.IntegerField(widget=forms.HiddenInput)
    choice = forms.ChoiceField(label=_("业主意见"), choices=Choice.choices, widget=forms.RadioSelect)
    id_checked = forms.BooleanField(label=_("已核验业主身份证件原件"))


class PaperForm(forms.Form):
    owner = forms.IntegerField(widget=forms.HiddenInput)
    choice = forms.ChoiceField(label=_("票面意见"), choices=Choice.choices, widget=forms.RadioSelect)
    receipt_code = forms.CharField(label=_("票根回执码"), max_length=20)


class ServiceForm(forms.Form):
    owner = forms.IntegerField(widget=forms.HiddenInput)
    how = forms.CharField(label=_("送达方式"), max_length=32, initial=_("签收回执"))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=500, required=False)


class ReceiptForm(forms.Form):
    code = forms.CharField(label=_("回执码"), max_length=20)


class ProxyForm(forms.Form):
    owner = forms.IntegerField(widget=forms.HiddenInput)
    holder_mobile = forms.CharField(label=_("受托人手机号（须已注册账号）"), max_length=11)
    document = forms.FileField(label=_("签字的委托书（PDF 或照片）"))


class FamilyProxyForm(forms.Form):
    vote = forms.IntegerField(widget=forms.HiddenInput)
    owner = forms.IntegerField(widget=forms.HiddenInput)
    document = forms.FileField(label=_("签字的委托书（PDF 或照片）"))


class RegisterUploadForm(forms.Form):
    """The owners' register as an xlsx; `cleaned_data["file"]` is its bytes once checked."""

    file = forms.FileField(label=_("业主名册（Excel .xlsx）"), allow_empty_file=True,
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument"
                                                                            ".spreadsheetml.sheet"}))

    def clean_file(self):
        from liulin.core.errors import DomainError

        from .importing import read_upload

        try:
            return read_upload(self.cleaned_data["file"])
        except DomainError as error:
            raise forms.ValidationError(error.detail, code=error.code) from None


class RegisterConfirmForm(forms.Form):
    """Which previewed upload is confirmed: its token and the SHA-256 the preview was made from."""

    token = forms.RegexField(regex=r"^[A-Za-z0-9_-]{20,64}$", widget=forms.HiddenInput)
    sha256 = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)
