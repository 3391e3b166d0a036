"""议事: meetings (小楼议事, 居民议事, 协调议事), their agenda, invitations with each party's
reply, sign-in, polls, minutes, and decisions whose action items become tracked work.

Every invariant that a concurrent request could break is a database constraint: one
sign-in per person per meeting, one ballot per attendee per poll, one invitation per party,
a 小楼议事 always names its estate, a meeting ends after it starts.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_

from liulin.core import clock
from liulin.core.chain import ChainedEvent


class Kind(models.TextChoices):
    BUILDING = "building", _("小楼议事")
    RESIDENTS = "residents", _("居民议事")
    COORDINATION = "coordination", _("协调议事")


class State(models.TextChoices):
    DRAFT = "draft", _("筹备中")
    NOTICED = "noticed", _("已通知")
    IN_SESSION = "in_session", _("进行中")
    HELD = "held", _("已召开")
    CANCELLED = "cancelled", _("已取消")


class MinutesState(models.TextChoices):
    DRAFT = "draft", _("纪要草稿")
    AMENDING = "amending", _("征求修改")
    FINAL = "final", _("纪要定稿")


def new_token():
    return secrets.token_urlsafe(16)


class Meeting(models.Model):
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("议题"), max_length=80)
    community = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    estate = models.ForeignKey("territory.Estate", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("小区"))
    building = models.ForeignKey("territory.Building", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("楼栋"))
    venue = models.ForeignKey("territory.Facility", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("地点"))
    place = models.CharField(_("地点说明"), max_length=64, blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    quorum = models.PositiveSmallIntegerField(_("法定人数"), default=1,
                                              help_text=_("签到的表决人数达到此数，方可表决和形成决定"))
    chair = models.CharField(_("主持人"), max_length=32, blank=True)
    convener = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("召集人"))
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.DRAFT)
    minutes = models.TextField(_("会议纪要"), blank=True)
    minutes_state = models.CharField(_("纪要状态"), max_length=16, choices=MinutesState.choices, default=MinutesState.DRAFT)
    minutes_hash = models.CharField(_("纪要定稿指纹"), max_length=64, blank=True)
    sign_in_token = models.CharField(max_length=32, default=new_token, editable=False)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("议事会议")
        verbose_name_plural = verbose_name
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["community", "-starts_at"]), models.Index(fields=["estate", "-starts_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="deliberation_meeting_ends_after_start"),
            models.CheckConstraint(condition=Q(quorum__gte=1), name="deliberation_meeting_quorum_positive"),
            models.CheckConstraint(condition=~Q(kind="building") | Q(estate__isnull=False),
                                   name="deliberation_building_meeting_has_estate"),
            models.CheckConstraint(condition=Q(state__in=State.values), name="deliberation_meeting_state_valid"),
            models.CheckConstraint(condition=Q(minutes_state__in=MinutesState.values), name="deliberation_minutes_state_valid"),
            models.CheckConstraint(condition=~Q(minutes_state="final") | ~Q(minutes_hash=""),
                                   name="deliberation_final_minutes_hashed"),
        ]

    def __str__(self):
        return self.title


class MeetingEvent(ChainedEvent):
    """A step of a meeting (and of its polls, decisions and action items), hash-chained per meeting."""

    subject_field = "meeting"
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="events")

    class Meta:
        ordering = ["meeting", "seq"]
        constraints = [models.UniqueConstraint(fields=["meeting", "seq"], name="deliberation_event_seq_unique")]


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField(_("顺序"))
    title = models.CharField(_("事项"), max_length=80)
    owner = models.CharField(_("负责人"), max_length=32, blank=True)
    minutes = models.PositiveSmallIntegerField(_("时长（分钟）"), default=15)
    work_order_number = models.CharField(_("相关工单"), max_length=32, blank=True)
    earlier_decision = models.ForeignKey("Decision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                         verbose_name=_("相关决定"))

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "position"], name="deliberation_agenda_position_unique"),
            models.CheckConstraint(condition=Q(minutes__gte=1) & Q(minutes__lte=480), name="deliberation_agenda_minutes_range"),
        ]

    def __str__(self):
        return self.title


class Rsvp(models.TextChoices):
    PENDING = "pending", _("待回复")
    ACCEPTED = "accepted", _("参加")
    DECLINED = "declined", _("不参加")


class Invitation(models.Model):
    """One invited party: an organisation (owners' committee, property company, enterprise,
    department, partner unit) with its own reply and representative."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    org = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("受邀单位"))
    rsvp = models.CharField(_("回复"), max_length=16, choices=Rsvp.choices, default=Rsvp.PENDING)
    representative = models.CharField(_("出席代表"), max_length=32, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["meeting", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "org"], name="deliberation_one_invitation_per_party"),
            models.CheckConstraint(condition=Q(rsvp__in=Rsvp.values), name="deliberation_rsvp_valid"),
        ]

    def __str__(self):
        return f"{self.meeting_id}:{self.org_id}"


class Capacity(models.TextChoices):
    VOTER = "voter", _("参会表决")
    OBSERVER = "observer", _("列席（不表决）")


class Via(models.TextChoices):
    QR = "qr", _("扫码签到")
    STAFF = "staff", _("工作人员代签")


class Attendance(models.Model):
    """One person signed in to one meeting: by himself (QR code) or by staff for an elder
    without a phone. A person is his resident record when he has one, else his account."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    resident = models.ForeignKey("people.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("姓名"), max_length=32)
    capacity = models.CharField(_("身份"), max_length=16, choices=Capacity.choices, default=Capacity.VOTER)
    via = models.CharField(_("方式"), max_length=16, choices=Via.choices)
    signed_at = models.DateTimeField(default=clock.now)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["meeting", "signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "resident"], condition=Q(resident__isnull=False),
                                    name="deliberation_one_sign_in_per_resident"),
            models.UniqueConstraint(fields=["meeting", "user"], condition=Q(user__isnull=False),
                                    name="deliberation_one_sign_in_per_user"),
            models.CheckConstraint(condition=Q(resident__isnull=False) | Q(user__isnull=False),
                                   name="deliberation_attendance_names_someone"),
            models.CheckConstraint(condition=Q(capacity__in=Capacity.values), name="deliberation_capacity_valid"),
        ]

    def __str__(self):
        return self.name


class PollKind(models.TextChoices):
    STANCE = "stance", _("赞成/弃权/反对")
    SINGLE = "single", _("单选")
    MULTIPLE = "multiple", _("多选")


class PollState(models.TextChoices):
    OPEN = "open", _("表决中")
    CLOSED = "closed", _("已结束")


# Stored as written (the options are the poll's data); marked so the words have an English entry.
STANCE_OPTIONS = (N_("赞成"), N_("弃权"), N_("反对"))


class Poll(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="polls")
    question = models.CharField(_("表决事项"), max_length=120)
    kind = models.CharField(_("方式"), max_length=16, choices=PollKind.choices, default=PollKind.STANCE)
    max_choices = models.PositiveSmallIntegerField(_("最多可选"), default=1)
    hide_results = models.BooleanField(_("结束前不公布结果"), default=True)
    state = models.CharField(_("状态"), max_length=16, choices=PollState.choices, default=PollState.OPEN)
    opened_at = models.DateTimeField(default=clock.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["meeting", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(max_choices__gte=1), name="deliberation_poll_max_choices_positive"),
            models.CheckConstraint(condition=~Q(kind__in=["stance", "single"]) | Q(max_choices=1),
                                   name="deliberation_single_poll_one_choice"),
            models.CheckConstraint(condition=Q(state="open", closed_at__isnull=True) | Q(state="closed", closed_at__isnull=False),
                                   name="deliberation_poll_closed_at_matches_state"),
        ]

    def __str__(self):
        return self.question


class PollOption(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField()
    label = models.CharField(_("选项"), max_length=60)

    class Meta:
        ordering = ["poll", "position"]
        constraints = [models.UniqueConstraint(fields=["poll", "position"], name="deliberation_option_position_unique")]

    def __str__(self):
        return self.label


class Ballot(models.Model):
    """One attendee's ballot in one poll; its choices beside it. Who chose what is never shown:
    results are counts."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="ballots")
    attendance = models.ForeignKey(Attendance, on_delete=models.PROTECT, related_name="ballots")
    cast_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["poll", "attendance"], name="deliberation_one_ballot_per_attendee")]

    def __str__(self):
        return f"{self.poll_id}:{self.attendance_id}"


class BallotChoice(models.Model):
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="choices")
    option = models.ForeignKey(PollOption, on_delete=models.PROTECT, related_name="choices")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ballot", "option"], name="deliberation_choice_once")]

    def __str__(self):
        return f"{self.ballot_id}:{self.option_id}"


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions")
    text = models.TextField(_("决定内容"))
    poll = models.ForeignKey(Poll, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("依据表决"))
    voters_present = models.PositiveSmallIntegerField(_("到会表决人数"))
    decided_at = models.DateTimeField(default=clock.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["meeting", "pk"]

    def __str__(self):
        return self.text[:40]


class ItemState(models.TextChoices):
    OPEN = "open", _("待落实")
    ORDERED = "ordered", _("已转工单")
    DONE = "done", _("已办结")
    DROPPED = "dropped", _("已撤销")


class ActionItem(models.Model):
    """What a decision makes someone do: an owner, a due date, how the result is accepted, a
    review date; filed as a 雷锋哨 work order in one step, whose outcome comes back here."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="action_items")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="action_items")
    title = models.CharField(_("事项"), max_length=80)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("责任人"))
    owner_org = models.ForeignKey("orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("责任单位"))
    due_date = models.DateField(_("完成期限"))
    acceptance = models.CharField(_("验收标准"), max_length=200)
    review_date = models.DateField(_("回顾日期"))
    building = models.ForeignKey("territory.Building", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("地点楼栋"))
    state = models.CharField(_("状态"), max_length=16, choices=ItemState.choices, default=ItemState.OPEN)
    work_order_id = models.PositiveBigIntegerField(null=True, blank=True, unique=True)
    work_order_number = models.CharField(_("工单号"), max_length=32, blank=True)
    work_order_state = models.CharField(_("工单状态"), max_length=32, blank=True)
    result = models.CharField(_("落实情况"), max_length=200, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    review_reminded_on = models.DateField(null=True, blank=True)
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["state", "due_date"])]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=ItemState.values), name="deliberation_item_state_valid"),
            models.CheckConstraint(condition=Q(review_date__lte=models.F("due_date")), name="deliberation_review_by_due"),
            models.CheckConstraint(condition=~Q(state="ordered") | Q(work_order_id__isnull=False),
                                   name="deliberation_ordered_item_has_order"),
            models.CheckConstraint(condition=~Q(state="done") | Q(done_at__isnull=False), name="deliberation_done_item_dated"),
        ]

    def __str__(self):
        return self.title


class Amendment(models.Model):
    """A change to the draft minutes proposed by someone who signed in, while amendments are open."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="amendments")
    attendance = models.ForeignKey(Attendance, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("修改意见"))
    at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["meeting", "at", "pk"]

    def __str__(self):
        return self.text[:40]


# --- 四议两公开 -------------------------------------------------------------------------------


class MatterState(models.TextChoices):
    PROPOSED = "proposed", _("党组织已提议")
    DISCUSSED = "discussed", _("两委已商议")
    REVIEWED = "reviewed", _("党员大会已审议")
    RESOLVED = "resolved", _("居民会议已决议")
    PUBLICISED = "publicised", _("决议公开中")
    IMPLEMENTING = "implementing", _("实施中")
    CLOSED = "closed", _("结果已公开")
    REJECTED = "rejected", _("未通过")


class Stage(models.TextChoices):
    PROPOSE = "propose", _("党组织提议")
    DISCUSS = "discuss", _("两委商议")
    REVIEW = "review", _("党员大会审议")
    RESOLVE = "resolve", _("居民(代表)会议决议")


class MajorMatter(models.Model):
    """A major matter of the community under 四议两公开: four stages, each gating the next and
    storing its vote, then the decision published in the 公示栏 (`notice_id`, through
    core.publication: the notices app keeps its period and objections), and the implementation
    result published before it closes."""

    community = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    title = models.CharField(_("事项"), max_length=80)
    description = models.TextField(_("说明"))
    state = models.CharField(_("状态"), max_length=16, choices=MatterState.choices, default=MatterState.PROPOSED)
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("居民会议"))
    publicised_at = models.DateTimeField(null=True, blank=True)
    notice_id = models.PositiveBigIntegerField(_("公示"), null=True, blank=True)
    result = models.TextField(_("实施结果"), blank=True)
    result_published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("四议两公开事项")
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=MatterState.values), name="deliberation_matter_state_valid"),
            models.CheckConstraint(condition=Q(notice_id__isnull=True) | Q(publicised_at__isnull=False),
                                   name="deliberation_notice_when_publicised"),
            models.CheckConstraint(condition=~Q(state="closed") | (Q(result_published_at__isnull=False) & ~Q(result="")),
                                   name="deliberation_closed_matter_has_result"),
        ]

    def __str__(self):
        return self.title


class MatterEvent(ChainedEvent):
    subject_field = "matter"
    matter = models.ForeignKey(MajorMatter, on_delete=models.PROTECT, related_name="events")

    class Meta:
        ordering = ["matter", "seq"]
        constraints = [models.UniqueConstraint(fields=["matter", "seq"], name="deliberation_matter_event_seq_unique")]


class StageVote(models.Model):
    """The vote of one stage: how many were due, present, for, against, abstaining."""

    matter = models.ForeignKey(MajorMatter, on_delete=models.PROTECT, related_name="votes")
    stage = models.CharField(_("环节"), max_length=16, choices=Stage.choices)
    due = models.PositiveIntegerField(_("应到人数"))
    present = models.PositiveIntegerField(_("实到人数"))
    in_favour = models.PositiveIntegerField(_("赞成"))
    against = models.PositiveIntegerField(_("反对"))
    abstain = models.PositiveIntegerField(_("弃权"))
    passed = models.BooleanField(_("通过"))
    held_on = models.DateField(_("日期"))
    notes = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        ordering = ["matter", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["matter", "stage"], name="deliberation_one_vote_per_stage"),
            models.CheckConstraint(condition=Q(present__lte=models.F("due")) & Q(due__gte=1), name="deliberation_present_within_due"),
            models.CheckConstraint(condition=Q(in_favour__lte=models.F("present") - models.F("against") - models.F("abstain")),
                                   name="deliberation_votes_within_present"),
        ]

    def __str__(self):
        return f"{self.matter_id}:{self.stage}"


# --- 人民调解 ---------------------------------------------------------------------------------


class CaseState(models.TextChoices):
    ACCEPTED = "accepted", _("已受理")
    MEDIATING = "mediating", _("调解中")
    AGREED = "agreed", _("已达成协议")
    SIGNED = "signed", _("协议已签署")
    CLOSED = "closed", _("已结案")
    FAILED = "failed", _("调解不成")
    WITHDRAWN = "withdrawn", _("已撤回")


class DisputeType(models.TextChoices):
    NEIGHBOUR = "neighbour", _("邻里纠纷")
    FAMILY = "family", _("婚姻家庭纠纷")
    PROPERTY = "property", _("物业纠纷")
    HOUSING = "housing", _("房屋纠纷")
    DAMAGES = "damages", _("损害赔偿纠纷")
    OTHER = "other", _("其他纠纷")


class CaseSource(models.TextChoices):
    APPLICATION = "application", _("当事人申请")
    INITIATIVE = "initiative", _("主动调解")
    REFERRAL = "referral", _("工单转来")


class Performance(models.TextChoices):
    PENDING = "pending", _("待履行")
    PERFORMED = "performed", _("已履行")
    PARTLY = "partly", _("部分履行")
    NOT_PERFORMED = "not_performed", _("未履行")


class MediationCase(models.Model):
    """A 人民调解 case. The agreement's fields are those of 人民调解法 art. 29: the parties
    (MediationParty), the facts and the dispute, the terms agreed, and the manner and time
    of performance."""

    community = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    estate = models.ForeignKey("territory.Estate", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("小区"))
    dispute_type = models.CharField(_("纠纷类型"), max_length=16, choices=DisputeType.choices)
    source = models.CharField(_("来源"), max_length=16, choices=CaseSource.choices)
    work_order_number = models.CharField(_("来源工单"), max_length=32, blank=True)
    summary = models.TextField(_("纠纷简况"))
    mediator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("调解员"))
    state = models.CharField(_("状态"), max_length=16, choices=CaseState.choices, default=CaseState.ACCEPTED)
    accepted_at = models.DateTimeField(_("受理时间"), default=clock.now)
    due_at = models.DateTimeField(_("调解期限"))
    facts = models.TextField(_("纠纷的主要事实、争议事项"), blank=True)
    terms = models.TextField(_("达成协议的内容"), blank=True)
    performance_manner = models.CharField(_("履行方式"), max_length=200, blank=True)
    performance_deadline = models.DateField(_("履行期限"), null=True, blank=True)
    agreed_at = models.DateTimeField(null=True, blank=True)
    signed_on = models.DateField(_("协议生效日"), null=True, blank=True)
    confirmation_reminded = models.BooleanField(default=False)
    performance = models.CharField(_("履行情况"), max_length=16, choices=Performance.choices, default=Performance.PENDING)
    closed_at = models.DateTimeField(null=True, blank=True)
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("人民调解案件")
        verbose_name_plural = verbose_name
        ordering = ["-accepted_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=CaseState.values), name="deliberation_case_state_valid"),
            models.CheckConstraint(condition=Q(due_at__gt=models.F("accepted_at")), name="deliberation_case_due_after_accepted"),
            models.CheckConstraint(condition=~Q(source="referral") | ~Q(work_order_number=""),
                                   name="deliberation_referral_names_order"),
            models.CheckConstraint(
                condition=Q(state__in=["accepted", "mediating", "failed", "withdrawn"])
                | (~Q(facts="") & ~Q(terms="") & ~Q(performance_manner="") & Q(performance_deadline__isnull=False)),
                name="deliberation_agreement_complete"),
            models.CheckConstraint(condition=~Q(state__in=["signed", "closed"]) | Q(signed_on__isnull=False),
                                   name="deliberation_signed_case_dated"),
        ]

    def __str__(self):
        return self.get_dispute_type_display()


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    RESPONDENT = "respondent", _("被申请人")


class MediationParty(models.Model):
    case = models.ForeignKey(MediationCase, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("身份"), max_length=16, choices=PartyRole.choices)
    name = models.CharField(_("姓名或名称"), max_length=64)
    resident = models.ForeignKey("people.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(_("签字时间"), null=True, blank=True)

    class Meta:
        ordering = ["case", "role", "pk"]
        constraints = [models.UniqueConstraint(fields=["case", "name"], name="deliberation_party_once_per_case")]

    def __str__(self):
        return self.name


class MediationStep(models.Model):
    """A session (调解) or a follow-up visit (回访) with the performance it found."""

    class Kind(models.TextChoices):
        SESSION = "session", _("调解")
        FOLLOW_UP = "follow_up", _("回访")

    case = models.ForeignKey(MediationCase, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    held_at = models.DateTimeField(default=clock.now)
    notes = models.TextField(_("记录"))
    performance = models.CharField(_("履行情况"), max_length=16, choices=Performance.choices, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["case", "held_at", "pk"]

    def __str__(self):
        return self.notes[:40]


class CaseEvent(ChainedEvent):
    subject_field = "case"
    case = models.ForeignKey(MediationCase, on_delete=models.PROTECT, related_name="events")

    class Meta:
        ordering = ["case", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="deliberation_case_event_seq_unique")]


# --- 业主委员会: terms, 备案, committee meetings and their decisions ------------------------


class TermState(models.TextChoices):
    ELECTED = "elected", _("待备案")
    FILED = "filed", _("已备案")


class CommitteeTerm(models.Model):
    """One term (届) of an estate's owners' committee: 5 to 11 members, an odd number
    (业主大会和业主委员会指导规则), at most five years, filed (备案) within 30 days
    of the election."""

    committee = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("业主委员会"))
    community = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    number = models.PositiveSmallIntegerField(_("届次"))
    elected_on = models.DateField(_("选举日期"))
    starts_on = models.DateField(_("任期开始"))
    ends_on = models.DateField(_("任期届满"))
    members = models.PositiveSmallIntegerField(_("委员人数"))
    state = models.CharField(_("状态"), max_length=16, choices=TermState.choices, default=TermState.ELECTED)
    filed_on = models.DateField(_("备案日期"), null=True, blank=True)
    filing_reference = models.CharField(_("备案回执号"), max_length=64, blank=True)
    expiry_alerted = models.BooleanField(default=False)
    filing_alerted = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("业主委员会任期")
        verbose_name_plural = verbose_name
        ordering = ["committee_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "number"], name="deliberation_term_number_unique"),
            models.CheckConstraint(condition=Q(members__in=[5, 7, 9, 11]), name="deliberation_committee_5_to_11_odd"),
            models.CheckConstraint(condition=Q(ends_on__gt=models.F("starts_on")), name="deliberation_term_ends_after_start"),
            models.CheckConstraint(condition=Q(starts_on__gte=models.F("elected_on")), name="deliberation_term_starts_on_election"),
            models.CheckConstraint(condition=Q(state__in=TermState.values), name="deliberation_term_state_valid"),
            models.CheckConstraint(condition=Q(state="elected", filed_on__isnull=True)
                                   | Q(state="filed", filed_on__isnull=False, filed_on__gte=models.F("elected_on")),
                                   name="deliberation_filed_term_dated"),
        ]

    def __str__(self):
        return f"{self.committee} 第{self.number}届"


class SeatRole(models.TextChoices):
    CHAIR = "chair", _("主任")
    VICE_CHAIR = "vice_chair", _("副主任")
    MEMBER = "member", _("委员")


class CommitteeSeat(models.Model):
    term = models.ForeignKey(CommitteeTerm, on_delete=models.CASCADE, related_name="seats")
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+", verbose_name=_("委员"))
    name = models.CharField(_("姓名"), max_length=64)
    role = models.CharField(_("职务"), max_length=16, choices=SeatRole.choices, default=SeatRole.MEMBER)
    is_party_member = models.BooleanField(_("党员"), default=False)

    class Meta:
        ordering = ["term", "role", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["term", "resident"], name="deliberation_seat_once_per_term"),
            models.UniqueConstraint(fields=["term"], condition=Q(role="chair"), name="deliberation_one_chair_per_term"),
            models.CheckConstraint(condition=Q(role__in=SeatRole.values), name="deliberation_seat_role_valid"),
        ]

    def __str__(self):
        return self.name


class CommitteeMeeting(models.Model):
    """A meeting of the committee's members. Only seats of the term sign in, each for
    himself (no proxies); more than half of all members present (指导规则)."""

    term = models.ForeignKey(CommitteeTerm, on_delete=models.PROTECT, related_name="meetings")
    held_at = models.DateTimeField(_("会议时间"))
    topic = models.CharField(_("议题"), max_length=200)
    members = models.PositiveSmallIntegerField()
    present = models.PositiveSmallIntegerField(_("出席委员"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-held_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(present__gt=models.F("members") / 2) & Q(present__lte=models.F("members")),
                                   name="deliberation_committee_majority_present"),
        ]

    def __str__(self):
        return self.topic


class CommitteeAttendance(models.Model):
    meeting = models.ForeignKey(CommitteeMeeting, on_delete=models.CASCADE, related_name="attendances")
    seat = models.ForeignKey(CommitteeSeat, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "seat"], name="deliberation_committee_attends_once")]

    def __str__(self):
        return f"{self.meeting_id}:{self.seat_id}"


class DecisionState(models.TextChoices):
    RECORDED = "recorded", _("待公布")
    PUBLISHED = "published", _("已公布")
    REJECTED = "rejected", _("未通过")


class CommitteeDecision(models.Model):
    """A motion put to a committee meeting. It passes with more than half of ALL members in
    favour (not of those present) and is then published within 3 days (指导规则)."""

    meeting = models.ForeignKey(CommitteeMeeting, on_delete=models.PROTECT, related_name="decisions")
    text = models.TextField(_("决定事项"))
    members = models.PositiveSmallIntegerField()
    in_favour = models.PositiveSmallIntegerField(_("同意"))
    against = models.PositiveSmallIntegerField(_("反对"))
    abstain = models.PositiveSmallIntegerField(_("弃权"))
    state = models.CharField(_("状态"), max_length=16, choices=DecisionState.choices)
    decided_on = models.DateField(_("作出日期"))
    publish_by = models.DateField(_("公布期限"))
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    # The decision's 公告 in the 公示栏 (core.publication, notice kind owners_decision): the
    # notices app keeps its period and the owners' objections.
    notice_id = models.PositiveBigIntegerField(_("公告"), null=True, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-decided_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=DecisionState.values), name="deliberation_decision_state_valid"),
            models.CheckConstraint(condition=Q(in_favour__lte=models.F("members") - models.F("against") - models.F("abstain")),
                                   name="deliberation_committee_votes_within_members"),
            models.CheckConstraint(condition=~Q(state="rejected") | Q(in_favour__lte=models.F("members") / 2),
                                   name="deliberation_rejected_lacks_majority"),
            models.CheckConstraint(condition=Q(state="rejected") | Q(in_favour__gt=models.F("members") / 2),
                                   name="deliberation_decision_majority_of_all"),
            models.CheckConstraint(condition=~Q(state="published") | Q(published_at__isnull=False),
                                   name="deliberation_published_decision_dated"),
            models.CheckConstraint(condition=Q(notice_id__isnull=True) | Q(state="published"),
                                   name="deliberation_decision_notice_when_published"),
        ]

    def __str__(self):
        return self.text[:40]


class CommitteeVote(models.Model):
    """Each present member's own vote: one per seat per decision, only from an attendance."""

    class Choice(models.TextChoices):
        FOR = "for", _("同意")
        AGAINST = "against", _("反对")
        ABSTAIN = "abstain", _("弃权")

    decision = models.ForeignKey(CommitteeDecision, on_delete=models.CASCADE, related_name="votes")
    attendance = models.ForeignKey(CommitteeAttendance, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(max_length=8, choices=Choice.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["decision", "attendance"], name="deliberation_committee_one_vote"),
            models.CheckConstraint(condition=Q(choice__in=["for", "against", "abstain"]), name="deliberation_committee_vote_valid"),
        ]

    def __str__(self):
        return self.choice


class CommitteeEvent(ChainedEvent):
    subject_field = "term"
    term = models.ForeignKey(CommitteeTerm, on_delete=models.PROTECT, related_name="events")

    class Meta:
        ordering = ["term", "seq"]
        constraints = [models.UniqueConstraint(fields=["term", "seq"], name="deliberation_committee_event_seq_unique")]
