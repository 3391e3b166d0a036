from django.contrib import admin

from .models import Centre, DayPlace


class DayPlaceInline(admin.TabularInline):
    model = DayPlace
    extra = 0
    readonly_fields = ["taken"]  # moved only by the services' conditional updates


@admin.register(Centre)
class CentreAdmin(admin.ModelAdmin):
    list_display = ["name", "community", "is_demo"]
    filter_horizontal = ["staff"]
    inlines = [DayPlaceInline]
