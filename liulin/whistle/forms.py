"""Forms of the 雷锋哨 pages. They parse and check input only; the services decide."""

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liulin.core import clock
from liulin.core.validators import validate_date_in_range

from . import selectors
from .models import Callback, Category, Channel, Satisfaction, Urgency, WhistleCall

MAX_PHOTOS = 6


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several photos from one <input type=file multiple>; the photo service checks each one."""

    widget = MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp", "multiple": True})

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(_("最多上传 %(n)s 张照片。") % {"n": MAX_PHOTOS})
        return [super(MultiplePhotoField, self).clean(f, initial) for f in files]


def _grouped_categories():
    choices = [("", _("请选择类别"))]
    for root, children in selectors.category_tree():
        if children:
            group = [(root.pk, _("%(name)s（其他）") % {"name": root.name})]
            group += [(child.pk, child.name) for child in children]
            choices.append((root.name, group))
        else:
            choices.append((root.pk, root.name))
    return choices


class CategoryChoiceField(forms.TypedChoiceField):
    """Categories grouped by their top-level node (a grouped <select>); cleans to a Category.

    The choices are read when a form is rendered, not when this module is imported, so the
    list follows the admin's edits and a fresh database can be migrated."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.Select(attrs={"translate": "no"}))  # category names are data
        super().__init__(coerce=int, choices=_grouped_categories, **kwargs)

    def clean(self, value):
        pk = super().clean(value)
        if pk in (None, ""):
            return None
        category = Category.objects.filter(pk=pk, is_active=True).first()
        if category is None:
            raise forms.ValidationError(_("请选择有效的诉求类别。"))
        return category


def _aware(value):
    if value is None:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


class IntakeForm(forms.Form):
    """What every intake page shares: the place (a building and room, or a point on the map,
    plus a free address), a non-empty description and the client request id that makes a
    double submit file one ticket."""

    EMPTY_DESCRIPTION = _("请填写诉求内容。")

    building = forms.ModelChoiceField(queryset=None, required=False, label=_("楼栋"), empty_label=_("（不在楼栋内）"))
    room = forms.CharField(label=_("房号"), max_length=32, required=False)
    lat = forms.FloatField(label=_("纬度"), required=False, min_value=-90, max_value=90, widget=forms.NumberInput(attrs={"step": "any"}))
    lon = forms.FloatField(label=_("经度"), required=False, min_value=-180, max_value=180, widget=forms.NumberInput(attrs={"step": "any"}))
    address = forms.CharField(label=_("地点说明"), max_length=128, required=False)
    client_request_id = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = selectors.buildings_for(user)
        if not self.is_bound:
            self.initial.setdefault("client_request_id", uuid.uuid4().hex)

    def clean_description(self):
        text = self.cleaned_data["description"].strip()
        if not text:
            raise forms.ValidationError(self.EMPTY_DESCRIPTION)
        return text

    def clean(self):
        data = super().clean()
        if (data.get("lat") is None) != (data.get("lon") is None):
            self.add_error("lat", _("经纬度要一起填写，或者都不填。"))
        return data

    def place_kwargs(self):
        """household / building / lon / lat / address for the intake service."""
        data = self.cleaned_data
        kwargs = {"building": data.get("building"), "lon": data.get("lon"), "lat": data.get("lat"), "address": data.get("address", "")}
        room = (data.get("room") or "").strip()
        if data.get("building") and room:
            household = data["building"].households.filter(room=room).first()
            if household is not None:
                kwargs["household"] = household
            else:
                kwargs["address"] = " ".join(x for x in (f"{data['building']}{room}室", kwargs["address"]) if x)
        return kwargs


class ConsoleForm(IntakeForm):
    """The hotline operator's console: phone first, Enter saves."""

    phone = forms.CharField(
        label=_("来电号码"), max_length=20, required=False, widget=forms.TextInput(attrs={"autofocus": True, "inputmode": "tel", "autocomplete": "off"})
    )
    contact_name = forms.CharField(label=_("来电人称呼"), max_length=32, required=False)
    requester = forms.IntegerField(required=False, widget=forms.HiddenInput)
    category = CategoryChoiceField(label=_("诉求类别"))
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices, initial=Urgency.NORMAL)
    description = forms.CharField(label=_("诉求内容"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    publish_description = forms.BooleanField(
        label=_("来电人同意公开诉求内容"), required=False, help_text=_("请询问来电人。公开时隐去姓名、电话、证件号和门牌；不同意则只公开类别和办理状态。")
    )
    call_started_at = forms.DateTimeField(widget=forms.HiddenInput, required=False)

    field_order = [
        "phone", "contact_name", "category", "urgency", "description", "publish_description", "building", "room", "address", "lat", "lon",
    ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.user = user
        if not self.is_bound:
            self.initial.setdefault("call_started_at", clock.now().isoformat())

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip().replace(" ", "").replace("-", "")
        if phone and not phone.isdigit():
            raise forms.ValidationError(_("电话号码只能包含数字。"))
        return phone

    def intake_kwargs(self):
        data = self.cleaned_data
        kwargs = {
            "channel": Channel.HOTLINE,
            "category": data["category"],
            "description": data["description"],
            "urgency": data["urgency"],
            "contact_name": data.get("contact_name", ""),
            "contact_phone": data.get("phone", ""),
            "client_request_id": data["client_request_id"],
            "call_started_at": _aware(data.get("call_started_at")),
            "call_ended_at": clock.now(),
            "publish_description": data.get("publish_description", False),
            **self.place_kwargs(),
        }
        return kwargs


class LookupForm(forms.Form):
    phone = forms.CharField(max_length=20, required=False)

    def clean_phone(self):
        return "".join(ch for ch in self.cleaned_data["phone"] if ch.isdigit())


class ResidentFileForm(IntakeForm):
    """A resident's own request from a phone: the place defaults to his home."""

    WHERE_HOME, WHERE_BUILDING, WHERE_POINT = "home", "building", "point"

    category = CategoryChoiceField(label=_("什么问题"))
    description = forms.CharField(label=_("请描述情况"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    where = forms.ChoiceField(
        label=_("在哪里"),
        widget=forms.RadioSelect,
        choices=[(WHERE_HOME, _("我家")), (WHERE_BUILDING, _("小区里的某栋楼")), (WHERE_POINT, _("地图上的位置"))],
        initial=WHERE_HOME,
    )
    photos = MultiplePhotoField(label=_("照片（可多张）"), required=False)
    publish_description = forms.BooleanField(
        label=_("同意在办理公开页公开我的诉求内容"), required=False, help_text=_("公开时隐去姓名、电话、证件号和门牌；不勾选则只公开类别和办理状态。")
    )

    field_order = ["category", "description", "where", "building", "room", "lat", "lon", "address", "photos", "publish_description"]

    def __init__(self, *args, user, **kwargs):
        from liulin.people import proxies

        super().__init__(*args, user=user, **kwargs)
        resident = getattr(user, "resident", None)
        self.household = resident.household if resident is not None and resident.household_id else None
        # Elders who consented that this resident files for them (people.proxies, "whistle").
        self.elders = {str(e.pk): e for e in proxies.elders_for(user, "whistle").select_related("household")}
        self.elder = None
        if self.elders:
            self.fields["for_whom"] = forms.ChoiceField(
                label=_("为谁反映"), required=False, widget=forms.Select(attrs={"translate": "no"}), choices=[("", _("我本人"))] + [(pk, e.name) for pk, e in self.elders.items()],
                help_text=_("老人授权您代办时，可以为老人反映；“我家”指老人的家。"))
            self.order_fields(["for_whom", *self.field_order])
        if self.household is None and not self.elders:
            self.fields["where"].choices = self.fields["where"].choices[1:]
            self.initial.setdefault("where", self.WHERE_BUILDING)

    def clean(self):
        data = super().clean()
        self.elder = self.elders.get(data.get("for_whom") or "")
        if self.elder is not None:
            self.household = self.elder.household if self.elder.household_id else None
        where = data.get("where")
        if where == self.WHERE_HOME and self.household is None:
            self.add_error("where", _("没有登记的住址，请选择楼栋或位置。"))
        if where == self.WHERE_BUILDING and not data.get("building"):
            self.add_error("building", _("请选择楼栋。"))
        if where == self.WHERE_POINT and data.get("lat") is None:
            self.add_error("lat", _("请填写位置的经纬度，或改选“我家”/楼栋。"))
        return data

    def intake_kwargs(self):
        data = self.cleaned_data
        kwargs = {
            "channel": Channel.SELF_SERVICE,
            "category": data["category"],
            "description": data["description"],
            "publish_description": data.get("publish_description", False),
            "client_request_id": data["client_request_id"],
            "photos": data.get("photos") or (),
            "address": data.get("address", ""),
        }
        if self.elder is not None:
            kwargs["requester"] = self.elder
        if data["where"] == self.WHERE_HOME:
            kwargs["household"] = self.household
        elif data["where"] == self.WHERE_BUILDING:
            # A resident files only for his own home; another room is named in the address.
            room = (data.get("room") or "").strip()
            kwargs["building"] = data["building"]
            kwargs["address"] = " ".join(x for x in (f"{data['building']}{room}室" if room else "", kwargs["address"]) if x)
        else:
            kwargs.update(lon=data["lon"], lat=data["lat"])
        return kwargs


class PatrolForm(IntakeForm):
    """A grid worker's patrol report: for a resident of his grid, or for something he found."""

    FOR_RESIDENT, FOR_FOUND = "resident", "found"

    kind = forms.ChoiceField(
        label=_("上报类型"), widget=forms.RadioSelect, choices=[(FOR_FOUND, _("巡查发现的问题")), (FOR_RESIDENT, _("代居民反映"))], initial=FOR_FOUND
    )
    resident = forms.ModelChoiceField(queryset=None, required=False, label=_("居民"), empty_label=_("（请选择）"))
    category = CategoryChoiceField(label=_("诉求类别"))
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices, initial=Urgency.NORMAL)
    description = forms.CharField(label=_("情况描述"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    photos = MultiplePhotoField(label=_("现场照片（可多张）"), required=False)
    publish_description = forms.TypedChoiceField(
        label=_("公开情况描述"),
        widget=forms.RadioSelect,
        choices=[
            ("", _("按默认：巡查发现的公共场所问题公开，代居民反映的不公开")),
            ("yes", _("公开（代居民反映的须居民同意）")),
            ("no", _("不公开")),
        ],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        initial="",
        help_text=_("公开时隐去姓名、电话、证件号和门牌。"),
    )

    field_order = [
        "kind", "resident", "category", "urgency", "description", "building", "room", "lat", "lon", "address", "photos", "publish_description",
    ]

    EMPTY_DESCRIPTION = _("请填写情况描述。")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["resident"].queryset = selectors.grid_residents(user)
        self.fields["resident"].label_from_instance = lambda r: f"{r.name} · {r.address}"

    def clean(self):
        data = super().clean()
        if data.get("kind") == self.FOR_RESIDENT:
            if not data.get("resident"):
                self.add_error("resident", _("请选择居民。"))
        elif not data.get("building") and data.get("lat") is None:
            self.add_error("building", _("请选择楼栋，或填写位置的经纬度。"))
        return data

    def intake_kwargs(self):
        data = self.cleaned_data
        kwargs = {
            "channel": Channel.GRID_PATROL,
            "category": data["category"],
            "urgency": data["urgency"],
            "description": data["description"],
            "publish_description": data.get("publish_description"),  # None: the channel's default
            "client_request_id": data["client_request_id"],
            "photos": data.get("photos") or (),
        }
        if data["kind"] == self.FOR_RESIDENT:
            resident = data["resident"]
            kwargs.update(requester=resident, household=resident.household, contact_name=resident.name, contact_phone=resident.mobile)
        else:
            kwargs.update(self.place_kwargs())
        return kwargs


# ---------------------------------------------------------------------------------------
# Dispatcher


class QueueFilterForm(forms.Form):
    category = forms.ModelChoiceField(queryset=Category.objects.filter(is_active=True).select_related("parent"), required=False, label=_("类别"), empty_label=_("全部"))
    grid = forms.ModelChoiceField(queryset=None, required=False, label=_("网格"), empty_label=_("全部"))
    channel = forms.ChoiceField(choices=[("", _("全部"))] + list(Channel.choices), required=False, label=_("来源"))
    urgency = forms.ChoiceField(choices=[("", _("全部"))] + list(Urgency.choices), required=False, label=_("紧急程度"))
    date_from = forms.DateField(required=False, label=_("起始日期"), widget=forms.DateInput(attrs={"type": "date"}), validators=[validate_date_in_range])
    date_to = forms.DateField(required=False, label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}), validators=[validate_date_in_range])
    unlocated = forms.BooleanField(required=False, label=_("只看待定位"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from liulin.territory.models import Grid

        self.fields["grid"].queryset = Grid.objects.filter(
            pk__in=selectors.tickets_for(user, "whistle.dispatch").values("grid")
        ).order_by("code")

    def filters(self):
        data = self.cleaned_data if self.is_valid() else {}
        return selectors.QueueFilters(
            category=data.get("category"),
            grid=data.get("grid"),
            channel=data.get("channel", ""),
            urgency=data.get("urgency", ""),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            unlocated=bool(data.get("unlocated")),
        )


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.get_kind_display()}）"


class BulkDispatchForm(forms.Form):
    tickets = forms.ModelMultipleChoiceField(queryset=None, label=_("工单"), error_messages={"required": _("请至少勾选一张工单。")})
    org = UnitChoiceField(queryset=None, label=_("派给"), empty_label=_("请选择承办单位"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tickets"].queryset = selectors.dispatch_queue(user)
        self.fields["org"].queryset = selectors.handling_units(user)


class MergeForm(forms.Form):
    parent = forms.CharField(label=_("合并到工单号"), max_length=24)
    reason = forms.CharField(label=_("说明"), max_length=500, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_parent(self):
        from liulin.core.errors import NotFound

        try:
            return selectors.ticket_by_number(self.user, self.cleaned_data["parent"])
        except NotFound:
            raise forms.ValidationError(_("找不到这个工单号，或您无权查看。")) from None


# ---------------------------------------------------------------------------------------
# Ticket actions


class ActionForm(forms.Form):
    """One workflow action on one ticket. The reason is required where the table says so."""

    action = forms.CharField(max_length=32, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("说明"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    org = UnitChoiceField(queryset=None, required=False, label=_("承办单位"), empty_label=_("请选择"))
    forwarded_to = forms.CharField(label=_("转交单位"), max_length=100, required=False)
    photos = MultiplePhotoField(label=_("办结照片（可多张）"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = selectors.handling_units(user)

    def clean(self):
        from . import workflow

        data = super().clean()
        transition = workflow.TRANSITIONS.get(data.get("action"))
        if transition is None:
            raise forms.ValidationError(_("未知的操作。"))
        if transition.needs_reason and not (data.get("reason") or "").strip():
            self.add_error("reason", _("“%(label)s”需要填写说明。") % {"label": transition.label})
        if transition.action in ("dispatch", "reassign") and not data.get("org"):
            self.add_error("org", _("请选择承办单位。"))
        if transition.action == "forward" and not (data.get("forwarded_to") or "").strip():
            self.add_error("forwarded_to", _("请填写转交单位。"))
        return data


class CommentForm(forms.Form):
    body = forms.CharField(label=_("留言"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    internal = forms.BooleanField(label=_("内部备注（居民看不到）"), required=False)

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("请填写内容。"))
        return body


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("请填写理由。"))
        return reason


SOLVED_CHOICES = [("1", _("已解决")), ("0", _("未解决"))]
RATING_CHOICES = [(c.value, c.label) for c in Satisfaction if c != Satisfaction.NOT_RATED]


class CallbackForm(forms.Form):
    """Operator's phone callback (回访)."""

    solved = forms.TypedChoiceField(label=_("问题是否解决"), choices=SOLVED_CHOICES, coerce=lambda v: v == "1", widget=forms.RadioSelect)
    satisfaction = forms.ChoiceField(label=_("满意度"), choices=RATING_CHOICES, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("居民意见"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reopen = forms.BooleanField(label=_("不满意，重新办理（重办）"), required=False)
    method = Callback.Method.PHONE

    def clean(self):
        data = super().clean()
        if data.get("reopen") and data.get("satisfaction") == Satisfaction.SATISFIED:
            self.add_error("reopen", _("居民满意时不需要重办。"))
        return data


class RatingForm(CallbackForm):
    """The resident's own rating once the result is verified."""

    comment = forms.CharField(label=_("您的意见（可不填）"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reopen = forms.BooleanField(label=_("没有解决，请重新办理"), required=False)
    method = Callback.Method.SELF


# ---------------------------------------------------------------------------------------
# Whistles

REPORT_DUE_DEFAULTS = {
    WhistleCall.Kind.EMERGENCY: _("1 小时内到场报到"),
    WhistleCall.Kind.PROGRESS: _("3 个工作日内报到"),
    WhistleCall.Kind.HARD: _("5 个工作日内报到"),
}


class WhistleForm(forms.Form):
    community = forms.ModelChoiceField(queryset=None, label=_("社区"), empty_label=None)
    kind = forms.ChoiceField(label=_("吹哨类型"), choices=WhistleCall.Kind.choices, widget=forms.RadioSelect, initial=WhistleCall.Kind.PROGRESS)
    title = forms.CharField(label=_("事由"), max_length=100)
    reason = forms.CharField(label=_("情况说明"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    tickets = forms.ModelMultipleChoiceField(queryset=None, label=_("涉及工单"), widget=forms.CheckboxSelectMultiple, required=False)
    departments = forms.ModelMultipleChoiceField(queryset=None, label=_("召集部门"), widget=forms.CheckboxSelectMultiple)
    report_due = forms.DateTimeField(
        label=_("报到时限（不填按类型默认）"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = selectors.supervised_communities(user)
        if len(self.fields["community"].queryset) == 1:
            self.fields["community"].widget = forms.HiddenInput()
            self.initial.setdefault("community", self.fields["community"].queryset[0].pk)
        self.fields["tickets"].queryset = selectors.whistleable_tickets(user)
        self.fields["tickets"].label_from_instance = lambda t: f"{t.number} · {t.category} · {t.grid.name}"
        self.fields["departments"].queryset = selectors.departments(user)
        self.fields["departments"].label_from_instance = lambda o: o.name
        self.fields["departments"].error_messages["required"] = _("请至少选择一个部门。")

    def clean_report_due(self):
        value = _aware(self.cleaned_data.get("report_due"))
        if value is not None and value <= clock.now():
            raise forms.ValidationError(_("报到时限必须晚于现在。"))
        return value


class ReportInForm(forms.Form):
    on_site = forms.TypedChoiceField(
        label=_("是否到场"), choices=[("1", _("已到现场")), ("0", _("未到现场（远程对接）"))], coerce=lambda v: v == "1", widget=forms.RadioSelect
    )
    actions = forms.CharField(label=_("处置情况（可稍后补充）"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ActionsForm(forms.Form):
    actions = forms.CharField(label=_("补充处置情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class RankingForm(forms.Form):
    community = forms.ModelChoiceField(queryset=None, label=_("社区"), empty_label=None, required=False)
    month = forms.DateField(label=_("月份"), required=False, input_formats=["%Y-%m"], widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = selectors.ranking_communities_for(user)

    def choice(self):
        """(community, first day of the month): the form's, or the user's first community and this month."""
        data = self.cleaned_data if self.is_valid() else {}
        community = data.get("community") or self.fields["community"].queryset.first()
        today = clock.today()
        month = data.get("month") or today.replace(day=1)
        return community, month.replace(day=1)


class RateSummonsForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("评价"), choices=[(str(n), "★" * n) for n in range(5, 0, -1)], coerce=int, widget=forms.RadioSelect
    )
