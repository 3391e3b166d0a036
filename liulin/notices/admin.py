"""Admin: kinds and their periods, and each community's 居务公开 catalogue, are configuration.
Notices, versions, objections and receipts change only through the services, so they are
read-only here."""

from django.contrib import admin

from .models import CatalogueItem, Notice, NoticeKind, NoticeVersion


@admin.register(NoticeKind)
class NoticeKindAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "period_days", "period_basis", "answer_days", "answer_basis")


@admin.register(CatalogueItem)
class CatalogueItemAdmin(admin.ModelAdmin):
    list_display = ("title", "community", "kind", "schedule", "since")
    list_filter = ("schedule",)


class VersionInline(admin.TabularInline):
    model = NoticeVersion
    extra = 0
    can_delete = False
    readonly_fields = ("number", "title", "body", "reason", "created_by", "created_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ("pk", "community", "kind", "state", "published_at", "last_day")
    list_filter = ("state", "kind")
    inlines = [VersionInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
