"""业主委员会: terms, 备案, committee meetings and their decisions.

The rules (住房和城乡建设部《业主大会和业主委员会指导规则》, 建房〔2009〕274号; see
docs/deliberation.md for the quoted text):
- a committee has 5 to 11 members, an odd number; its term is at most 5 years;
- it files (备案) with the subdistrict and the housing authority within 30 days of its
  election (the election day not counted, 民法典 art. 201);
- a meeting needs more than half of the members present, a member may not send a proxy
  (委员不能委托代理人参加会议), a decision needs more than half of ALL members, and it is
  published within 3 days of being made;
- the election of the next term is held before the term ends: the committee and the
  community are alerted 3 months ahead.

A decision is published (公告) in the 公示栏 through core.publication, as a notice of kind
"owners_decision" that the residents of the community read: the decision, its meeting and its
count, never a member's name. Only owners of the estate object to it (`may_object`). A
publication after the 3rd day is still made, since owners must learn of the decision, and is
marked late (`published_late`); the decisions not yet published past their day are listed.
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from liulin.core import calendar, chain, clock, publication
from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted
from liulin.core.notifications.services import Notice, send
from liulin.core.permissions import NOT_FOUND, can, permitting, scope_q
from liulin.core.text import clean_text
from liulin.orgs.models import Membership, Organisation
from liulin.people.models import Resident

from .models import (
    CommitteeAttendance,
    CommitteeDecision,
    CommitteeEvent,
    CommitteeMeeting,
    CommitteeSeat,
    CommitteeTerm,
    CommitteeVote,
    DecisionState,
    SeatRole,
    TermState,
)
from .workflow import DECISION, TERM

MEMBER_COUNTS = (5, 7, 9, 11)
MAX_TERM_MONTHS = 60  # at most five years
FILING_DAYS = 30  # 备案 within 30 days of the election
EXPIRY_NOTICE_MONTHS = 3  # the expiry is announced 3 months ahead
PUBLISH_DAYS = 3  # decisions published within 3 days
NOTICE_KIND = "deliberation.committee"
ORIGIN = "deliberation.committee_decision"  # a decision's 公告 in the 公示栏, under the notice kind below
PUBLICATION_KIND = "owners_decision"  # 业主大会、业主委员会决定公告


def _text(value, *, field, label, max_length):
    value = clean_text(str(value or ""), field=field).strip()
    if not value:
        raise Invalid(_("请填写%(label)s。") % {"label": label}, code="required", field=field)
    if len(value) > max_length:
        raise Invalid(_("%(label)s不能超过 %(n)s 个字。") % {"label": label, "n": max_length}, code="too_long", field=field)
    return value


# --- reads --------------------------------------------------------------------------------


def terms_for(user):
    return (CommitteeTerm.objects.filter(scope_q(user, TERM.perm("view_term"), CommitteeTerm))
            .select_related("committee", "committee__estate").order_by("committee__name", "-number"))


def term_for(user, pk):
    term = terms_for(user).filter(pk=pk).first()
    if term is None:
        raise NotFound(_(NOT_FOUND))
    return term


def registrable_committees(user):
    """The estates' owners' committees for which `user` may register a term (staff of their
    communities)."""
    return (Organisation.objects.filter(scope_q(user, TERM.perm("register"), Organisation),
                                        kind=Organisation.Kind.OWNERS_COMMITTEE, estate__isnull=False)
            .select_related("estate").order_by("name"))


def seat_candidates(user, committee):
    """Whom `user` may seat on `committee`: the residents he sees of the committee's estate."""
    from liulin.people.selectors import residents_for

    return (residents_for(user).filter(household__building__estate_id=committee.estate_id)
            .select_related("household__building").order_by("household__building__name", "household__room", "pk"))


def filing_due(term):
    """The last day for 备案: the 30th day after the election."""
    return term.elected_on + datetime.timedelta(days=FILING_DAYS)


def expiry_notice_on(term):
    return calendar.add_months(term.ends_on, -EXPIRY_NOTICE_MONTHS)


def filed_late(term):
    return term.filed_on is not None and term.filed_on > filing_due(term)


def unfiled_overdue(user, *, today=None):
    """Terms still not filed after their 30th day."""
    today = today or clock.today()
    return terms_for(user).filter(state=TermState.ELECTED, elected_on__lt=today - datetime.timedelta(days=FILING_DAYS))


def current_term(committee, *, today=None):
    today = today or clock.today()
    return CommitteeTerm.objects.filter(committee=committee, starts_on__lte=today, ends_on__gte=today).order_by("-number").first()


def decisions_for(user):
    return (CommitteeDecision.objects.filter(scope_q(user, TERM.perm("view_term"), CommitteeDecision))
            .select_related("meeting", "meeting__term", "meeting__term__committee"))


def unpublished_overdue(user, *, today=None):
    today = today or clock.today()
    return decisions_for(user).filter(state=DecisionState.RECORDED, publish_by__lt=today)


def composition(terms):
    """{term pk: (members, party members)} counted from the seats."""
    rows = (CommitteeSeat.objects.filter(term__in=terms).values("term")
            .annotate(n=Count("pk"), party=Count("pk", filter=Q(is_party_member=True))))
    return {r["term"]: (r["n"], r["party"]) for r in rows}


# --- writes -------------------------------------------------------------------------------


def _role(actor, perm, obj):
    found = permitting(actor, perm, obj)
    return found[0] if found else "system"


def _event(term, *, actor, perm, action, data, at, obj=None):
    return chain.append(CommitteeEvent, term, actor=actor, actor_role=_role(actor, perm, obj or term) if actor else "system",
                        action=action, data=data, at=at)


def _require(actor, perm, term):
    if not terms_for(actor).filter(pk=term.pk).exists():
        raise NotFound(_(NOT_FOUND))
    if not can(actor, perm, term):
        raise NotPermitted(_("您的角色不能执行此操作。"))


def register_term(*, actor, committee, number, elected_on, starts_on, ends_on, seats, now=None):
    """Register a term elected by the owners' assembly with its seats [(resident, role)]:
    5, 7, 9 or 11 people, exactly one chair, at most five years."""
    now = now or clock.now()
    if committee.kind != Organisation.Kind.OWNERS_COMMITTEE or committee.estate_id is None:
        raise Invalid(_("请选择一个小区的业主委员会。"), code="not_a_committee", field="committee")
    elected_on = clock.bounded(elected_on, field="elected_on")
    starts_on = clock.bounded(starts_on, field="starts_on")
    ends_on = clock.bounded(ends_on, field="ends_on")
    if starts_on < elected_on:
        raise Invalid(_("任期不能早于选举日期开始。"), code="starts_before_election", field="starts_on")
    if ends_on <= starts_on:
        raise Invalid(_("任期届满日须晚于开始日。"), code="ends_before_start", field="ends_on")
    if ends_on > calendar.add_months(starts_on, MAX_TERM_MONTHS):
        raise Invalid(_("业主委员会任期不超过 5 年。"), code="term_too_long", field="ends_on")
    seats = list(seats)
    if len(seats) not in MEMBER_COUNTS:
        raise Invalid(_("业主委员会委员为 5 至 11 人的单数。"), code="members_5_to_11_odd", field="seats")
    if len({resident.pk for resident, _role in seats}) != len(seats):
        raise Invalid(_("同一人不能占两个席位。"), code="duplicate_member", field="seats")
    if [role for _r, role in seats].count(SeatRole.CHAIR) != 1 or not {r for _x, r in seats} <= set(SeatRole.values):
        raise Invalid(_("须有且只有一名主任。"), code="one_chair", field="seats")
    outside = [r for r, _role in seats if r.household_id is None or r.household.building.estate_id != committee.estate_id]
    if outside:
        raise Invalid(_("委员须是本小区的业主。"), code="member_outside_estate", field="seats")
    try:
        with transaction.atomic():
            term = CommitteeTerm.objects.create(
                committee=committee, community_id=committee.community_id, number=number, elected_on=elected_on,
                starts_on=starts_on, ends_on=ends_on, members=len(seats), created_by=actor, created_at=now)
            if not can(actor, TERM.perm("register"), term):
                raise NotPermitted(_("您不能为该业主委员会登记任期。"))
            CommitteeSeat.objects.bulk_create([
                CommitteeSeat(term=term, resident=r, name=r.name, role=role, is_party_member=r.is_party_member)
                for r, role in seats])
            chain.new_chain(CommitteeEvent, term)
            _event(term, actor=actor, perm=TERM.perm("register"), action="register",
                   data={"number": number, "members": len(seats), "ends_on": ends_on.isoformat()}, at=now)
    except IntegrityError as exc:
        raise Conflict(_("该届次已登记。"), code="term_exists") from exc
    return term


def file_term(*, actor, term, filed_on, reference, now=None):
    """Record the 备案. A filing after the 30th day is recorded but shown as late."""
    now = now or clock.now()
    perm = TERM.perm("file")
    _require(actor, perm, term)
    filed_on = clock.bounded(filed_on, field="filed_on")
    reference = _text(reference, field="filing_reference", label=_("备案回执号"), max_length=64)
    if filed_on < term.elected_on or filed_on > calendar.local_date(now):
        raise Invalid(_("备案日期须在选举之后、今天之前。"), code="out_of_range", field="filed_on")
    with transaction.atomic():
        locked = CommitteeTerm.objects.select_for_update(of=("self",)).get(pk=term.pk)
        TERM.transition_for("file", locked.state)
        CommitteeTerm.objects.filter(pk=locked.pk, state=TermState.ELECTED).update(
            state=TermState.FILED, filed_on=filed_on, filing_reference=reference)
        _event(locked, actor=actor, perm=perm, action="file",
               data={"filed_on": filed_on.isoformat(), "late": filed_on > filing_due(locked)}, at=now)
    term.state, term.filed_on, term.filing_reference = TermState.FILED, filed_on, reference
    return term


def act(*, actor, term, action, filed_on=None, reference="", now=None):
    """The TERM table's actions (for the state-table walk and the API)."""
    if action not in TERM.transitions:
        raise Invalid(_("未知的操作。"), code="unknown_action")
    return file_term(actor=actor, term=term, filed_on=filed_on or clock.today(), reference=reference or "-", now=now)


def hold_meeting(*, actor, term, topic, held_at, present, motions=(), now=None):
    """Record a committee meeting: the seats present (each for himself: no proxies) and
    each motion with every present member's vote {seat: "for" | "against" | "abstain"}.
    Refused without more than half of all members present; a motion passes with more than
    half of ALL members in favour and must then be published within 3 days."""
    now = now or clock.now()
    perm = TERM.perm("meet")
    _require(actor, perm, term)
    topic = _text(topic, field="topic", label=_("议题"), max_length=200)
    held_at = clock.bounded(held_at, field="held_at")
    if held_at > now:
        raise Invalid(_("会议尚未召开。"), code="in_future", field="held_at")
    held_on = calendar.local_date(held_at)
    if not term.starts_on <= held_on <= term.ends_on:
        raise Invalid(_("会议不在本届任期内。"), code="outside_term", field="held_at")
    seats = {s.pk: s for s in term.seats.all()}
    present = list(present)
    if any(getattr(s, "pk", s) not in seats for s in present):
        raise Invalid(_("只有本届委员本人出席，不能委托他人代理。"), code="no_proxies", field="present")
    present_ids = {getattr(s, "pk", s) for s in present}
    if len(present_ids) * 2 <= term.members:
        raise Conflict(_("出席委员未过半数，不能开会。"), code="no_quorum")
    cleaned = []
    for text, votes in motions:
        text = _text(text, field="motions", label=_("决定事项"), max_length=2000)
        votes = {getattr(s, "pk", s): choice for s, choice in dict(votes).items()}
        if not set(votes) <= present_ids:
            raise Invalid(_("只有出席的委员本人可以表决，不能委托他人代理。"), code="no_proxies", field="motions")
        if not set(votes.values()) <= set(CommitteeVote.Choice.values):
            raise Invalid(_("表决只能是同意、反对或弃权。"), code="invalid_choice", field="motions")
        cleaned.append((text, votes))
    with transaction.atomic():
        locked = CommitteeTerm.objects.select_for_update(of=("self",)).get(pk=term.pk)
        meeting = CommitteeMeeting.objects.create(term=locked, held_at=held_at, topic=topic, members=locked.members,
                                                  present=len(present_ids), recorded_by=actor)
        attendance = {a.seat_id: a for a in CommitteeAttendance.objects.bulk_create(
            [CommitteeAttendance(meeting=meeting, seat_id=pk) for pk in sorted(present_ids)])}
        decisions = []
        for text, votes in cleaned:
            counts = {c: list(votes.values()).count(c) for c in CommitteeVote.Choice.values}
            passed = counts["for"] * 2 > locked.members
            decision = CommitteeDecision.objects.create(
                meeting=meeting, text=text, members=locked.members, in_favour=counts["for"], against=counts["against"],
                abstain=counts["abstain"], state=DecisionState.RECORDED if passed else DecisionState.REJECTED,
                decided_on=held_on, publish_by=held_on + datetime.timedelta(days=PUBLISH_DAYS))
            CommitteeVote.objects.bulk_create([CommitteeVote(decision=decision, attendance=attendance[pk], choice=c)
                                               for pk, c in votes.items()])
            decisions.append(decision)
        _event(locked, actor=actor, perm=perm, action="meet",
               data={"meeting": meeting.pk, "present": len(present_ids), "members": locked.members,
                     "decisions": [[d.pk, d.state, d.in_favour] for d in decisions]}, at=now)
    return meeting


def may_object(user, decision_id):
    """Only an owner of the committee's estate objects: a resident of a household in the estate
    not recorded as its tenant (the same households a committee's members are taken from; the
    owners' register of the votes app is not read here)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "resident_id", None) or not decision_id:
        return False
    estate = (CommitteeDecision.objects.filter(pk=decision_id)
              .values_list("meeting__term__committee__estate_id", flat=True).first())
    return estate is not None and (Resident.objects.filter(pk=user.resident_id, household__building__estate_id=estate)
                                   .exclude(relation=Resident.Relation.TENANT).exists())


def decision_text(decision):
    """The body of the 公告: the committee and term, the meeting, the decision and its count;
    no member is named."""
    term = decision.meeting.term
    return "\n".join([
        _("%(committee)s（第%(number)s届）于 %(day)s 召开会议，作出以下决定：") % {
            "committee": term.committee.name, "number": term.number, "day": decision.decided_on.isoformat()},
        _("会议议题：%(topic)s") % {"topic": decision.meeting.topic},
        "",
        decision.text,
        "",
        _("表决：全体委员 %(members)s 人，出席 %(present)s 人；同意 %(yes)s 人，反对 %(no)s 人，弃权 %(abstain)s 人。"
          "决定经全体委员半数以上同意。") % {
            "members": decision.members, "present": decision.meeting.present, "yes": decision.in_favour,
            "no": decision.against, "abstain": decision.abstain},
        _("本决定应于 %(day)s 前公告。") % {"day": decision.publish_by.isoformat()},
        _("本小区业主可在公示期内对本决定提出异议。"),
    ])


def notice_status(decision):
    """The decision's notice (state, period, objections), or None before it is published."""
    return publication.status_of(decision.notice_id)


def publish_decision(*, actor, decision, now=None):
    """公布决定: the decision goes on 公告 in the community's 公示栏 in the same transaction;
    refused (and nothing written) unless the decision passed and is not yet published."""
    now = now or clock.now()
    perm = DECISION.perm("publish")
    if not decisions_for(actor).filter(pk=decision.pk).exists():
        raise NotFound(_(NOT_FOUND))
    if not can(actor, perm, decision):
        raise NotPermitted(_("您的角色不能执行此操作。"))
    with transaction.atomic():
        locked = (CommitteeDecision.objects.select_for_update(of=("self",))
                  .select_related("meeting__term__committee").get(pk=decision.pk))
        DECISION.transition_for("publish", locked.state)
        term = locked.meeting.term
        with publication.in_site_language():
            notice = publication.publish(
                actor=actor, origin=ORIGIN, subject_id=locked.pk, community=term.community_id,
                title=(_("业主委员会决定公告：%(committee)s") % {"committee": term.committee.name})[:80],
                body=decision_text(locked), is_demo=locked.is_demo, now=now)
        if CommitteeDecision.objects.filter(pk=locked.pk, state=DecisionState.RECORDED).update(
                state=DecisionState.PUBLISHED, published_at=now, notice_id=notice.id) != 1:
            raise Conflict(_("决定状态已变化，请刷新。"), code="stale")
        late = calendar.local_date(now) > locked.publish_by
        _event(term, actor=actor, perm=perm, action="publish", obj=locked,
               data={"decision": locked.pk, "late": late, "notice": notice.id}, at=now)
    decision.state, decision.published_at, decision.notice_id = DecisionState.PUBLISHED, now, notice.id
    return decision


def decision_act(*, actor, decision, action, now=None):
    if action not in DECISION.transitions:
        raise Invalid(_("未知的操作。"), code="unknown_action")
    return publish_decision(actor=actor, decision=decision, now=now)


def published_late(decision):
    return decision.published_at is not None and calendar.local_date(decision.published_at) > decision.publish_by


def _committee_users(term_ids):
    rows = Membership.objects.filter(org__in=CommitteeTerm.objects.filter(pk__in=term_ids).values("committee"),
                                     user__isnull=False).values_list("org_id", "user_id")
    by_org = {}
    for org, user in rows:
        by_org.setdefault(org, set()).add(user)
    return by_org


def remind_terms(*, today=None):
    """Tell the committee's members and the staff who registered the term, once each:
    3 months before a term ends, and when a term is still not filed after its 30th day.
    Returns how many alerts were sent."""
    today = today or clock.today()
    expiring = [t for t in CommitteeTerm.objects.filter(expiry_alerted=False, ends_on__gte=today)
                .select_related("committee")[:500] if expiry_notice_on(t) <= today]
    unfiled = list(CommitteeTerm.objects.filter(filing_alerted=False, state=TermState.ELECTED,
                                                elected_on__lt=today - datetime.timedelta(days=FILING_DAYS))
                   .select_related("committee")[:500])
    users = _committee_users([t.pk for t in expiring + unfiled])
    notices = []
    with transaction.atomic():
        claimed = CommitteeTerm.objects.filter(pk__in=[t.pk for t in expiring], expiry_alerted=False).update(expiry_alerted=True)
        for t in expiring[:claimed]:
            for user in users.get(t.committee_id, set()) | {t.created_by_id}:
                notices.append(Notice(kind=NOTICE_KIND, text=N_("{committee}第{number}届任期将于 {date} 届满，请筹备换届选举。"),
                                      params={"committee": t.committee.name, "number": t.number,
                                              "date": t.ends_on.isoformat()}, user_id=user, target=t))
        late = CommitteeTerm.objects.filter(pk__in=[t.pk for t in unfiled], filing_alerted=False).update(filing_alerted=True)
        for t in unfiled[:late]:
            for user in users.get(t.committee_id, set()) | {t.created_by_id}:
                notices.append(Notice(kind=NOTICE_KIND, text=N_("{committee}第{number}届选举已超过 30 日仍未备案。"),
                                      params={"committee": t.committee.name, "number": t.number}, user_id=user, target=t))
        if notices:
            send(notices)
    return claimed + late
