"""Residents and their households' people.

ID numbers are never stored in the clear: `id_cipher` holds the Fernet token, `id_hash` a
keyed HMAC for exact lookup and uniqueness, `id_masked` the masked form
(4301*************X, no more than is shown) displayed by default. Writes
go through people.services, which fills all three from one plain value.
"""

from django.db import models

from liulin.core import clock
from liulin.core.masking import mask_phone


class CareTag(models.Model):
    """A care status a community tracks (独居老人, 低保 ...); configured in admin."""

    code = models.SlugField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=32, unique=True)
    sort = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "关爱标签"
        verbose_name_plural = verbose_name
        ordering = ["sort", "name"]

    def __str__(self):
        return self.name


class Resident(models.Model):
    class Gender(models.TextChoices):
        MALE = "M", "男"
        FEMALE = "F", "女"

    class Relation(models.TextChoices):
        HEAD = "head", "户主"
        SPOUSE = "spouse", "配偶"
        CHILD = "child", "子女"
        PARENT = "parent", "父母"
        GRANDCHILD = "grandchild", "孙子女"
        SIBLING = "sibling", "兄弟姐妹"
        TENANT = "tenant", "租户"
        OTHER = "other", "其他"

    name = models.CharField("姓名", max_length=32, db_index=True)
    name_pinyin = models.CharField(max_length=128, db_index=True, editable=False)
    name_initials = models.CharField(max_length=32, db_index=True, editable=False)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    birth_date = models.DateField("出生日期")
    mobile = models.CharField("手机号", max_length=11, blank=True, db_index=True)
    id_cipher = models.TextField(editable=False, blank=True)
    id_hash = models.CharField(max_length=64, unique=True, null=True, editable=False)
    id_masked = models.CharField("身份证号（脱敏）", max_length=18, blank=True, editable=False)
    household = models.ForeignKey(
        "territory.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="members", verbose_name="住户"
    )
    relation = models.CharField("与户主关系", max_length=16, choices=Relation.choices, default=Relation.HEAD)
    care_tags = models.ManyToManyField(CareTag, blank=True, related_name="residents", verbose_name="关爱标签")
    is_party_member = models.BooleanField("党员", default=False)
    party_branch = models.ForeignKey(
        "orgs.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="party_members",
        limit_choices_to={"kind": "party_branch"},
        verbose_name="所在党支部",
    )
    notes = models.TextField("备注", blank=True)
    is_demo = models.BooleanField("演示数据", default=False)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = "居民"
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
