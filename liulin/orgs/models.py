from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from liulin.core import clock


class Organisation(models.Model):
    class Kind(models.TextChoices):
        PROPERTY_COMPANY = "property_company", _("物业公司")
        ENTERPRISE = "enterprise", _("辖区企业")
        DEPARTMENT = "department", _("政府部门")
        PARTNER_UNIT = "partner_unit", _("共建单位")
        OWNERS_COMMITTEE = "owners_committee", _("业主委员会")
        VOLUNTEER_TEAM = "volunteer_team", _("志愿服务队")
        CULTURE_TEAM = "culture_team", _("文体队伍")
        SCHOOL = "school", _("学校")
        PARTY_BRANCH = "party_branch", _("党组织")
        OTHER = "other", _("其他")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=32, choices=Kind.choices, db_index=True)
    community = models.ForeignKey(
        "territory.Area",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
        verbose_name=_("所属/服务区域"),
        help_text=_("社区组织填社区；区级部门可填区或街道"),
    )
    estate = models.ForeignKey(
        "territory.Estate", null=True, blank=True, on_delete=models.PROTECT, related_name="organisations", verbose_name=_("小区")
    )
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("上级组织"))
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    description = models.TextField(_("简介"), blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = verbose_name
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name", "community"], name="org_unique_name"),
            models.CheckConstraint(
                condition=~models.Q(kind="owners_committee") | models.Q(estate__isnull=False),
                name="owners_committee_has_estate",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.kind == self.Kind.OWNERS_COMMITTEE and not self.estate_id:
            raise ValidationError({"estate": _("业主委员会必须属于一个小区。")})


class Membership(models.Model):
    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("组织"))
    resident = models.ForeignKey(
        "people.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("居民")
    )
    user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("账号")
    )
    name = models.CharField(_("姓名"), max_length=32, help_text=_("非本社区居民的成员（如共建单位人员）直接填写"))
    title = models.CharField(_("职务"), max_length=32, blank=True, default="成员")
    is_party_member = models.BooleanField(_("党员"), default=False)
    joined_on = models.DateField(_("加入日期"), default=clock.today)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("成员")
        verbose_name_plural = verbose_name
        ordering = ["org_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "resident"], condition=models.Q(resident__isnull=False), name="membership_unique_resident"
            ),
        ]

    def __str__(self):
        return f"{self.org} · {self.name}"
