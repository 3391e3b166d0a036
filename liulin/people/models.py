"""Residents and their households' people.

ID numbers are never stored in the clear: `id_cipher` holds the Fernet token, `id_hash` a
keyed HMAC for exact lookup and uniqueness, `id_masked` the masked form
(4301*************X, no more than is shown) displayed by default. Writes
go through people.services, which fills all three from one plain value.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from liulin.core import clock
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
