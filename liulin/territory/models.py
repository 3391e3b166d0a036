"""The territory tree: district > subdistrict > community > grid > estate > building > household.

Districts, subdistricts and communities are `Area` rows with a materialised `path` built
from their codes, so "everything under this district" is one indexed prefix match. Grids
belong to a community; buildings carry both their grid and their community, and households
copy them, so scoped reads never walk the tree at query time.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from liulin.core import clock

from . import geo


def path_prefixes(path):
    """'/A/B/C/' -> ['/A/', '/A/B/', '/A/B/C/']: the paths of an area and of those above it."""
    return [path[: i + 1] for i, ch in enumerate(path) if ch == "/" and i]


class Area(models.Model):
    class Kind(models.TextChoices):
        CITY = "city", _("市")
        DISTRICT = "district", _("区")
        SUBDISTRICT = "subdistrict", _("街道")
        COMMUNITY = "community", _("社区")

    PARENT_KIND = {Kind.DISTRICT: Kind.CITY, Kind.SUBDISTRICT: Kind.DISTRICT, Kind.COMMUNITY: Kind.SUBDISTRICT}

    kind = models.CharField(_("层级"), max_length=16, choices=Kind.choices)
    code = models.CharField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=255, unique=True, editable=False)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("行政区域")
        verbose_name_plural = verbose_name
        ordering = ["path"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.path = (self.parent.path if self.parent_id else "/") + f"{self.code}/"
        super().save(*args, **kwargs)

    def clean(self):
        expected = self.PARENT_KIND.get(self.kind)
        actual = self.parent.kind if self.parent_id else None
        if expected != actual and not (self.kind != self.Kind.CITY and self.parent_id is None):
            raise ValidationError({"parent": f"{self.get_kind_display()}的上级应为{expected or '无'}。"})

    def full_name(self):
        names, node = [], self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return "".join(reversed(names))


class Grid(models.Model):
    community = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="grids", limit_choices_to={"kind": "community"})
    code = models.CharField(_("网格编号"), max_length=32, unique=True)
    name = models.CharField(_("网格名称"), max_length=64)
    boundary = models.JSONField(_("边界 (GeoJSON)"), help_text=_("GeoJSON Polygon 或 MultiPolygon，WGS84 经纬度"))
    is_demo = models.BooleanField(_("演示数据"), default=False)
    # Stamped on every save: the point-in-grid index (territory.geo) compares the latest
    # stamp and the row count to know when its cached polygons are stale.
    updated_at = models.DateTimeField(_("更新时间"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = verbose_name
        ordering = ["code"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.updated_at = clock.now()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "updated_at"}
        super().save(*args, **kwargs)
        geo.invalidate()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        geo.invalidate()
        return result


class Estate(models.Model):
    community = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="estates", limit_choices_to={"kind": "community"})
    name = models.CharField(_("小区名称"), max_length=64)
    address = models.CharField(_("地址"), max_length=128, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("小区")
        verbose_name_plural = verbose_name
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="estate_unique_name_per_community")]

    def __str__(self):
        return self.name


class Building(models.Model):
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="buildings")
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="buildings")
    community = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", editable=False)
    name = models.CharField(_("楼栋"), max_length=32)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("楼栋")
        verbose_name_plural = verbose_name
        ordering = ["estate__name", "name"]
        constraints = [models.UniqueConstraint(fields=["estate", "name"], name="building_unique_name_per_estate")]

    def __str__(self):
        return f"{self.estate.name}{self.name}"

    def save(self, *args, **kwargs):
        self.community_id = self.estate.community_id
        super().save(*args, **kwargs)


class Household(models.Model):
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="households")
    room = models.CharField(_("房号"), max_length=32)
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="households", editable=False)
    community = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", editable=False)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("住户")
        verbose_name_plural = verbose_name
        ordering = ["building_id", "room"]
        constraints = [models.UniqueConstraint(fields=["building", "room"], name="household_unique_room")]

    def __str__(self):
        return self.address

    def save(self, *args, **kwargs):
        self.grid_id = self.building.grid_id
        self.community_id = self.building.community_id
        super().save(*args, **kwargs)

    @property
    def address(self):
        return f"{self.building.estate.name}{self.building.name}{self.room}室"


class Facility(models.Model):
    """A place in the community that serves residents: a centre, a room inside it, a hall, a court."""

    class Kind(models.TextChoices):
        CENTRE = "centre", _("服务中心")
        ROOM = "room", _("功能室")
        HALL = "hall", _("讲堂/礼堂")
        CANTEEN = "canteen", _("食堂")
        APARTMENT = "apartment", _("公寓")
        GYM = "gym", _("健身/体育场馆")
        COURT = "court", _("球场")
        PARK = "park", _("公园")
        STAGE = "stage", _("舞台/广场")
        STATION = "station", _("驿站")
        SHOP = "shop", _("超市")

    community = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="facilities", limit_choices_to={"kind": "community"})
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="parts")
    name = models.CharField(_("名称"), max_length=64)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    address = models.CharField(_("位置"), max_length=128, blank=True)
    floor_area_m2 = models.PositiveIntegerField(_("面积（平方米）"), null=True, blank=True)
    area_mu = models.DecimalField(_("面积（亩）"), max_digits=8, decimal_places=2, null=True, blank=True)
    seats = models.PositiveIntegerField(_("座位数"), null=True, blank=True)
    units = models.PositiveIntegerField(_("套数/间数"), null=True, blank=True)
    monthly_fee_fen = models.PositiveIntegerField(_("月费（分）"), null=True, blank=True)
    equipment = models.JSONField(_("设备"), default=dict, blank=True, help_text=_('例如 {"跑步机": 5}'))
    description = models.TextField(_("说明"), blank=True)
    is_indoor = models.BooleanField(_("室内"), default=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("设施")
        verbose_name_plural = verbose_name
        ordering = ["community_id", "parent_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="facility_unique_name_per_community"),
        ]

    def __str__(self):
        return self.name
