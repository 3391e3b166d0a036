from django import forms
from django.contrib import admin, messages

from . import services
from .errors import Open311Error
from .models import Open311Key, Open311Request, ServiceAttribute


class ServiceAttributeForm(forms.ModelForm):
    class Meta:
        model = ServiceAttribute
        fields = ["category", "code", "variable", "datatype", "required", "datatype_description", "order", "description", "values"]

    def clean(self):
        data = super().clean()
        values = data.get("values") or []
        if not isinstance(values, list) or not all(isinstance(v, dict) and "key" in v and "name" in v for v in values):
            raise forms.ValidationError({"values": '选项须为 [{"key": ..., "name": ...}] 列表。'})
        if data.get("datatype") in ("singlevaluelist", "multivaluelist") and not values:
            raise forms.ValidationError({"values": "单选/多选须至少有一个选项。"})
        return data


@admin.register(ServiceAttribute)
class ServiceAttributeAdmin(admin.ModelAdmin):
    form = ServiceAttributeForm
    list_display = ["category", "code", "datatype", "required", "order", "description"]
    list_filter = ["datatype", "required"]
    search_fields = ["code", "description", "category__name", "category__code"]


class KeyForm(forms.ModelForm):
    class Meta:
        model = Open311Key
        fields = ["name", "user"]


@admin.register(Open311Key)
class Open311KeyAdmin(admin.ModelAdmin):
    form = KeyForm
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        return ["name", "user"] if obj is None else ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        try:
            key, raw = services.create_key(actor=request.user, name=obj.name, user=obj.user)
        except Open311Error as error:
            self.message_user(request, error.description, messages.ERROR)
            return
        obj.pk = key.pk
        self.message_user(request, f"新的 api_key（只显示这一次，请立即保存）：{raw}", messages.WARNING)

    @admin.action(description="吊销所选 api_key")
    def revoke(self, request, queryset):
        for key in queryset.filter(revoked_at__isnull=True):
            services.revoke_key(actor=request.user, key=key)
        self.message_user(request, "已吊销。", messages.SUCCESS)


@admin.register(Open311Request)
class Open311RequestAdmin(admin.ModelAdmin):
    list_display = ["ticket", "key", "created_at", "media_url"]
    readonly_fields = [f.name for f in Open311Request._meta.fields]

    def has_add_permission(self, request):
        return False
