from django.contrib import admin

from .models import ActionItem, CommitteeDecision, CommitteeTerm, Meeting


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    """Read-only: meetings change through their services (events, notices)."""

    list_display = ("title", "kind", "community", "estate", "starts_at", "state", "minutes_state")
    list_filter = ("kind", "state", "minutes_state")
    search_fields = ("title",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ActionItem)
class ActionItemAdmin(MeetingAdmin):
    list_display = ("title", "meeting", "due_date", "state", "work_order_number")
    list_filter = ("state",)
    search_fields = ("title", "work_order_number")


@admin.register(CommitteeTerm)
class CommitteeTermAdmin(MeetingAdmin):
    """Read-only: a term changes through committees.py (events, alerts)."""

    list_display = ("committee", "number", "members", "elected_on", "ends_on", "state", "filed_on")
    list_filter = ("state",)
    search_fields = ("committee__name",)


@admin.register(CommitteeDecision)
class CommitteeDecisionAdmin(MeetingAdmin):
    list_display = ("text", "meeting", "in_favour", "members", "state", "publish_by", "published_at")
    list_filter = ("state",)
    search_fields = ("text",)
