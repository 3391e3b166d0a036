"""Back office for the registry's configuration. Residents themselves are kept on the registry
pages (people:resident_list), where every write goes through services and every reveal is logged."""

from django.contrib import admin
from django.db.models import Count

from .models import CareTag


@admin.register(CareTag)
class CareTagAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "sort", "resident_count"]
    list_editable = ["sort"]
    search_fields = ["name", "code"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_residents=Count("residents"))

    @admin.display(description="居民数", ordering="n_residents")
    def resident_count(self, tag):
        return tag.n_residents
