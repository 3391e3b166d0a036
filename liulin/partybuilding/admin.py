"""Back office: the 五联 dimensions are configuration; the records are read here and changed
only through the pages and the API (their services keep the events and the rules)."""

from django.contrib import admin

from . import models


@admin.register(models.LinkKind)
class LinkKindAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order", "is_active"]
    list_editable = ["order", "is_active"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Partnership)
class PartnershipAdmin(ReadOnlyAdmin):
    list_display = ["org", "community", "receipt_no", "starts_on", "ends_on", "is_demo"]
    list_filter = ["community", "is_demo"]


@admin.register(models.Need)
class NeedAdmin(ReadOnlyAdmin):
    list_display = ["title", "community", "category", "source", "state", "created_at"]
    list_filter = ["state", "category", "source"]


@admin.register(models.Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ["need", "org", "origin", "state", "starts_on", "ends_on"]
    list_filter = ["state", "origin"]


@admin.register(models.Resource)
class ResourceAdmin(ReadOnlyAdmin):
    list_display = ["title", "org", "kind", "capacity", "used", "is_active"]


@admin.register(models.Registration)
class RegistrationAdmin(ReadOnlyAdmin):
    list_display = ["name", "org", "community", "state", "registered_at"]
    list_filter = ["state", "org"]


@admin.register(models.Wish)
class WishAdmin(ReadOnlyAdmin):
    list_display = ["title", "community", "kind", "beneficiary_label", "capacity", "claimed", "state"]
    list_filter = ["state", "kind"]
    exclude = ["beneficiary"]


@admin.register(models.LinkActivity)
class LinkActivityAdmin(ReadOnlyAdmin):
    list_display = ["title", "partnership", "kind", "held_on", "participants"]
    list_filter = ["kind"]


@admin.register(models.ReportDispatch)
class ReportDispatchAdmin(ReadOnlyAdmin):
    list_display = ["org", "year", "quarter", "members", "automatic", "sent_by", "sent_at"]
    list_filter = ["automatic", "year", "quarter"]
