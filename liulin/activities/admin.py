"""Configuration in the back office: terms and their eligibility rules, courses, the no-show
policy, teams' practice times. Places, enrolments and attendance change only through the
services (capacity, waiting list and chain), so here they are read-only."""

from django.contrib import admin

from .models import (
    Activity,
    Attendance,
    Course,
    Enrolment,
    FamilyLink,
    NoShowPolicy,
    TeamPractice,
    Term,
    WeeklySlot,
)


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ["name", "community", "starts_on", "ends_on", "min_age_female", "min_age_male", "max_age", "max_classes", "is_demo"]
    list_filter = ["community", "is_demo"]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["name", "community", "is_demo"]
    search_fields = ["name"]


@admin.register(NoShowPolicy)
class NoShowPolicyAdmin(admin.ModelAdmin):
    list_display = ["community", "threshold", "lookback_days", "restriction_days"]


@admin.register(TeamPractice)
class TeamPracticeAdmin(admin.ModelAdmin):
    list_display = ["team", "weekday", "starts", "ends", "facility", "is_demo"]
    list_filter = ["weekday", "is_demo"]
    raw_id_fields = ["team", "facility"]


class WeeklySlotInline(admin.TabularInline):
    model = WeeklySlot
    extra = 0


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Activity)
class ActivityAdmin(ReadOnly):
    list_display = ["title", "kind", "state", "starts_at", "capacity", "reserved", "taken", "community", "is_demo"]
    list_filter = ["kind", "state", "is_demo"]
    search_fields = ["title"]
    inlines = [WeeklySlotInline]


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnly):
    list_display = ["activity", "ticket", "state", "channel", "created_at", "is_demo"]
    list_filter = ["state", "channel"]
    list_select_related = ["activity"]


@admin.register(Attendance)
class AttendanceAdmin(ReadOnly):
    list_display = ["enrolment", "on", "at", "method"]


@admin.register(FamilyLink)
class FamilyLinkAdmin(ReadOnly):
    list_display = ["kind", "verified_at", "is_demo"]
