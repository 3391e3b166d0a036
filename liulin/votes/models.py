"""Owners' votes (业主共同决定, Civil Code art. 278).

The register: each exclusive unit (专有部分) of an estate with its area in square
centimetres (integers, exact) and the owner who holds its vote. An `Owner` is one head of the
headcount (法释〔2009〕7号 art. 9): one person however many units he owns, co-owners of a
unit together (one designated voter), and the developer's unsold units together.

A vote freezes the register into its roll when it opens (the record date): the denominators
never move during a vote, a unit sold meanwhile keeps its roll entry, and its new owner cannot
vote it. One ballot per unit per vote is a unique constraint; every step of the vote is a
link of its hash chain (`VoteEvent`), published after the count so anyone can re-add it.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from liulin.core import clock
from liulin.core.chain import ChainedEvent

from .rules import Matter


class ChannelRule(models.TextChoices):
    ONLINE_PREVAILS = "online_prevails", _("线上投票优先（后到的线上票替换柜台或纸质票）")
    FIRST_PREVAILS = "first_prevails", _("先投者有效（其后任何渠道的票都被拒绝）")


class NonVoterRule(models.TextChoices):
    EXCLUDED = "excluded", _("未参与表决的不计入")
    WITH_MAJORITY = "with_majority", _("未参与表决的计入多数意见（须已送达表决票）")


class EstateRules(models.Model):
    """The settings of an estate's 业主大会议事规则 that the count depends on."""

    estate = models.OneToOneField("territory.Estate", on_delete=models.PROTECT, related_name="vote_rules", verbose_name=_("小区"))
    channel_rule = models.CharField(_("多渠道投票"), max_length=20, choices=ChannelRule.choices, default=ChannelRule.ONLINE_PREVAILS)
    non_voter_rule = models.CharField(_("未表决业主"), max_length=20, choices=NonVoterRule.choices, default=NonVoterRule.EXCLUDED)
    notice_days = models.PositiveSmallIntegerField(_("公告提前天数"), default=15)
    # Lengthens the 公示 of a result beyond its notice kind's period (owners_decision), never shortens it.
    objection_days = models.PositiveSmallIntegerField(_("结果公示天数"), default=7,
                                                      help_text=_("短于公示类别规定的公示期时，按公示类别的期限。"))
    proxy_cap = models.PositiveSmallIntegerField(_("每人最多受托户数"), default=3)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("议事规则")
        verbose_name_plural = verbose_name
        constraints = [models.CheckConstraint(condition=Q(notice_days__gte=15), name="vote_rules_notice_at_least_15_days")]

    def __str__(self):
        return f"{self.estate} · {self._meta.verbose_name}"


class Owner(models.Model):
    """One head of the headcount."""

    class Kind(models.TextChoices):
        PERSON = "person", _("业主")
        CO_OWNERS = "co_owners", _("共有人（指定一人表决）")
        DEVELOPER = "developer", _("建设单位（未售出部分）")

    estate = models.ForeignKey("territory.Estate", on_delete=models.PROTECT, related_name="owners", verbose_name=_("小区"))
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(_("名称"), max_length=64)
    # The register's own number for this owner (from the imported sheet): rows with the same
    # code are one owner, one head.
    code = models.CharField(_("业主编号"), max_length=32, blank=True)
    resident = models.ForeignKey("people.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="ownerships",
                                 verbose_name=_("居民（表决人）"))
    # The bound, real-name account that votes online for this owner.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="ownerships",
                             verbose_name=_("实名账号"))
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("业主")
        verbose_name_plural = verbose_name
        ordering = ["estate_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "resident"], condition=Q(resident__isnull=False), name="owner_one_per_resident"),
            models.UniqueConstraint(fields=["estate", "user"], condition=Q(user__isnull=False), name="owner_one_per_account"),
            models.UniqueConstraint(fields=["estate"], condition=Q(kind="developer"), name="owner_one_developer_per_estate"),
            models.UniqueConstraint(fields=["estate", "code"], condition=~Q(code=""), name="owner_unique_code"),
        ]

    def __str__(self):
        return self.name


class Unit(models.Model):
    """An exclusive part (专有部分) of the estate, with its area in cm²."""

    class Source(models.TextChoices):
        REGISTER = "register", _("不动产登记簿")
        SURVEY = "survey", _("测绘机构实测")
        CONTRACT = "contract", _("房屋买卖合同")

    estate = models.ForeignKey("territory.Estate", on_delete=models.PROTECT, related_name="units", verbose_name=_("小区"))
    household = models.OneToOneField("territory.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="unit",
                                     verbose_name=_("房屋"))
    label = models.CharField(_("房号"), max_length=64)
    area_cm2 = models.PositiveBigIntegerField(_("专有部分面积（平方厘米）"))
    area_source = models.CharField(_("面积来源"), max_length=16, choices=Source.choices, default=Source.REGISTER)
    owner = models.ForeignKey(Owner, on_delete=models.PROTECT, related_name="units", verbose_name=_("业主"))
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("专有部分")
        verbose_name_plural = verbose_name
        ordering = ["estate_id", "label"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "label"], name="unit_unique_label"),
            models.CheckConstraint(condition=Q(area_cm2__gt=0), name="unit_area_positive"),
        ]

    def __str__(self):
        return self.label


class State(models.TextChoices):
    DRAFT = "draft", _("草拟")
    NOTICED = "noticed", _("已公告")
    OPEN = "open", _("投票中")
    CLOSED = "closed", _("已截止")
    COUNTED = "counted", _("已计票")
    PUBLISHED = "published", _("已公示")
    CANCELLED = "cancelled", _("已撤销")


class Vote(models.Model):
    estate = models.ForeignKey("territory.Estate", on_delete=models.PROTECT, related_name="votes", verbose_name=_("小区"))
    committee = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="votes", verbose_name=_("业主委员会"),
                                  limit_choices_to={"kind": "owners_committee"})
    title = models.CharField(_("表决事项"), max_length=120)
    matter = models.PositiveSmallIntegerField(_("事项类型"), choices=Matter.choices)
    description = models.TextField(_("说明"), blank=True)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.DRAFT, db_index=True)
    opens_at = models.DateTimeField(_("投票开始"))
    closes_at = models.DateTimeField(_("投票截止"))
    channel_rule = models.CharField(_("多渠道投票"), max_length=20, choices=ChannelRule.choices, default=ChannelRule.ONLINE_PREVAILS)
    non_voter_rule = models.CharField(_("未表决业主"), max_length=20, choices=NonVoterRule.choices, default=NonVoterRule.EXCLUDED)
    noticed_at = models.DateTimeField(_("公告时间"), null=True, blank=True)
    # The announcement in the 公示栏 (core.publication): a household that read it or got it by
    # SMS or e-mail is served, which the rules' tally of non-voters needs.
    announcement_id = models.PositiveBigIntegerField(_("表决公告"), null=True, blank=True)
    counted_at = models.DateTimeField(_("计票时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)
    # The result's 公示 in the 公示栏 (core.publication): the notices app keeps its period and
    # the owners' objections.
    notice_id = models.PositiveBigIntegerField(_("结果公示"), null=True, blank=True)
    # Frozen when the vote opens (the roll's totals) and when it is counted (the tally).
    total_area_cm2 = models.PositiveBigIntegerField(default=0)
    total_owners = models.PositiveIntegerField(default=0)
    voted_area_cm2 = models.PositiveBigIntegerField(default=0)
    voted_owners = models.PositiveIntegerField(default=0)
    yes_area_cm2 = models.PositiveBigIntegerField(default=0)
    yes_owners = models.PositiveIntegerField(default=0)
    no_area_cm2 = models.PositiveBigIntegerField(default=0)
    no_owners = models.PositiveIntegerField(default=0)
    passed = models.BooleanField(_("通过"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now, editable=False)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("业主表决")
        verbose_name_plural = verbose_name
        ordering = ["-opens_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="vote_closes_after_it_opens"),
            models.CheckConstraint(condition=Q(voted_area_cm2__lte=F("total_area_cm2")), name="vote_voted_area_within_total"),
            models.CheckConstraint(condition=Q(voted_owners__lte=F("total_owners")), name="vote_voted_owners_within_total"),
            models.CheckConstraint(condition=Q(yes_area_cm2__lte=F("voted_area_cm2")) & Q(yes_owners__lte=F("voted_owners")),
                                   name="vote_yes_within_voted"),
            models.CheckConstraint(condition=Q(notice_id__isnull=True) | Q(published_at__isnull=False),
                                   name="vote_notice_when_published"),
        ]

    def __str__(self):
        return self.title


class RollEntry(models.Model):
    """A unit on a vote's roll, frozen when the vote opens."""

    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="roll")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(Owner, on_delete=models.PROTECT, related_name="roll_entries")
    label = models.CharField(max_length=64)
    area_cm2 = models.PositiveBigIntegerField()
    # Service of the ballot to this owner (notification delivered or a signed paper receipt):
    # needed before a non-voter may be counted with the majority.
    served_at = models.DateTimeField(null=True, blank=True)
    served_how = models.CharField(max_length=32, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vote", "unit"], name="roll_one_entry_per_unit"),
            models.CheckConstraint(condition=Q(area_cm2__gt=0), name="roll_area_positive"),
        ]
        indexes = [models.Index(fields=["vote", "owner"], name="roll_vote_owner")]

    def __str__(self):
        return f"{self.vote_id} · {self.label}"


class Choice(models.TextChoices):
    YES = "yes", _("同意")
    NO = "no", _("反对")
    ABSTAIN = "abstain", _("弃权")


class Channel(models.TextChoices):
    ONLINE = "online", _("线上")
    COUNTER = "counter", _("柜台")
    PAPER = "paper", _("纸质")


class Ballot(models.Model):
    """The one counted ballot of a unit in a vote."""

    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="ballots")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="ballots")
    owner = models.ForeignKey(Owner, on_delete=models.PROTECT, related_name="ballots")
    area_cm2 = models.PositiveBigIntegerField()
    choice = models.CharField(max_length=8, choices=Choice.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    # Who put it in: the owner himself online, the staff member at the counter, the staff
    # member who entered the second, matching copy of a paper ballot.
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    # Cast online by the owner's registered proxy; the owner's own online ballot replaces it.
    via_proxy = models.BooleanField(default=False)
    receipt_hash = models.CharField(max_length=64, db_index=True)
    cast_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vote", "unit"], name="ballot_one_per_unit_per_vote")]
        indexes = [models.Index(fields=["vote", "owner"], name="ballot_vote_owner")]

    def __str__(self):
        return f"{self.vote_id} · {self.unit_id} · {self.choice}"


class PaperEntry(models.Model):
    """One staff member's typing of one paper ballot (an owner's sheet, covering all his units
    on the roll). Two entries by two people that agree make the ballot; entries that disagree
    wait for a third person who reads the sheet."""

    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="paper_entries")
    owner = models.ForeignKey(Owner, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(max_length=8, choices=Choice.choices)
    receipt_hash = models.CharField(max_length=64)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            # Nobody enters the same sheet twice: the second copy is always someone else's.
            models.UniqueConstraint(fields=["vote", "owner", "entered_by"], name="paper_entry_once_per_person"),
        ]
        indexes = [models.Index(fields=["vote", "owner"], name="paper_entry_vote_owner")]

    def __str__(self):
        return f"{self.vote_id} · {self.owner_id} · {self.entered_by_id}"


class Proxy(models.Model):
    """A written proxy (委托书): the owner lets `holder` (a family member with an account)
    vote for him in this vote. Uploaded by staff, revocable by the owner or staff; one active
    proxy per owner per vote (a unique constraint), at most the estate's cap per holder."""

    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="proxies")
    owner = models.ForeignKey(Owner, on_delete=models.PROTECT, related_name="proxies")
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proxies_held")
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=clock.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("表决委托")
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["vote", "owner"], condition=Q(revoked_at__isnull=True), name="proxy_one_active_per_owner"),
        ]
        indexes = [models.Index(fields=["vote", "holder"], name="proxy_vote_holder")]

    def __str__(self):
        return f"{self.vote_id} · {self.owner_id} → {self.holder_id}"


class VoteEvent(ChainedEvent):
    """A link of the vote's public chain: its steps and every ballot cast or replaced."""

    subject_field = "vote"
    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="events")

    class Meta:
        ordering = ["vote_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["vote", "seq"], name="vote_event_unique_seq")]
