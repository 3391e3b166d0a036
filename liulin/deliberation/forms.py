import re

from django import forms
from django.utils.translation import gettext_lazy as _

from liulin.core import workorders

from .models import Capacity, CaseSource, DisputeType, Kind, Performance, PollKind, Rsvp

# An agenda line's fourth part naming an earlier decision rather than a work order: 决定#12.
EARLIER_DECISION = re.compile(r"(?:决定)?\s*[#＃]\s*(\d{1,9})")


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("议事类型"), choices=Kind.choices)
    title = forms.CharField(label=_("议题"), max_length=80)
    estate = forms.ModelChoiceField(label=_("小区"), queryset=None, required=False,
                                    help_text=_("小楼议事必填；居民议事、协调议事可不填"))
    venue = forms.ModelChoiceField(label=_("地点"), queryset=None, required=False)
    place = forms.CharField(label=_("地点说明"), max_length=64, required=False)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    minutes = forms.IntegerField(label=_("会议时长（分钟）"), min_value=10, max_value=480, initial=60)
    quorum = forms.IntegerField(label=_("法定人数"), min_value=1, max_value=10000, initial=5)
    chair = forms.CharField(label=_("主持人"), max_length=32, required=False)
    invite = forms.ModelMultipleChoiceField(label=_("邀请单位"), queryset=None, required=False,
                                            widget=forms.CheckboxSelectMultiple)
    agenda = forms.CharField(label=_("议程"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("每行一项：事项 / 负责人 / 分钟 / 相关工单号或“决定#编号”（可选）"))

    def __init__(self, *args, estates, venues, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = estates
        self.fields["venue"].queryset = venues
        self.fields["invite"].queryset = orgs

    def clean_agenda(self):
        rows = []
        for line in self.cleaned_data["agenda"].splitlines():
            parts = [p.strip() for p in line.split("/")]
            if not parts[0]:
                continue
            minutes = parts[2] if len(parts) > 2 and parts[2].isdigit() else 15
            link = parts[3] if len(parts) > 3 else ""
            decision = EARLIER_DECISION.fullmatch(link)
            # (title, owner, minutes, work order number, earlier decision's id); the view
            # turns the id into a decision the user sees.
            rows.append((parts[0], parts[1] if len(parts) > 1 else "", minutes, "" if decision else link,
                         int(decision.group(1)) if decision else None))
        return rows


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=500, required=False)


class RsvpForm(forms.Form):
    rsvp = forms.ChoiceField(label=_("是否参加"), choices=[(Rsvp.ACCEPTED, Rsvp.ACCEPTED.label),
                                                           (Rsvp.DECLINED, Rsvp.DECLINED.label)])
    representative = forms.CharField(label=_("出席代表"), max_length=32, required=False)


class InviteForm(forms.Form):
    org = forms.ModelChoiceField(label=_("增加受邀单位"), queryset=None)

    def __init__(self, *args, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs


class SignInForForm(forms.Form):
    resident = forms.ModelChoiceField(label=_("居民"), queryset=None)
    capacity = forms.ChoiceField(label=_("身份"), choices=[("", _("按住址判断"))] + list(Capacity.choices), required=False)

    def __init__(self, *args, residents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resident"].queryset = residents
        self.fields["resident"].label_from_instance = lambda r: f"{r.name} {r.household.building.name}{r.household.room}"


class PollForm(forms.Form):
    question = forms.CharField(label=_("表决事项"), max_length=120)
    kind = forms.ChoiceField(label=_("表决方式"), choices=PollKind.choices)
    options = forms.CharField(label=_("选项"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("单选、多选时每行一个选项"))
    max_choices = forms.IntegerField(label=_("最多可选"), min_value=1, initial=1, required=False)
    hide_results = forms.BooleanField(label=_("结束前不公布结果"), initial=True, required=False)

    def clean_options(self):
        return [line.strip() for line in self.cleaned_data["options"].splitlines() if line.strip()]


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("决定内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    poll = forms.ModelChoiceField(label=_("依据表决"), queryset=None, required=False)
    item_title = forms.CharField(label=_("落实事项"), max_length=80)
    owner = forms.ModelChoiceField(label=_("责任人"), queryset=None)
    owner_org = forms.ModelChoiceField(label=_("责任单位"), queryset=None, required=False)
    due_date = forms.DateField(label=_("完成期限"), widget=forms.DateInput(attrs={"type": "date"}))
    review_date = forms.DateField(label=_("回顾日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    acceptance = forms.CharField(label=_("验收标准"), max_length=200)
    building = forms.ModelChoiceField(label=_("地点楼栋"), queryset=None, required=False,
                                      help_text=_("转为工单时派单所需"))

    def __init__(self, *args, polls, owners, orgs, buildings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = buildings
        self.fields["poll"].queryset = polls
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = lambda u: u.name
        self.fields["owner_org"].queryset = orgs

    def item(self):
        data = self.cleaned_data
        return {"title": data["item_title"], "owner": data["owner"], "owner_org": data["owner_org"],
                "due_date": data["due_date"], "review_date": data["review_date"], "acceptance": data["acceptance"],
                "building": data["building"]}


class FileOrderForm(forms.Form):
    category = forms.ChoiceField(label=_("工单类别"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = workorders.categories()


class CompleteForm(forms.Form):
    result = forms.CharField(label=_("落实情况"), max_length=200)


class MinutesForm(forms.Form):
    minutes = forms.CharField(label=_("会议纪要"), max_length=20000, widget=forms.Textarea(attrs={"rows": 6}))


class AmendForm(forms.Form):
    text = forms.CharField(label=_("修改意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class VoteForm(forms.Form):
    due = forms.IntegerField(label=_("应到人数"), min_value=1, max_value=100000)
    present = forms.IntegerField(label=_("实到人数"), min_value=0, max_value=100000)
    in_favour = forms.IntegerField(label=_("赞成"), min_value=0, max_value=100000)
    against = forms.IntegerField(label=_("反对"), min_value=0, max_value=100000, initial=0)
    abstain = forms.IntegerField(label=_("弃权"), min_value=0, max_value=100000, initial=0)
    held_on = forms.DateField(label=_("日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class MatterForm(VoteForm):
    title = forms.CharField(label=_("事项"), max_length=80)
    description = forms.CharField(label=_("说明"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    field_order = ["title", "description", "due", "present", "in_favour", "against", "abstain", "held_on"]


class CaseForm(forms.Form):
    dispute_type = forms.ChoiceField(label=_("纠纷类型"), choices=DisputeType.choices)
    source = forms.ChoiceField(label=_("来源"), choices=CaseSource.choices)
    work_order_number = forms.CharField(label=_("来源工单"), max_length=32, required=False)
    estate = forms.ModelChoiceField(label=_("小区"), queryset=None, required=False)
    summary = forms.CharField(label=_("纠纷简况"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    applicant = forms.CharField(label=_("申请人"), max_length=64)
    respondent = forms.CharField(label=_("被申请人"), max_length=64)

    def __init__(self, *args, estates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = estates


class AgreementForm(forms.Form):
    facts = forms.CharField(label=_("纠纷的主要事实、争议事项"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    terms = forms.CharField(label=_("达成协议的内容"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    performance_manner = forms.CharField(label=_("履行方式"), max_length=200)
    performance_deadline = forms.DateField(label=_("履行期限"), widget=forms.DateInput(attrs={"type": "date"}))


class FollowUpForm(forms.Form):
    notes = forms.CharField(label=_("记录"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    performance = forms.ChoiceField(label=_("履行情况"), choices=[c for c in Performance.choices if c[0] != "pending"])


class CommitteeTermForm(forms.Form):
    """登记一届业主委员会 from the page: the term's number and dates and its members, owners of
    the committee's estate, one of them the chair (committees.register_term checks the rules)."""

    number = forms.IntegerField(label=_("届次"), min_value=1, max_value=99)
    elected_on = forms.DateField(label=_("选举日期"), widget=forms.DateInput(attrs={"type": "date"}))
    starts_on = forms.DateField(label=_("任期开始"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("任期届满"), widget=forms.DateInput(attrs={"type": "date"}))
    seats = forms.ModelMultipleChoiceField(label=_("委员（5 至 11 人的单数）"), queryset=None,
                                           widget=forms.CheckboxSelectMultiple)
    chair = forms.ModelChoiceField(label=_("主任"), queryset=None)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seats"].queryset = candidates
        self.fields["chair"].queryset = candidates
        self.fields["seats"].label_from_instance = self.fields["chair"].label_from_instance = (
            lambda r: f"{r.name}（{r.household.building.name}{r.household.room}）")
