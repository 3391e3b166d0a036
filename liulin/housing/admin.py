from django.contrib import admin

from .models import Apartment, Draw, Round


@admin.register(Apartment)
class ApartmentAdmin(admin.ModelAdmin):
    list_display = ("number", "layout", "area_dm2", "rent_fen", "deposit_fen", "is_demo")
    list_filter = ("layout", "is_demo")


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ("title", "state", "notice_id", "list_hash")
    readonly_fields = ("state", "list_hash", "list_published_at")


@admin.register(Draw)
class DrawAdmin(admin.ModelAdmin):
    list_display = ("round", "drawn_at", "current", "public_value", "seed")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
