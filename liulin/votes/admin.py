"""Configuration in the back office: each estate's rules (议事规则 settings), the owners'
register. Votes and ballots are read-only here: they change only through the services, so
every change is chained."""

from django.contrib import admin

from .models import Ballot, EstateRules, Owner, Proxy, Unit, Vote


@admin.register(EstateRules)
class EstateRulesAdmin(admin.ModelAdmin):
    list_display = ["estate", "channel_rule", "non_voter_rule", "notice_days", "objection_days", "proxy_cap", "is_demo"]
    list_select_related = ["estate"]


class UnitInline(admin.TabularInline):
    model = Unit
    fields = ["label", "area_cm2", "area_source", "household"]
    raw_id_fields = ["household"]
    extra = 0


@admin.register(Owner)
class OwnerAdmin(admin.ModelAdmin):
    list_display = ["name", "estate", "kind", "is_demo"]
    list_filter = ["kind", "is_demo", "estate"]
    search_fields = ["name"]
    raw_id_fields = ["resident", "user"]
    inlines = [UnitInline]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["label", "estate", "area_cm2", "area_source", "owner"]
    list_filter = ["area_source", "estate"]
    search_fields = ["label"]
    raw_id_fields = ["household", "owner"]
    list_select_related = ["estate", "owner"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin):
    list_display = ["title", "estate", "matter", "state", "opens_at", "closes_at", "passed"]
    list_filter = ["state", "matter"]
    list_select_related = ["estate"]


@admin.register(Ballot)
class BallotAdmin(ReadOnlyAdmin):
    list_display = ["vote", "unit", "choice", "channel", "cast_at"]
    list_filter = ["channel", "choice"]
    list_select_related = ["vote", "unit"]


@admin.register(Proxy)
class ProxyAdmin(ReadOnlyAdmin):
    list_display = ["vote", "owner", "holder", "granted_at", "revoked_at"]
    list_select_related = ["vote", "owner", "holder"]

