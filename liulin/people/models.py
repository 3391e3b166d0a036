"""Residents and their households' people.

ID numbers are never stored in the clear: `id_cipher` holds the Fernet token, `id_hash` a
keyed HMAC for exact lookup and uniqueness, `id_masked` the masked form
(4301*************X, no more than is shown) displayed by default. Writes
go through people.services, which fills all three from one plain value.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from liulin.core import clock
from liulin.core.chain import ChainedEvent
from liulin.core.masking import mask_phone


class CareTag(models.Model):
    """A care status a community tracks (独居老人, 低保 ...); configured in admin."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=32, unique=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("关爱标签")
        verbose_name_plural = verbose_name
        ordering = ["sort", "name"]

    def __str__(self):
        return self.name


class Resident(models.Model):
    class Gender(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    class Relation(models.TextChoices):
        HEAD = "head", _("户主")
        SPOUSE = "spouse", _("配偶")
        CHILD = "child", _("子女")
        PARENT = "parent", _("父母")
        GRANDCHILD = "grandchild", _("孙子女")
        SIBLING = "sibling", _("兄弟姐妹")
        TENANT = "tenant", _("租户")
        OTHER = "other", _("其他")

    name = models.CharField(_("姓名"), max_length=32, db_index=True)
    name_pinyin = models.CharField(max_length=128, db_index=True, editable=False)
    name_initials = models.CharField(max_length=32, db_index=True, editable=False)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"))
    mobile = models.CharField(_("手机号"), max_length=11, blank=True, db_index=True)
    id_cipher = models.TextField(editable=False, blank=True)
    id_hash = models.CharField(max_length=64, unique=True, null=True, editable=False)
    id_masked = models.CharField(_("身份证号（脱敏）"), max_length=18, blank=True, editable=False)
    household = models.ForeignKey(
        "territory.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="members", verbose_name=_("住户")
    )
    relation = models.CharField(_("与户主关系"), max_length=16, choices=Relation.choices, default=Relation.HEAD)
    care_tags = models.ManyToManyField(CareTag, blank=True, related_name="residents", verbose_name=_("关爱标签"))
    is_party_member = models.BooleanField(_("党员"), default=False)
    party_branch = models.ForeignKey(
        "orgs.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="party_members",
        limit_choices_to={"kind": "party_branch"},
        verbose_name=_("所在党支部"),
    )
    notes = models.TextField(_("备注"), blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("居民")
        verbose_name_plural = verbose_name
        ordering = ["name_pinyin", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(party_branch__isnull=True) | models.Q(is_party_member=True),
                name="resident_branch_only_for_party_members",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def mobile_masked(self):
        return mask_phone(self.mobile)

    @property
    def address(self):
        return self.household.address if self.household_id else ""

    @property
    def age(self):
        today = clock.today()
        b = self.birth_date
        return today.year - b.year - ((today.month, today.day) < (b.month, b.day))


class Proxy(models.Model):
    """A resident's recorded consent that someone acts for her: a family member (by account,
    or by registry record until she has one) or her grid worker, in the services named by its
    scopes (`ProxyScope`), through `valid_until` (inclusive), until revoked. One live consent
    per elder and proxy; to change the scopes or the date a new consent replaces the old one,
    so what was consented to is never rewritten. Every act on her behalf is a `ProxyEvent`."""

    class Relation(models.TextChoices):
        CHILD = "child", _("子女")
        SPOUSE = "spouse", _("配偶")
        GRANDCHILD = "grandchild", _("孙子女")
        SIBLING = "sibling", _("兄弟姐妹")
        RELATIVE = "relative", _("其他亲属")
        GRID_WORKER = "grid_worker", _("网格员")
        OTHER = "other", _("其他")

    class End(models.TextChoices):
        REVOKED = "revoked", _("已撤回")
        REPLACED = "replaced", _("已更新")
        EXPIRED = "expired", _("已到期")

    elder = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="proxies", verbose_name=_("委托人"))
    proxy_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="proxy_consents", verbose_name=_("代办人账号")
    )
    proxy_resident = models.ForeignKey(
        Resident, null=True, blank=True, on_delete=models.PROTECT, related_name="proxy_for", verbose_name=_("代办人（居民档案）")
    )
    relation = models.CharField(_("关系"), max_length=16, choices=Relation.choices)
    valid_until = models.DateField(_("有效期至"))
    consent_proof = models.CharField(_("授权凭证"), max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人"))
    granted_at = models.DateTimeField(_("授权时间"), default=clock.now)
    revoked_at = models.DateTimeField(_("终止时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    end_reason = models.CharField(_("终止原因"), max_length=12, choices=End.choices, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("代办授权")
        verbose_name_plural = verbose_name
        ordering = ["-granted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(proxy_user__isnull=False) | models.Q(proxy_resident__isnull=False), name="people_proxy_names_someone"
            ),
            models.CheckConstraint(condition=~models.Q(proxy_resident=models.F("elder")), name="people_proxy_not_self"),
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True, end_reason="") | models.Q(revoked_at__isnull=False) & ~models.Q(end_reason=""),
                name="people_proxy_end_has_reason",
            ),
            models.UniqueConstraint(
                fields=["elder", "proxy_user"], condition=models.Q(revoked_at__isnull=True, proxy_user__isnull=False),
                name="people_one_live_proxy_per_user",
            ),
            models.UniqueConstraint(
                fields=["elder", "proxy_resident"], condition=models.Q(revoked_at__isnull=True, proxy_resident__isnull=False),
                name="people_one_live_proxy_per_resident",
            ),
        ]

    def __str__(self):
        return f"{self.elder} ← {self.proxy_name}"

    @property
    def proxy_name(self):
        if self.proxy_resident_id:
            return self.proxy_resident.name
        return self.proxy_user.name if self.proxy_user_id else ""

    def live_on(self, day):
        return self.revoked_at is None and day <= self.valid_until

    @property
    def service_codes(self):
        return [s.service for s in self.scopes.all()]

    @property
    def service_labels(self):
        from .proxies import label_of

        return [label_of(code) for code in sorted(self.service_codes)]


class ProxyScope(models.Model):
    """One service a consent covers (a code registered with `people.proxies.register_service`)."""

    proxy = models.ForeignKey(Proxy, on_delete=models.CASCADE, related_name="scopes")
    service = models.SlugField(_("服务"), max_length=32)

    class Meta:
        verbose_name = _("授权范围")
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["proxy", "service"], name="people_proxy_scope_once")]

    def __str__(self):
        return self.service


class ProxyEvent(ChainedEvent):
    """The chained record of a consent: granted, each act on the elder's behalf (service, what
    was done, on which record), revoked. The elder's "who acted for me" and the community's
    audit read these."""

    subject_field = "proxy"
    hashed_fields = ("service", "target_type", "target_id")

    proxy = models.ForeignKey(Proxy, on_delete=models.PROTECT, related_name="events")
    service = models.CharField(max_length=32, blank=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=32, blank=True)

    ACTIONS = {"grant": _("授权"), "act": _("代办"), "revoke": _("撤回"), "end": _("更新或到期")}

    @property
    def action_label(self):
        return self.ACTIONS.get(self.action, self.action)

    @property
    def service_label(self):
        from .proxies import label_of

        return label_of(self.service) if self.service else ""

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["service", "at"], name="people_proxy_event_service")]
        constraints = [models.UniqueConstraint(fields=["proxy", "seq"], name="people_proxy_event_seq")]
