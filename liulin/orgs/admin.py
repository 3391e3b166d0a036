from django.contrib import admin
from django.db.models import Count, Q

from .models import Membership, Organisation


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ["name", "resident", "user", "title", "is_party_member", "joined_on", "is_demo"]
    raw_id_fields = ["resident", "user"]
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "community", "estate", "member_count", "party_member_count", "is_active", "is_demo"]
    list_filter = ["kind", "is_active", "is_demo", "community"]
    search_fields = ["name", "description"]
    list_select_related = ["community", "estate"]
    raw_id_fields = ["parent"]
    inlines = [MembershipInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_members=Count("memberships", distinct=True),
                n_party_members=Count("memberships", filter=Q(memberships__is_party_member=True), distinct=True),
            )
        )

    @admin.display(description="成员", ordering="n_members")
    def member_count(self, obj):
        return obj.n_members

    @admin.display(description="党员", ordering="n_party_members")
    def party_member_count(self, obj):
        return obj.n_party_members
