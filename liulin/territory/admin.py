from django import forms
from django.contrib import admin

from liulin.core.errors import Invalid

from . import geo
from .models import Area, Building, Estate, Facility, Grid, Household


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "code", "parent", "is_demo"]
    list_filter = ["kind", "is_demo"]
    search_fields = ["name", "code"]
    readonly_fields = ["path"]
    list_select_related = ["parent"]

    def get_readonly_fields(self, request, obj=None):
        # The code is part of every descendant's path: fixed once the area exists.
        return ["path", "code"] if obj else ["path"]


class GridForm(forms.ModelForm):
    class Meta:
        model = Grid
        fields = ["community", "code", "name", "boundary", "is_demo"]

    def clean_boundary(self):
        """The same rules as the import command: a valid polygon that overlaps no other grid."""
        boundary = self.cleaned_data["boundary"]
        try:
            geometry = geo.parse_boundary(boundary)
        except Invalid as e:
            raise forms.ValidationError(e.detail) from None
        overlapping = geo.grid_index().overlapping(geometry, exclude_id=self.instance.pk)
        if overlapping:
            names = "、".join(str(g) for g in Grid.objects.filter(pk__in=overlapping))
            raise forms.ValidationError(f"与已有网格重叠：{names}。相邻网格只能共用边界。")
        return boundary


@admin.register(Grid)
class GridAdmin(admin.ModelAdmin):
    form = GridForm
    list_display = ["code", "name", "community", "updated_at", "is_demo"]
    list_filter = ["community", "is_demo"]
    search_fields = ["code", "name"]
    list_select_related = ["community"]


@admin.register(Estate)
class EstateAdmin(admin.ModelAdmin):
    list_display = ["name", "community", "address", "is_demo"]
    list_filter = ["community", "is_demo"]
    search_fields = ["name", "address"]
    list_select_related = ["community"]


class BuildingForm(forms.ModelForm):
    class Meta:
        model = Building
        fields = ["estate", "grid", "name", "lon", "lat", "is_demo"]

    def clean(self):
        data = super().clean()
        estate, grid = data.get("estate"), data.get("grid")
        if estate and grid and estate.community_id != grid.community_id:
            self.add_error("grid", "网格不属于该小区所在的社区。")
        return data


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
    form = BuildingForm
    list_display = ["__str__", "estate", "grid", "community", "is_demo"]
    list_filter = ["community", "grid", "is_demo"]
    search_fields = ["name", "estate__name"]
    list_select_related = ["estate", "grid", "community"]


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["__str__", "building", "grid", "community", "is_demo"]
    list_filter = ["community", "grid", "is_demo"]
    search_fields = ["room", "building__name", "building__estate__name"]
    list_select_related = ["building__estate", "grid", "community"]
    raw_id_fields = ["building"]


@admin.register(Facility)
class FacilityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "community", "floor_area_m2", "seats", "is_demo"]
    list_filter = ["kind", "community", "is_indoor", "is_demo"]
    search_fields = ["name", "address", "description"]
    list_select_related = ["parent", "community"]
