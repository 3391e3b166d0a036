"""Admin for configuration: resources and their rules, opening hours, blackouts, the no-show
policy and gym plans. Bookings and memberships are read here; they change only through the
services (events, the overlap rule), so admin cannot edit or delete them."""

from django.contrib import admin

from .models import (
    Blackout,
    Booking,
    BookingSeries,
    Membership,
    MembershipPlan,
    NoShowPolicy,
    OpeningHours,
    Resource,
    TeamBlock,
)


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class BlackoutInline(admin.TabularInline):
    model = Blackout
    extra = 0


class TeamBlockInline(admin.TabularInline):
    model = TeamBlock
    extra = 0
    raw_id_fields = ["team"]


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "community", "bookable", "requires_approval", "capacity", "slot_minutes", "max_days_ahead",
                    "price_fen", "is_demo"]
    list_filter = ["bookable", "requires_approval", "community"]
    search_fields = ["name"]
    list_select_related = ["parent", "community"]
    raw_id_fields = ["facility", "parent", "community"]
    inlines = [OpeningHoursInline, BlackoutInline, TeamBlockInline]


@admin.register(NoShowPolicy)
class NoShowPolicyAdmin(admin.ModelAdmin):
    list_display = ["community", "count", "within_days", "ban_days"]
    raw_id_fields = ["community"]


@admin.register(MembershipPlan)
class MembershipPlanAdmin(admin.ModelAdmin):
    list_display = ["name", "resource", "months", "price_fen", "hourly_capacity", "active"]
    raw_id_fields = ["resource"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    list_display = ["resource", "starts_at", "ends_at", "state", "team", "is_demo"]
    list_filter = ["state", "resource__community"]
    list_select_related = ["resource", "team"]
    date_hierarchy = "starts_at"


@admin.register(BookingSeries)
class BookingSeriesAdmin(ReadOnlyAdmin):
    list_display = ["resource", "team", "starts", "ends", "first_day", "last_day"]
    list_select_related = ["resource", "team"]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["plan", "starts_on", "ends_on", "state", "price_fen", "receipt_no"]
    list_filter = ["state"]
    list_select_related = ["plan"]
