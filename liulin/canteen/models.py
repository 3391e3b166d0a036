"""中南小苑: a community canteen with age- and status-tiered meal subsidies.

Invariants the database holds (not only the code):
- one price per diner group and meal period; prices and subsidies are integer fen >= 0;
- a subsidy rule never pays more than it could (subsidy >= 0), an age band is ordered;
- a subsidy table's version is unique, and an order keeps the table (and rule) it used, so a
  new version never changes a past order;
- ONE subsidised, not-cancelled order per person per meal period and day (partial unique
  constraint): twenty simultaneous orders for one elder give one subsidised meal;
- what the diner pays = price - subsidy + delivery fee (check constraint);
- a care status's proof expires on a date not before it starts.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from liulin.core import clock
from liulin.core.chain import ChainedEvent


class Canteen(models.Model):
    name = models.CharField(_("名称"), max_length=60)
    community = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    operator = models.ForeignKey(
        "orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("运营单位")
    )
    delivery_fee_fen = models.PositiveIntegerField(_("送餐费（分）"), default=0)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("社区食堂")
        verbose_name_plural = verbose_name
        ordering = ["id"]

    def __str__(self):
        return self.name


class MealPeriod(models.Model):
    """Breakfast, lunch, dinner: when it is served and until when it may be ordered ahead."""

    canteen = models.ForeignKey(Canteen, on_delete=models.CASCADE, related_name="periods")
    code = models.SlugField(_("代码"), max_length=16, help_text=_("breakfast / lunch / dinner，补贴规则按此代码匹配"))
    name = models.CharField(_("名称"), max_length=16)
    starts = models.TimeField(_("开餐"))
    ends = models.TimeField(_("结束"))
    order_cutoff = models.TimeField(_("当日预订截止"))
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("餐次")
        verbose_name_plural = verbose_name
        ordering = ["canteen", "sort", "starts"]
        constraints = [
            models.UniqueConstraint(fields=["canteen", "code"], name="canteen_period_code_once"),
            models.CheckConstraint(condition=Q(starts__lt=F("ends")), name="canteen_period_ordered"),
        ]

    def __str__(self):
        return self.name


class DinerGroup(models.TextChoices):
    STAFF = "staff", _("职工自助工作餐")
    OUTDOOR = "outdoor", _("户外劳动者工作餐")
    SENIOR = "senior", _("老年优享餐")
    OTHER = "other", _("其他居民")


class Price(models.Model):
    period = models.ForeignKey(MealPeriod, on_delete=models.CASCADE, related_name="prices")
    group = models.CharField(_("就餐人群"), max_length=12, choices=DinerGroup.choices)
    price_fen = models.PositiveIntegerField(_("价格（分）"))

    class Meta:
        verbose_name = _("价格")
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["period", "group"], name="canteen_one_price_per_group")]

    def __str__(self):
        return f"{self.period} · {self.get_group_display()}"


class MenuDay(models.Model):
    """The dishes of one meal on one day; diners see it once the week is published."""

    period = models.ForeignKey(MealPeriod, on_delete=models.CASCADE, related_name="menus")
    day = models.DateField(_("日期"))
    dishes = models.TextField(_("菜品"), help_text=_("每行一道菜"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("菜单")
        verbose_name_plural = verbose_name
        ordering = ["day", "period__sort"]
        constraints = [models.UniqueConstraint(fields=["period", "day"], name="canteen_one_menu_per_meal")]

    def __str__(self):
        return f"{self.day} {self.period_id}"

    @property
    def dish_list(self):
        return [line.strip() for line in self.dishes.splitlines() if line.strip()]


class SubsidyTable(models.Model):
    """One version of the subsidy rules (e.g. the civil-affairs notice of a year). Orders point
    at the version they used; rules of a version in use are never edited, a new version is made."""

    version = models.PositiveIntegerField(_("版本"), unique=True)
    name = models.CharField(_("依据"), max_length=120)
    effective_from = models.DateField(_("生效日期"))
    created_at = models.DateTimeField(default=clock.now, editable=False)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("助餐补贴标准")
        verbose_name_plural = verbose_name
        ordering = ["-effective_from", "-version"]

    def __str__(self):
        return f"v{self.version} {self.name}"


class Delivery(models.TextChoices):
    NONE = "none", _("不送餐")
    PAID = "paid", _("可送餐（自付送餐费）")
    FREE = "free", _("免费送餐")


class SubsidyRule(models.Model):
    """age band × status × meal → subsidy. `status` is a care-tag code (people.CareTag), or
    blank for "any elder of this age". The best matching rule of the version wins."""

    table = models.ForeignKey(SubsidyTable, on_delete=models.PROTECT, related_name="rules")
    min_age = models.PositiveSmallIntegerField(_("起始年龄（含）"))
    max_age = models.PositiveSmallIntegerField(_("截止年龄（含）"), null=True, blank=True)
    status = models.SlugField(_("身份（关爱标签代码）"), max_length=32, blank=True)
    meal = models.SlugField(_("餐次代码"), max_length=16)
    subsidy_fen = models.PositiveIntegerField(_("补贴（分）"))
    delivery = models.CharField(_("送餐"), max_length=8, choices=Delivery.choices, default=Delivery.NONE)

    class Meta:
        verbose_name = _("补贴规则")
        verbose_name_plural = verbose_name
        ordering = ["table", "meal", "min_age", "status"]
        constraints = [
            models.CheckConstraint(condition=Q(max_age__isnull=True) | Q(max_age__gte=F("min_age")), name="canteen_age_band_ordered"),
            models.UniqueConstraint(fields=["table", "min_age", "status", "meal"], name="canteen_rule_once"),
        ]

    def __str__(self):
        band = f"{self.min_age}-{self.max_age if self.max_age is not None else ''}"
        return f"{band} {self.status or '*'} {self.meal}: {self.subsidy_fen}"


class CareStatus(models.Model):
    """A care tag held with proof for a time: 低保 certificate no. ..., valid until .... The
    subsidy of a status stops the day after `expires_on`."""

    resident = models.ForeignKey("people.Resident", on_delete=models.CASCADE, related_name="+", verbose_name=_("居民"))
    tag = models.ForeignKey("people.CareTag", on_delete=models.PROTECT, related_name="+", verbose_name=_("身份"))
    proof = models.CharField(_("证明"), max_length=120, help_text=_("证件名称与编号，如 低保证 4301…"))
    valid_from = models.DateField(_("起始日期"))
    expires_on = models.DateField(_("有效期至"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=clock.now, editable=False)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("身份证明")
        verbose_name_plural = verbose_name
        ordering = ["resident", "-expires_on"]
        constraints = [models.CheckConstraint(condition=Q(expires_on__gte=F("valid_from")), name="canteen_status_dates_ordered")]

    def __str__(self):
        return f"{self.tag_id} · {self.valid_from}–{self.expires_on}"


class Order(models.Model):
    class State(models.TextChoices):
        ORDERED = "ordered", _("已下单")
        SERVED = "served", _("已取餐")
        OUT = "out", _("配送中")
        DELIVERED = "delivered", _("已送达")
        CANCELLED = "cancelled", _("已取消")

    class Channel(models.TextChoices):
        COUNTER = "counter", _("窗口点餐")
        PHONE = "phone", _("手机预订")
        FAMILY = "family", _("家属代订")

    class Identified(models.TextChoices):
        ID_CARD = "id_card", _("身份证")
        RESIDENT_CODE = "resident_code", _("居民码")
        STAFF_SEARCH = "staff_search", _("工作人员查询")
        LOGIN = "login", _("本人账号")
        FAMILY = "family", _("授权家属账号")

    canteen = models.ForeignKey(Canteen, on_delete=models.PROTECT, related_name="orders")
    period = models.ForeignKey(MealPeriod, on_delete=models.PROTECT, related_name="orders")
    day = models.DateField(_("就餐日期"))
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+", verbose_name=_("就餐人"))
    group = models.CharField(_("就餐人群"), max_length=12, choices=DinerGroup.choices)
    channel = models.CharField(_("点餐方式"), max_length=8, choices=Channel.choices)
    identified_by = models.CharField(_("身份核验方式"), max_length=16, choices=Identified.choices)
    ordered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The elder's consent (people.Proxy, docs/proxies.md) a family order was placed under;
    # `ordered_by` is the family member, `resident` the elder: both names on the order.
    proxy = models.ForeignKey("people.Proxy", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("代办授权"))
    price_fen = models.PositiveIntegerField(_("餐价（分）"))
    subsidy_fen = models.PositiveIntegerField(_("补贴（分）"), default=0)
    delivery_fee_fen = models.PositiveIntegerField(_("送餐费（分）"), default=0)
    paid_fen = models.PositiveIntegerField(_("自付（分）"))
    subsidised = models.BooleanField(_("享受补贴"), default=False)
    rule_table = models.ForeignKey(SubsidyTable, null=True, blank=True, on_delete=models.PROTECT, related_name="orders")
    rule = models.ForeignKey(SubsidyRule, null=True, blank=True, on_delete=models.PROTECT, related_name="orders")
    status_code = models.SlugField(_("适用身份"), max_length=32, blank=True)
    age = models.PositiveSmallIntegerField(_("就餐时年龄"))
    delivery = models.BooleanField(_("送餐"), default=False)
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.ORDERED)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    delivered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("订餐")
        verbose_name_plural = verbose_name
        ordering = ["-day", "period__sort", "id"]
        indexes = [
            models.Index(fields=["canteen", "day", "state"], name="canteen_order_day"),
            models.Index(fields=["resident", "created_at"], name="canteen_order_person"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "period", "day"],
                condition=Q(subsidised=True) & ~Q(state="cancelled"),
                name="canteen_one_subsidised_meal_per_period",
            ),
            models.CheckConstraint(condition=Q(paid_fen=F("price_fen") - F("subsidy_fen") + F("delivery_fee_fen")), name="canteen_paid_adds_up"),
            models.CheckConstraint(condition=Q(subsidy_fen__lte=F("price_fen")), name="canteen_subsidy_within_price"),
            models.CheckConstraint(
                condition=(Q(subsidised=True) & Q(subsidy_fen__gt=0) & Q(rule__isnull=False))
                | (Q(subsidised=False) & Q(subsidy_fen=0)),
                name="canteen_subsidy_has_rule",
            ),
            models.CheckConstraint(condition=~Q(channel="family") | Q(proxy__isnull=False), name="canteen_family_order_has_proxy"),
            models.CheckConstraint(condition=~Q(state="delivered") | Q(delivery=True), name="canteen_delivered_only_if_delivery"),
        ]

    def __str__(self):
        return f"{self.day} {self.period} #{self.pk}"


class OrderEvent(ChainedEvent):
    subject_field = "order"
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="events")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["order", "seq"], name="canteen_order_event_seq")]


class Claim(models.Model):
    """The monthly subsidy claim of a canteen to civil affairs: totals and the hash of its lines."""

    canteen = models.ForeignKey(Canteen, on_delete=models.PROTECT, related_name="claims")
    month = models.DateField(_("月份"), help_text=_("该月 1 日"))
    lines = models.PositiveIntegerField(_("笔数"))
    price_total_fen = models.PositiveBigIntegerField(_("餐价合计（分）"))
    subsidy_total_fen = models.PositiveBigIntegerField(_("补贴合计（分）"))
    sha256 = models.CharField(_("文件哈希"), max_length=64)
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    generated_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("补贴申领")
        verbose_name_plural = verbose_name
        ordering = ["-month", "-generated_at"]

    def __str__(self):
        return f"{self.canteen_id} · {self.month:%Y-%m}"
