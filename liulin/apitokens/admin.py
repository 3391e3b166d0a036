from django.contrib import admin, messages

from . import services
from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "scopes", "created_at", "last_used_at", "expires_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix", "user__mobile", "user__name"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        # A raw token must be shown once to whoever creates it: use `manage.py api_token create`.
        return False

    @admin.action(description="吊销所选令牌")
    def revoke(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            services.revoke_token(actor=request.user, token=token)
            count += 1
        self.message_user(request, f"已吊销 {count} 个令牌。", messages.SUCCESS)
