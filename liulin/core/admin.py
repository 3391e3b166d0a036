from django.contrib import admin

from .models import AccessLog, AuditLog, CalendarOverride, WorkCalendar


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows only the services write (logs, tickets and their events): readable in the back
    office, never added, changed or deleted there."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "target_type", "target_id"]
    list_filter = ["action", "target_type"]
    search_fields = ["action", "target_id", "actor__name", "actor__mobile"]
    date_hierarchy = "at"
    list_select_related = ["actor"]


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "field", "target_type", "target_id", "reason"]
    list_filter = ["field", "target_type"]
    search_fields = ["reason", "target_id", "actor__name", "actor__mobile"]
    date_hierarchy = "at"
    list_select_related = ["actor"]


class CalendarOverrideInline(admin.TabularInline):
    model = CalendarOverride
    extra = 1


@admin.register(WorkCalendar)
class WorkCalendarAdmin(admin.ModelAdmin):
    """Working hours, and the single days that differ from China's statutory calendar."""

    list_display = ["name", "is_default", "morning_start", "morning_end", "afternoon_start", "afternoon_end"]
    inlines = [CalendarOverrideInline]
