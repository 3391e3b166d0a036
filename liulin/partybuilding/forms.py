"""Every input of the pages, through a form: the services check the rules again."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Category, Evaluation, LinkKind, Resource, Wish


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    widget = MultiplePhotoInput(attrs={"accept": "image/*", "capture": "environment"})

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(PhotosField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class WishForm(forms.Form):
    title = forms.CharField(label=_("心愿"), max_length=100)
    kind = forms.ChoiceField(label=_("类别"), choices=Wish.Kind.choices)
    beneficiary_label = forms.CharField(label=_("公开称呼"), max_length=32, help_text=_("公开页只显示此称呼，例如“独居老人”"))
    description = forms.CharField(label=_("说明"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    capacity = forms.IntegerField(label=_("需要几人认领"), min_value=1, max_value=10, initial=1)
    beneficiary_id = forms.IntegerField(label=_("心愿人（居民编号，可不填）"), required=False, min_value=1)


class NeedForm(forms.Form):
    title = forms.CharField(label=_("需求"), max_length=100)
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    description = forms.CharField(label=_("说明"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ClaimNeedForm(forms.Form):
    owner_name = forms.CharField(label=_("负责人"), max_length=32)
    plan = forms.CharField(label=_("实施计划"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    starts_on = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("计划完成"), widget=forms.DateInput(attrs={"type": "date"}))
    volunteers_needed = forms.IntegerField(label=_("需要报到党员人数"), min_value=0, max_value=50, initial=0, required=False)

    def clean_volunteers_needed(self):
        return self.cleaned_data.get("volunteers_needed") or 0


class AssignForm(ClaimNeedForm):
    resource = forms.IntegerField(label=_("资源"), widget=forms.Select(attrs={"translate": "no"}))

    def __init__(self, *args, resources=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].widget.choices = [(r.pk, f"{r.org.name} · {r.title}（{r.remaining}）") for r in resources]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("说明"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DeliverForm(forms.Form):
    note = forms.CharField(label=_("送达说明"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    photos = PhotosField(label=_("送达照片"))


class ConfirmWishForm(forms.Form):
    story = forms.CharField(label=_("心愿故事（公开，不写姓名）"), max_length=2000, required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))


class RegisterForm(forms.Form):
    org = forms.IntegerField(label=_("所在单位党组织"), widget=forms.Select(attrs={"translate": "no"}))
    posts = forms.MultipleChoiceField(label=_("认领岗位"), choices=Category.choices, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].widget.choices = [(o.pk, o.name) for o in orgs]


class ServiceForm(forms.Form):
    wish = forms.TypedChoiceField(label=_("为哪个心愿服务（可不选）"), required=False, coerce=int, empty_value=None,
                                  widget=forms.Select(attrs={"translate": "no"}))
    project = forms.TypedChoiceField(label=_("为哪个项目服务（可不选）"), required=False, coerce=int, empty_value=None,
                                     widget=forms.Select(attrs={"translate": "no"}))
    category = forms.ChoiceField(label=_("岗位"), choices=Category.choices)
    served_on = forms.DateField(label=_("服务日期"), widget=forms.DateInput(attrs={"type": "date"}))
    minutes = forms.IntegerField(label=_("时长（分钟）"), min_value=1, max_value=1440)
    description = forms.CharField(label=_("服务内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotosField(label=_("照片"), required=False)

    def __init__(self, *args, wishes=(), projects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wish"].choices = [("", "—"), *[(w.pk, f"{w.title} · {w.beneficiary_label}") for w in wishes]]
        self.fields["project"].choices = [("", "—"), *[(p.pk, f"{p.need.title} · {p.org.name}") for p in projects]]


class ActivityForm(forms.Form):
    kind = forms.ModelChoiceField(label=_("五联方式"), queryset=LinkKind.objects.filter(is_active=True),
                                  widget=forms.Select(attrs={"translate": "no"}))
    title = forms.CharField(label=_("活动名称"), max_length=100)
    held_on = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    participants = forms.IntegerField(label=_("参与人数"), min_value=0, max_value=100000, initial=0)
    description = forms.CharField(label=_("内容"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotosField(label=_("照片"), required=False)


class ResourceForm(forms.Form):
    kind = forms.ChoiceField(label=_("资源类型"), choices=Resource.Kind.choices)
    title = forms.CharField(label=_("资源"), max_length=100)
    capacity = forms.IntegerField(label=_("可服务次数"), min_value=1, max_value=10000, initial=1)
    description = forms.CharField(label=_("说明"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class EvaluationForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2999)
    grade = forms.ChoiceField(label=_("评定"), choices=Evaluation.Grade.choices)
    comment = forms.CharField(label=_("评语"), max_length=2000, required=False)


class QuarterForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2999)
    quarter = forms.TypedChoiceField(label=_("季度"), choices=[(q, f"Q{q}") for q in range(1, 5)], coerce=int)
