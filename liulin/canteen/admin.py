from django.contrib import admin

from .models import Canteen, CareStatus, MealPeriod, MenuDay, Price, SubsidyRule, SubsidyTable


class PeriodInline(admin.TabularInline):
    model = MealPeriod
    extra = 0


@admin.register(Canteen)
class CanteenAdmin(admin.ModelAdmin):
    list_display = ["name", "community", "operator", "delivery_fee_fen", "is_demo"]
    inlines = [PeriodInline]


@admin.register(Price)
class PriceAdmin(admin.ModelAdmin):
    list_display = ["period", "group", "price_fen"]
    list_filter = ["group"]


@admin.register(MenuDay)
class MenuDayAdmin(admin.ModelAdmin):
    list_display = ["day", "period", "published_at"]
    date_hierarchy = "day"


class RuleInline(admin.TabularInline):
    model = SubsidyRule
    extra = 0

    def has_change_permission(self, request, obj=None):
        # A version in use is never edited: make a new version instead.
        return obj is None or not obj.orders.exists()

    has_delete_permission = has_change_permission

    def has_add_permission(self, request, obj=None):
        return obj is None or not obj.orders.exists()


@admin.register(SubsidyTable)
class SubsidyTableAdmin(admin.ModelAdmin):
    list_display = ["version", "name", "effective_from"]
    inlines = [RuleInline]


@admin.register(CareStatus)
class CareStatusAdmin(admin.ModelAdmin):
    list_display = ["resident", "tag", "valid_from", "expires_on"]
    list_filter = ["tag"]
    raw_id_fields = ["resident"]
    readonly_fields = ["recorded_by"]


