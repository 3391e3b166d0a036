from django.contrib import admin

from .models import Attempt, Delivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    """Organisations' endpoints are configured here; users set their own on the settings page."""

    list_display = ("url", "org", "user", "active", "created_at")
    list_filter = ("active",)
    raw_id_fields = ("user", "org")


class AttemptInline(admin.TabularInline):
    model = Attempt
    extra = 0
    can_delete = False
    readonly_fields = ("at", "ok", "response_code", "error")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Read-only: what went out, where, and how each try ended."""

    list_display = ("channel", "address", "status", "attempts", "created_at", "sent_at")
    list_filter = ("channel", "status")
    readonly_fields = [f.name for f in Delivery._meta.fields]
    inlines = [AttemptInline]

    def has_add_permission(self, request):
        return False
