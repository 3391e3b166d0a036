"""Input forms of the resident registry. They parse and check shape; the rules live in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from liulin.core.validators import normalise_id_number

from . import selectors
from .models import Resident

FIELD_LABELS = {"mobile": _("手机号"), "id_number": _("身份证号")}
MAX_IMPORT_BYTES = 20 * 1024 * 1024


class SearchForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=64)


class RevealForm(forms.Form):
    field = forms.ChoiceField(label=_("查看哪一项"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("查看原因"),
        min_length=2,
        max_length=200,
        help_text=_("例如：上门走访需电话联系。每次查看都会记录。"),
    )

    def __init__(self, *args, fields_allowed, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [(f, FIELD_LABELS[f]) for f in fields_allowed]
        if len(fields_allowed) == 1:
            self.fields["field"].initial = fields_allowed[0]


class IdCheckForm(forms.Form):
    id_number = forms.CharField(
        label=_("居民提供的身份证号"),
        max_length=32,
        help_text=_("只回答与登记是否一致，不显示登记的号码。每次核对都会记录，且有次数限制。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )


class ResidentForm(forms.Form):
    """One form for registering and editing; the household is chosen as building + room."""

    name = forms.CharField(label=_("姓名"), max_length=32)
    gender = forms.ChoiceField(label=_("性别"), choices=Resident.Gender.choices, widget=forms.RadioSelect)
    birth_date = forms.DateField(
        label=_("出生日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("填写身份证号时可留空，自动带出。"),
    )
    mobile = forms.CharField(label=_("手机号"), max_length=11, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"}))
    id_number = forms.CharField(
        label=_("身份证号"),
        max_length=18,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("18 位，末位可为 X。修改时留空表示不变。"),
    )
    building = forms.ModelChoiceField(label=_("楼栋"), queryset=None)
    room = forms.CharField(label=_("房号"), max_length=32)
    relation = forms.ChoiceField(label=_("与户主关系"), choices=Resident.Relation.choices)
    care_tags = forms.ModelMultipleChoiceField(
        label=_("关爱标签"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    is_party_member = forms.BooleanField(label=_("党员"), required=False)
    party_branch = forms.ModelChoiceField(label=_("所在党支部"), queryset=None, required=False)
    notes = forms.CharField(label=_("备注"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = selectors.buildings_for(user)
        self.fields["care_tags"].queryset = selectors.care_tags()
        self.fields["party_branch"].queryset = selectors.party_branches_for(user)

    @classmethod
    def initial_for(cls, resident):
        household = resident.household
        return {
            "name": resident.name,
            "gender": resident.gender,
            "birth_date": resident.birth_date,
            "mobile": resident.mobile,
            "building": household.building_id if household else None,
            "room": household.room if household else "",
            "relation": resident.relation,
            "care_tags": list(resident.care_tags.all()),
            "is_party_member": resident.is_party_member,
            "party_branch": resident.party_branch_id,
            "notes": resident.notes,
        }

    def clean_id_number(self):
        return normalise_id_number(self.cleaned_data["id_number"])

    def clean_mobile(self):
        return self.cleaned_data["mobile"].strip()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("party_branch") and not cleaned.get("is_party_member"):
            self.add_error("party_branch", _("只有党员才能填写所在党支部。"))
        return cleaned

    def resident_fields(self):
        """The cleaned values the services take (household is resolved by the view's service call)."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "gender": data["gender"],
            "birth_date": data["birth_date"],
            "mobile": data["mobile"],
            "relation": data["relation"],
            "is_party_member": data["is_party_member"],
            "party_branch": data["party_branch"] if data["is_party_member"] else None,
            "notes": data["notes"],
        }


class ImportUploadForm(forms.Form):
    community = forms.ModelChoiceField(label=_("导入到社区"), queryset=None)
    file = forms.FileField(label=_("台账文件（.xlsx）"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = selectors.communities_for(user, "people.import")
        if self.fields["community"].queryset.count() == 1:
            self.fields["community"].initial = self.fields["community"].queryset.first()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("请上传 .xlsx 格式的 Excel 文件。"))
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("文件太大（上限 20 MB），请分批导入。"))
        return upload


class ImportConfirmForm(forms.Form):
    token = forms.RegexField(regex=r"^[A-Za-z0-9_-]{20,64}$", widget=forms.HiddenInput)


class ProxyGrantForm(forms.Form):
    """An elder's consent that someone acts for her: who (the login phone of the family
    member's or grid worker's account), the relation, which services, until when. At the
    counter staff also write the proof (the signed form's number)."""

    proxy_mobile = forms.RegexField(label=_("代办人手机号（账号）"), regex=r"^1\d{10}$", max_length=11,
                                    error_messages={"invalid": _("请输入 11 位手机号。")})
    relation = forms.ChoiceField(label=_("关系"))
    services = forms.MultipleChoiceField(label=_("可代办的服务"), widget=forms.CheckboxSelectMultiple)
    valid_until = forms.DateField(label=_("有效期至"), widget=forms.DateInput(attrs={"type": "date"}))
    consent_proof = forms.CharField(label=_("授权凭证"), max_length=200, required=False,
                                    help_text=_("书面授权书编号，或老人当面确认的记录。"))

    def __init__(self, *args, staff=False, **kwargs):
        from .models import Proxy
        from .proxies import services

        super().__init__(*args, **kwargs)
        self.fields["relation"].choices = Proxy.Relation.choices
        self.fields["services"].choices = [(s.code, _(s.label)) for s in services()]
        if staff:
            self.fields["consent_proof"].required = True
        else:
            del self.fields["consent_proof"]


class ProxyAuditForm(forms.Form):
    service = forms.ChoiceField(label=_("服务"), required=False)

    def __init__(self, *args, **kwargs):
        from .proxies import services

        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", _("全部"))] + [(s.code, _(s.label)) for s in services()]
