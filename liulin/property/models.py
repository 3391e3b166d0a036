"""物业监督: the property company's service contract and its scope per estate, the owners'
annual satisfaction survey by dimension against a target, and the 物业监督员 who inspect the
contract's scope, a failed item becoming a work order (core.workorders).

Invariants the database keeps:
- a contract's term ends after it starts; its fee is non-negative fen per m² per month;
  one contract per estate starting on one day;
- one survey per estate and year; its target is 1..100 %;
- one response per household per survey (a unique constraint: two taps at once leave one),
  one answer per response and dimension, a score 1..5 (five-point) or 0/1 (satisfied or not);
- one appointment of a person as supervisor of an estate while it lasts.

docs/property.md has the rules, numbers and sources.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from liulin.core.chain import ChainedEvent


class ServiceContract(models.Model):
    """The 物业服务合同 between an estate's owners and a property company: its term, fee and
    the items of service it covers (`ScopeItem`), which supervisors inspect."""

    estate = models.ForeignKey("territory.Estate", on_delete=models.PROTECT, related_name="+", verbose_name=_("小区"))
    community = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+", editable=False)
    company = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("物业公司"),
                                limit_choices_to={"kind": "property_company"})
    starts_on = models.DateField(_("合同开始"))
    ends_on = models.DateField(_("合同结束"))
    fee_fen = models.PositiveIntegerField(_("物业费（分/平方米·月）"))
    signed_by = models.CharField(_("签约方"), max_length=60, blank=True, help_text=_("如：业主委员会、建设单位（前期物业）"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("物业服务合同")
        verbose_name_plural = verbose_name
        ordering = ["estate_id", "-starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gt=models.F("starts_on")), name="property_contract_term"),
            models.UniqueConstraint(fields=["estate", "starts_on"], name="property_contract_start"),
        ]

    def __str__(self):
        return f"{self.estate} · {self.company}"

    def save(self, *args, **kwargs):
        if self.estate_id and not self.community_id:
            self.community_id = self.estate.community_id
        super().save(*args, **kwargs)

    def in_force(self, day):
        return self.starts_on <= day <= self.ends_on


class ScopeItem(models.Model):
    """One item of service the contract covers, with its standard: the checklist of an inspection."""

    contract = models.ForeignKey(ServiceContract, on_delete=models.CASCADE, related_name="scope_items")
    dimension = models.CharField(_("类别"), max_length=16, blank=True, help_text=_("对应满意度测评的维度代码，如 cleaning"))
    name = models.CharField(_("服务事项"), max_length=60)
    standard = models.CharField(_("服务标准"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["contract_id", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["contract", "name"], name="property_scope_item_name")]

    def __str__(self):
        return self.name


class Scale(models.TextChoices):
    FIVE = "five", _("五级评分（4 分及以上为满意）")
    YES_NO = "yes_no", _("满意 / 不满意")


class SurveyState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("测评中")
    CLOSED = "closed", _("已截止")
    PUBLISHED = "published", _("已公布")


class Survey(models.Model):
    """The owners' satisfaction survey of one estate's property service for one year."""

    estate = models.ForeignKey("territory.Estate", on_delete=models.PROTECT, related_name="+", verbose_name=_("小区"))
    community = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+", editable=False)
    company = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("物业公司"))
    contract = models.ForeignKey(ServiceContract, null=True, blank=True, on_delete=models.PROTECT, related_name="surveys")
    year = models.PositiveSmallIntegerField(_("年度"))
    scale = models.CharField(_("评分方式"), max_length=8, choices=Scale.choices, default=Scale.FIVE)
    target_pct = models.PositiveSmallIntegerField(_("满意率目标（%）"), default=80)
    state = models.CharField(_("状态"), max_length=12, choices=SurveyState.choices, default=SurveyState.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("物业满意度测评")
        verbose_name_plural = verbose_name
        ordering = ["-year", "estate_id"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "year"], name="property_survey_year"),
            models.CheckConstraint(condition=Q(target_pct__gte=1) & Q(target_pct__lte=100), name="property_survey_target"),
            models.CheckConstraint(condition=Q(year__gte=2000) & Q(year__lte=2100), name="property_survey_year_range"),
        ]

    def __str__(self):
        return f"{self.estate} {self.year}"

    def save(self, *args, **kwargs):
        if self.estate_id and not self.community_id:
            self.community_id = self.estate.community_id
        super().save(*args, **kwargs)


class Dimension(models.Model):
    """A dimension the owners rate (保洁, 秩序维护, 绿化, 维修, 收费): data per survey."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="dimensions")
    code = models.SlugField(max_length=16)
    label = models.CharField(_("维度"), max_length=20)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["survey_id", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["survey", "code"], name="property_dimension_code")]

    def __str__(self):
        return self.label


class Response(models.Model):
    """One household's answer to a survey: one per household, whoever of it answers."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    household = models.ForeignKey("territory.Household", on_delete=models.PROTECT, related_name="+")
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField()
    comment = models.CharField(_("意见建议"), max_length=300, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "household"], name="property_one_response_per_household")]

    def __str__(self):
        return f"{self.survey_id}/{self.household_id}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    dimension = models.ForeignKey(Dimension, on_delete=models.PROTECT, related_name="answers")
    score = models.PositiveSmallIntegerField()
    satisfied = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "dimension"], name="property_answer_once"),
            models.CheckConstraint(condition=Q(score__lte=5), name="property_answer_score"),
        ]

    def __str__(self):
        return f"{self.dimension_id}={self.score}"


class SurveyEvent(ChainedEvent):
    subject_field = "survey"
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="events")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "seq"], name="property_survey_event_seq")]
        ordering = ["survey_id", "seq"]


class Supervisor(models.Model):
    """A resident appointed 物业监督员 of an estate by the community's staff."""

    estate = models.ForeignKey("territory.Estate", on_delete=models.PROTECT, related_name="+", verbose_name=_("小区"))
    community = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+", editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("监督员账号"))
    appointed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    appointed_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("物业监督员")
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["estate", "user"], condition=Q(ended_at__isnull=True),
                                               name="property_supervisor_once")]

    def __str__(self):
        return f"{self.estate_id}/{self.user_id}"

    def save(self, *args, **kwargs):
        if self.estate_id and not self.community_id:
            self.community_id = self.estate.community_id
        super().save(*args, **kwargs)


class Inspection(models.Model):
    """A supervisor's walk of the estate against the contract's scope items."""

    contract = models.ForeignKey(ServiceContract, on_delete=models.PROTECT, related_name="inspections")
    estate = models.ForeignKey("territory.Estate", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+", editable=False)
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    notes = models.CharField(_("备注"), max_length=300, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.estate_id} {self.at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if self.estate_id and not self.community_id:
            self.community_id = self.estate.community_id
        super().save(*args, **kwargs)


class InspectionItem(models.Model):
    """One checklist line of an inspection; a failed line keeps its photos (core.attachments,
    stage "inspection") and the work order filed for it (core.workorders)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="items")
    scope_item = models.ForeignKey(ScopeItem, on_delete=models.PROTECT, related_name="+")
    passed = models.BooleanField()
    note = models.CharField(_("问题说明"), max_length=300, blank=True)
    work_order_id = models.BigIntegerField(null=True, blank=True)
    work_order_number = models.CharField(max_length=32, blank=True)
    work_order_state = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["inspection_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "scope_item"], name="property_inspection_item_once"),
            models.CheckConstraint(condition=Q(passed=True) | ~Q(note=""), name="property_failed_item_has_note"),
        ]

    def __str__(self):
        return str(self.scope_item_id)
