"""Back office for 雷锋哨 configuration: the category tree with its time limits, routing rules,
time-limit policies and the work calendar (holidays and make-up workdays).

Tickets, events, callbacks and whistles are read-only here: they change only through the
workflow services (so every step is chained, counted and notified), and the contact phone is
shown masked.
"""

from django.contrib import admin

from liulin.core.admin import ReadOnlyAdmin
from liulin.core.masking import mask_phone

from .models import (
    CareUrgencyRule,
    Category,
    CategoryPolicy,
    Landmark,
    RoutingRule,
    SlaPolicy,
    Summons,
    Ticket,
    TicketEvent,
    WhistleCall,
)


class CategoryPolicyInline(admin.TabularInline):
    model = CategoryPolicy
    extra = 0


class RoutingRuleInline(admin.TabularInline):
    model = RoutingRule
    extra = 0
    autocomplete_fields = ["org"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "code", "responsible_kind", "responsible_org", "is_active", "sort"]
    list_filter = ["is_active", "responsible_kind", "parent"]
    search_fields = ["name", "code", "keywords"]
    list_select_related = ["parent", "responsible_org"]
    inlines = [CategoryPolicyInline, RoutingRuleInline]
    autocomplete_fields = ["responsible_org"]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "accept_minutes", "resolve_minutes", "working_time", "remind_before_minutes"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["id", "category", "community", "keywords", "org", "priority"]
    list_select_related = ["category__parent", "community", "org"]
    autocomplete_fields = ["org"]


@admin.register(CareUrgencyRule)
class CareUrgencyRuleAdmin(admin.ModelAdmin):
    """关爱对象 × 类别 → 至少按此紧急程度: what intake raises a vulnerable requester's urgency to."""

    list_display = ["care_tag", "category", "urgency"]
    list_filter = ["care_tag", "urgency"]
    list_select_related = ["care_tag", "category__parent"]


@admin.register(Landmark)
class LandmarkAdmin(admin.ModelAdmin):
    """Places callers name (parks, halls, roads) and their other names, for locating free-text addresses."""

    list_display = ["name", "aliases", "community", "grid"]
    list_filter = ["community"]
    search_fields = ["name", "aliases"]
    list_select_related = ["community", "grid"]


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ["number", "category", "state", "grid", "handling_org", "tier", "created_at", "masked_phone"]
    list_filter = ["state", "channel", "urgency", "tier", "needs_location"]
    search_fields = ["number"]
    list_select_related = ["category__parent", "grid", "handling_org"]
    exclude = ["contact_phone", "client_request_id"]
    readonly_fields = ["masked_phone"]

    @admin.display(description="联系电话")
    def masked_phone(self, obj):
        return mask_phone(obj.contact_phone)


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "seq", "action", "from_state", "to_state", "actor_role", "at", "internal"]
    list_filter = ["action", "internal"]
    list_select_related = ["ticket"]


@admin.register(WhistleCall)
class WhistleAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "community", "blown_at", "report_due"]
    list_select_related = ["community"]


@admin.register(Summons)
class SummonsAdmin(ReadOnlyAdmin):
    list_display = ["whistle", "department", "reported_at", "on_site", "late", "verified_at", "rating"]
    list_select_related = ["whistle", "department"]
