"""Back office for the registry's configuration. Residents themselves are kept on the registry
pages (people:resident_list), where every write goes through services and every reveal is logged."""

from django.contrib import admin

from .models import CareTag


@admin.register(CareTag)
class CareTagAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "sort", "resident_count"]
    list_editable = ["sort"]
    search_fields = ["name", "code"]

    @admin.display(description="居民数")
    def resident_count(self, tag):
        return tag.residents.count()
