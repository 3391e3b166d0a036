"""Back office for the registry. Residents are kept day to day on the registry pages
(people:resident_list); the admin screen for them writes only through people.services, so an
ID number typed here is validated, encrypted and hashed like anywhere else, and the plain
phone and ID number are never shown (masked columns only)."""

from django import forms
from django.contrib import admin
from django.db import transaction
from django.db.models import Count

from liulin.core.errors import Invalid
from liulin.core.masking import mask_phone

from . import services
from .models import CareTag, Proxy, Resident

SERVICE_FIELDS = [
    "name", "gender", "birth_date", "household", "relation", "care_tags", "is_party_member", "party_branch", "notes",
]


@admin.register(CareTag)
class CareTagAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "sort", "resident_count"]
    list_editable = ["sort"]
    search_fields = ["name", "code"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_residents=Count("residents"))

    @admin.display(description="居民数", ordering="n_residents")
    def resident_count(self, tag):
        return tag.n_residents


class _DryRun(Exception):
    """Raised to roll back a trial run of the service inside form validation."""


class ResidentAdminForm(forms.ModelForm):
    """Phone and ID number are write-only here: typed in to set them, left blank to keep them."""

    new_mobile = forms.CharField(label="手机号", max_length=11, required=False, help_text="修改时留空表示不变。")
    id_number = forms.CharField(
        label="身份证号", max_length=18, required=False, help_text="18 位；保存时加密。修改时留空表示不变。"
    )

    class Meta:
        model = Resident
        fields = SERVICE_FIELDS

    def service_fields(self):
        data = {name: self.cleaned_data.get(name) for name in SERVICE_FIELDS if name != "care_tags"}
        if self.cleaned_data.get("new_mobile") or self.instance.pk is None:
            data["mobile"] = self.cleaned_data.get("new_mobile", "")
        return data

    def save_through_service(self, actor):
        """Create or update the resident with people.services; returns the saved row."""
        id_number = self.cleaned_data.get("id_number") or None
        care_tags = list(self.cleaned_data.get("care_tags") or [])
        if self.instance.pk is None:
            return services.create_resident(
                actor=actor, id_number=id_number or "", care_tags=care_tags, **self.service_fields()
            )
        resident = Resident.objects.get(pk=self.instance.pk)
        return services.update_resident(
            actor=actor, resident=resident, id_number=id_number, care_tags=care_tags, **self.service_fields()
        )

    def clean(self):
        """Try the service inside a savepoint that is always rolled back, so every rule the
        service enforces (checksum, duplicate ID, birth date) shows as a form error here and
        nothing is written until the real save."""
        data = super().clean()
        if self.errors:
            return data
        try:
            with transaction.atomic():
                self.save_through_service(self.actor)
                raise _DryRun
        except _DryRun:
            pass
        except Invalid as e:
            field = {"mobile": "new_mobile"}.get(e.field, e.field)
            self.add_error(field if field in self.fields else None, e.detail)
        return data


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    form = ResidentAdminForm
    list_display = ["name", "gender", "age", "masked_phone", "id_masked", "household", "is_party_member", "is_demo"]
    list_filter = ["gender", "is_party_member", "care_tags", "is_demo"]
    search_fields = ["name", "name_initials", "name_pinyin"]
    list_select_related = ["household__building__estate"]
    raw_id_fields = ["household", "party_branch"]
    filter_horizontal = ["care_tags"]
    readonly_fields = ["masked_phone", "id_masked", "age"]
    fieldsets = [
        (None, {"fields": ["name", "gender", "birth_date", "age", "household", "relation"]}),
        ("证件与联系方式（脱敏显示）", {"fields": ["masked_phone", "new_mobile", "id_masked", "id_number"]}),
        ("关爱与党员", {"fields": ["care_tags", "is_party_member", "party_branch", "notes"]}),
    ]

    def has_delete_permission(self, request, obj=None):
        # A resident who moves away is updated, not erased: audit rows point at him.
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user
        return form

    @admin.display(description="手机号（脱敏）")
    def masked_phone(self, obj):
        return mask_phone(obj.mobile)

    @admin.display(description="年龄")
    def age(self, obj):
        return obj.age if obj.birth_date else "-"

    def save_model(self, request, obj, form, change):
        saved = form.save_through_service(request.user)
        # The admin goes on to log and redirect with `obj`: give it the saved row's state.
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if not k.startswith("_")})
        obj.pk = saved.pk
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        """Care tags were set by the service; nothing else hangs off a resident here."""


@admin.register(Proxy)
class ProxyAdmin(admin.ModelAdmin):
    """Read-only: consents are granted and revoked through people.proxy_services (events, notices)."""

    list_display = ["elder", "proxy_user", "proxy_resident", "relation", "valid_until", "revoked_at", "end_reason"]
    list_filter = ["relation", "end_reason"]
    raw_id_fields = ["elder", "proxy_user", "proxy_resident", "recorded_by", "revoked_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
