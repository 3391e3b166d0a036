"""Admin: the community's rules and the 雷锋超市's items are configuration; records, postings
and redemptions are read-only here (they change only through the services, which chain them)."""

from django.contrib import admin

from .models import (
    Activity,
    Certificate,
    Good,
    Posting,
    Redemption,
    Rules,
    ServiceRecord,
    TeamMember,
    Volunteer,
)


@admin.register(Rules)
class RulesAdmin(admin.ModelAdmin):
    list_display = ["community", "min_attendance_percent", "points_per_hour", "max_deed_points", "points_valid_days",
                    "checkin_code_minutes"]


@admin.register(Good)
class GoodAdmin(admin.ModelAdmin):
    list_display = ["name", "community", "price_points", "stock", "is_active", "is_demo"]
    list_filter = ["is_active", "community"]
    readonly_fields = ["stock"]  # moved only by restock and redemption postings


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Volunteer)
class VolunteerAdmin(ReadOnly):
    list_display = ["name", "community", "registered_at", "is_demo"]
    search_fields = ["name"]


@admin.register(TeamMember)
class TeamMemberAdmin(ReadOnly):
    list_display = ["volunteer", "team", "state", "applied_at", "decided_at"]
    list_filter = ["state"]
    list_select_related = ["volunteer", "team"]


@admin.register(Activity)
class ActivityAdmin(ReadOnly):
    list_display = ["title", "team", "kind", "starts_at", "ends_at", "state", "for_minors"]
    list_filter = ["state", "kind", "for_minors"]
    list_select_related = ["team"]


@admin.register(ServiceRecord)
class ServiceRecordAdmin(ReadOnly):
    list_display = ["volunteer", "content", "served_on", "minutes", "source", "state"]
    list_filter = ["state", "source"]
    list_select_related = ["volunteer"]


@admin.register(Posting)
class PostingAdmin(ReadOnly):
    list_display = ["ledger", "seq", "action", "key", "at", "hash"]
    list_filter = ["action"]


@admin.register(Redemption)
class RedemptionAdmin(ReadOnly):
    list_display = ["volunteer", "good", "quantity", "points", "state", "at"]
    list_select_related = ["volunteer", "good"]


@admin.register(Certificate)
class CertificateAdmin(ReadOnly):
    list_display = ["number", "masked_name", "minutes", "issued_on", "issuer"]
