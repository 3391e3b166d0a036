"""Every write of 议事. Each function: may the actor see the meeting (else NotFound) and act
(else NotPermitted); lock the meeting row; does the table allow it (else IllegalTransition,
409); is the input complete (else Invalid); change with a conditional update; append the
meeting's chained event; notify. One-per-person rules are unique constraints: a second
sign-in or ballot loses at the database, on SQLite as on PostgreSQL.
"""

import hashlib

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from liulin.core import chain, clock, workorders
from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted
from liulin.core.notifications.services import Notice, send
from liulin.core.permissions import NOT_FOUND, active_assignments, authorise, can, permitting
from liulin.core.roles import Role
from liulin.core.text import clean_text

from . import selectors
from .models import (
    STANCE_OPTIONS,
    ActionItem,
    AgendaItem,
    Amendment,
    Attendance,
    Ballot,
    BallotChoice,
    Capacity,
    Decision,
    Invitation,
    ItemState,
    Kind,
    Meeting,
    MeetingEvent,
    MinutesState,
    Poll,
    PollKind,
    PollOption,
    PollState,
    Rsvp,
    State,
    Via,
)
from .workflow import BEFORE_OPENING, ITEM, MEETING, MINUTES, SESSION_STATES, SIGN_IN_STATES

ORIGIN = "deliberation.actionitem"
MAX_AGENDA = 30
MAX_OPTIONS = 20
NOTICE_KIND = "deliberation.meeting"
ITEM_KIND = "deliberation.action_item"


# --- helpers ------------------------------------------------------------------------------


def _text(value, *, field, label, required=True, max_length=None):
    value = clean_text(str(value or ""), field=field).strip()
    if required and not value:
        raise Invalid(_("请填写%(label)s。") % {"label": label}, code="required", field=field)
    if max_length and len(value) > max_length:
        raise Invalid(_("%(label)s不能超过 %(n)s 个字。") % {"label": label, "n": max_length}, code="too_long", field=field)
    return value


def _role(actor, perm, obj):
    found = permitting(actor, perm, obj)
    return found[0] if found else ""


def _lock(meeting):
    return Meeting.objects.select_for_update(of=("self",)).get(pk=meeting.pk)


def _event(meeting, *, actor, role, action, data=None, at=None):
    return chain.append(MeetingEvent, meeting, actor=actor, actor_role=role, action=action, data=data or {}, at=at)


def _require_staff(actor, perm, meeting):
    """NotFound when the actor cannot see the meeting, NotPermitted when he sees it but may not `perm`."""
    _may_see(actor, meeting)
    if not can(actor, perm, meeting):
        raise NotPermitted(_("您的角色不能执行此操作。"))


def _may_see(actor, meeting):
    if not selectors.meetings_for(actor).filter(pk=meeting.pk).exists():
        raise NotFound(_(NOT_FOUND))


def meeting_url(meeting):
    return reverse("deliberation:meeting", args=[meeting.pk])


# --- convening ----------------------------------------------------------------------------


def _clean_schedule(starts_at, ends_at):
    starts_at = clock.bounded(starts_at, field="starts_at")
    ends_at = clock.bounded(ends_at, field="ends_at")
    if ends_at <= starts_at:
        raise Invalid(_("结束时间须晚于开始时间。"), code="ends_before_start", field="ends_at")
    return starts_at, ends_at


def convene_meeting(*, actor, kind, title, community, starts_at, ends_at, quorum=1, estate=None, building=None, venue=None,
                    place="", chair="", agenda=(), invite=(), now=None):
    """Create a meeting in 筹备中 with its agenda [(title, owner, minutes[, work order
    number[, earlier decision]])] and invited organisations. A 小楼议事 names its estate; a
    协调议事 invites at least one party; an agenda item's earlier decision is one of a meeting
    of the same community that the convener sees."""
    now = now or clock.now()
    if kind not in Kind.values:
        raise Invalid(_("请选择议事类型。"), code="invalid_kind", field="kind")
    title = _text(title, field="title", label=_("议题"), max_length=80)
    starts_at, ends_at = _clean_schedule(starts_at, ends_at)
    if building is not None:
        estate = building.estate
    if estate is not None and estate.community_id != community.pk:
        raise Invalid(_("小区不在该社区。"), code="estate_outside_community", field="estate")
    if kind == Kind.BUILDING and estate is None:
        raise Invalid(_("小楼议事须选定小区或楼栋。"), code="estate_required", field="estate")
    if venue is not None and venue.community_id != community.pk:
        raise Invalid(_("地点不在该社区。"), code="venue_outside_community", field="venue")
    try:
        quorum = int(quorum)
    except (TypeError, ValueError):
        quorum = 0
    if not 1 <= quorum <= 10000:
        raise Invalid(_("法定人数须为 1 至 10000。"), code="invalid_quorum", field="quorum")
    invite = list(dict.fromkeys(invite))
    if kind == Kind.COORDINATION and not invite:
        raise Invalid(_("协调议事须邀请至少一个单位。"), code="parties_required", field="invite")
    if len(agenda) > MAX_AGENDA:
        raise Invalid(_("议程不能超过 %(n)s 项。") % {"n": MAX_AGENDA}, code="too_many_items", field="agenda")
    with transaction.atomic():
        meeting = Meeting.objects.create(
            kind=kind, title=title, community=community, estate=estate, building=building, venue=venue,
            place=_text(place, field="place", label=_("地点"), required=False, max_length=64),
            chair=_text(chair, field="chair", label=_("主持人"), required=False, max_length=32),
            starts_at=starts_at, ends_at=ends_at, quorum=quorum, convener=actor, created_at=now, updated_at=now,
        )
        # Inserted first, then checked against the actor's scope: a refusal rolls it back.
        authorise(actor, "deliberation.convene", meeting, view="deliberation.convene", message=_("您不能在该社区召集议事。"))
        for org in invite:
            if org.community_id not in (None, community.pk):
                raise Invalid(_("受邀单位不在该社区。"), code="org_outside_community", field="invite")
        Invitation.objects.bulk_create([Invitation(meeting=meeting, org=org) for org in invite])
        rows = [(*row, *("", None)[len(row) - 3:]) for row in agenda]  # work order, decision optional
        _check_earlier_decisions(actor, community, [d for *_, d in rows if d is not None])
        AgendaItem.objects.bulk_create([
            AgendaItem(meeting=meeting, position=i, title=_text(t, field="agenda", label=_("议程"), max_length=80),
                       owner=_text(o, field="agenda", label=_("负责人"), required=False, max_length=32), minutes=_minutes(m),
                       work_order_number=_text(w, field="agenda", label=_("工单号"), required=False, max_length=32),
                       earlier_decision=d)
            for i, (t, o, m, w, d) in enumerate(rows, start=1)
        ])
        chain.new_chain(MeetingEvent, meeting)
        _event(meeting, actor=actor, role=_role(actor, "deliberation.convene", meeting), action="convene",
               data={"kind": kind, "invited": [o.pk for o in invite]}, at=now)
    return meeting


def _minutes(value):
    try:
        value = int(value)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 480:
        raise Invalid(_("议程时长须为 1 至 480 分钟。"), code="invalid_duration", field="agenda")
    return value


def _check_earlier_decisions(actor, community, decisions):
    """An agenda item links to a decision of a meeting of the same community that the actor
    sees; any other is not found (its existence is not revealed)."""
    wanted = {d.meeting_id for d in decisions}
    if wanted and selectors.meetings_for(actor).filter(pk__in=wanted, community=community).count() != len(wanted):
        raise NotFound(_(NOT_FOUND))


def add_agenda_item(*, actor, meeting, title, owner="", minutes=15, work_order_number="", earlier_decision=None):
    _require_staff(actor, "deliberation.convene", meeting)
    with transaction.atomic():
        locked = _lock(meeting)
        if locked.state not in BEFORE_OPENING:
            raise Conflict(_("会议已开始，不能再改议程。"), code="agenda_closed")
        if earlier_decision is not None:
            _check_earlier_decisions(actor, locked.community_id, [earlier_decision])
        count = locked.agenda.count()
        if count >= MAX_AGENDA:
            raise Invalid(_("议程不能超过 %(n)s 项。") % {"n": MAX_AGENDA}, code="too_many_items")
        item = AgendaItem.objects.create(
            meeting=locked, position=count + 1, title=_text(title, field="title", label=_("事项"), max_length=80),
            owner=_text(owner, field="owner", label=_("负责人"), required=False, max_length=32), minutes=_minutes(minutes),
            work_order_number=_text(work_order_number, field="work_order_number", label=_("工单号"), required=False,
                                    max_length=32),
            earlier_decision=earlier_decision,
        )
        _event(locked, actor=actor, role=_role(actor, "deliberation.convene", locked), action="agenda", data={"item": item.pk})
    return item


def invite(*, actor, meeting, org):
    _require_staff(actor, "deliberation.convene", meeting)
    with transaction.atomic():
        locked = _lock(meeting)
        if locked.state not in BEFORE_OPENING:
            raise Conflict(_("会议已开始，不能再邀请。"), code="invitations_closed")
        if org.community_id not in (None, locked.community_id):
            raise Invalid(_("受邀单位不在该社区。"), code="org_outside_community", field="org")
        try:
            with transaction.atomic():
                invitation = Invitation.objects.create(meeting=locked, org=org)
        except IntegrityError:
            raise Conflict(_("该单位已在邀请之列。"), code="already_invited") from None
        _event(locked, actor=actor, role=_role(actor, "deliberation.convene", locked), action="invite", data={"org": org.pk})
        if locked.state == State.NOTICED:
            _notify_invited(locked, [invitation])
    return invitation


# --- the meeting's table ------------------------------------------------------------------


def act(*, actor, meeting, action, reason="", now=None):
    """Take a MEETING table action (notify, open, adjourn, cancel)."""
    now = now or clock.now()
    if action not in MEETING.transitions:
        raise Invalid(_("未知的操作。"), code="unknown_action")
    perm = MEETING.perm(action)
    _require_staff(actor, perm, meeting)
    transition = None
    with transaction.atomic():
        locked = _lock(meeting)
        transition = MEETING.transition_for(action, locked.state)
        reason = _text(reason, field="reason", label=_("原因"), required=transition.needs_reason, max_length=500)
        updated = Meeting.objects.filter(pk=locked.pk, state=locked.state).update(state=transition.target, updated_at=now)
        if updated != 1:
            raise Conflict(_("会议状态已变化，请刷新。"), code="stale")
        _event(locked, actor=actor, role=_role(actor, perm, locked), action=action,
               data={"from": locked.state, "to": transition.target, "reason": reason}, at=now)
        from_state = locked.state
        locked.state = transition.target
        if action == "adjourn":  # a poll still open when the meeting ends closes with it
            Poll.objects.filter(meeting=locked, state=PollState.OPEN).update(state=PollState.CLOSED, closed_at=now)
        if action == "notify" or (action == "cancel" and from_state == State.NOTICED):
            _notify_invited(locked, list(locked.invitations.all()), cancelled=action == "cancel")
    meeting.state, meeting.updated_at = transition.target, now
    return meeting


def _notify_invited(meeting, invitations, *, cancelled=False):
    """The invited organisations (their webhooks) and the people who hold a role in them."""
    from liulin.accounts.models import RoleAssignment

    org_ids = [i.org_id for i in invitations]
    text = N_("议事会议“{title}”已取消。") if cancelled else N_("邀请您单位参加议事会议“{title}”，请回复是否参加。")
    params = {"title": meeting.title}
    url = meeting_url(meeting)
    users = RoleAssignment.objects.filter(org_id__in=org_ids, active=True).values_list("user_id", flat=True).distinct()
    notices = [Notice(kind=NOTICE_KIND, text=text, params=params, user_id=u, target=meeting, url=url) for u in users]
    notices += [Notice(kind=NOTICE_KIND, text=text, params=params, org_id=o, target=meeting, url=url) for o in org_ids]
    send(notices)


def respond(*, actor, invitation, rsvp, representative="", now=None):
    """An invited party's reply: its own people (or staff on its behalf) say whether it comes and who represents it."""
    now = now or clock.now()
    meeting = invitation.meeting
    if rsvp not in (Rsvp.ACCEPTED, Rsvp.DECLINED):
        raise Invalid(_("请选择参加或不参加。"), code="invalid_rsvp", field="rsvp")
    representative = _text(representative, field="representative", label=_("出席代表"), required=rsvp == Rsvp.ACCEPTED,
                           max_length=32)
    _may_see(actor, meeting)
    staff = can(actor, "deliberation.convene", meeting)
    own = any(a.org_id == invitation.org_id and a.role in _rsvp_roles() for a in active_assignments(actor))
    if not (staff or own):
        raise NotPermitted(_("只有受邀单位或社区工作人员可以回复。"))
    with transaction.atomic():
        locked = _lock(meeting)
        if locked.state not in BEFORE_OPENING:
            raise Conflict(_("会议已开始或已取消，不能再回复。"), code="rsvp_closed")
        Invitation.objects.filter(pk=invitation.pk).update(rsvp=rsvp, representative=representative, responded_at=now,
                                                          responded_by=actor)
        _event(locked, actor=actor, role=_role(actor, "deliberation.rsvp", locked) or "staff", action="rsvp",
               data={"org": invitation.org_id, "rsvp": rsvp}, at=now)
    invitation.rsvp, invitation.representative, invitation.responded_at = rsvp, representative, now
    return invitation


def _rsvp_roles():
    return set(MEETING.roles_of("rsvp")) - {Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY}


# --- sign-in ------------------------------------------------------------------------------


def _voter_capacity(meeting, *, resident=None, user=None):
    """A resident of the meeting's estate (or community, for a community meeting) votes, as
    does a member of an invited party; anyone else attends as an observer."""
    if resident is not None and resident.household_id is not None:
        household = resident.household
        if meeting.estate_id is None:
            if household.community_id == meeting.community_id:
                return Capacity.VOTER
        elif household.building.estate_id == meeting.estate_id:
            return Capacity.VOTER
    if user is not None:
        invited = set(meeting.invitations.values_list("org_id", flat=True))
        if any(a.org_id in invited for a in active_assignments(user)):
            return Capacity.VOTER
    return Capacity.OBSERVER


def _insert_attendance(meeting, **fields):
    """Insert the sign-in, or return the one the same person already has (a double scan, two
    phones at once): the unique constraints decide."""
    try:
        with transaction.atomic():
            return Attendance.objects.create(meeting=meeting, **fields), True
    except IntegrityError:
        person = Q(resident=fields["resident"]) if fields.get("resident") else Q(user=fields["user"])
        return Attendance.objects.get(person, meeting=meeting), False


def sign_in(*, actor, meeting, token, now=None):
    """Sign oneself in by the meeting's QR code; returns (attendance, created)."""
    now = now or clock.now()
    if not actor.is_authenticated:
        raise NotPermitted(_("请先登录。"))
    if not token or token != meeting.sign_in_token:
        raise NotFound(_("签到码无效。"))
    resident = getattr(actor, "resident", None)
    with transaction.atomic():
        locked = _lock(meeting)
        if locked.state not in SIGN_IN_STATES:
            raise Conflict(_("现在不在签到时间。"), code="sign_in_closed")
        capacity = _voter_capacity(locked, resident=resident, user=actor)
        attendance, created = _insert_attendance(locked, resident=resident, user=actor, name=actor.name[:32],
                                                 capacity=capacity, via=Via.QR, signed_at=now, signed_by=actor)
        if created:
            _event(locked, actor=actor, role="resident" if resident else "", action="sign_in",
                   data={"attendance": attendance.pk, "via": Via.QR, "capacity": capacity}, at=now)
    return attendance, created


def sign_in_for(*, actor, meeting, resident, capacity=None, now=None):
    """Staff sign in a resident without a phone (an elder at the door); returns (attendance, created)."""
    now = now or clock.now()
    _require_staff(actor, "deliberation.sign_in_others", meeting)
    if capacity not in (None, *Capacity.values):
        raise Invalid(_("身份无效。"), code="invalid_capacity", field="capacity")
    with transaction.atomic():
        locked = _lock(meeting)
        if locked.state not in SIGN_IN_STATES:
            raise Conflict(_("现在不在签到时间。"), code="sign_in_closed")
        capacity = capacity or _voter_capacity(locked, resident=resident)
        user = getattr(resident, "user", None)
        attendance, created = _insert_attendance(locked, resident=resident, user=user, name=resident.name[:32],
                                                 capacity=capacity, via=Via.STAFF, signed_at=now, signed_by=actor)
        if created:
            _event(locked, actor=actor, role=_role(actor, "deliberation.sign_in_others", locked), action="sign_in",
                   data={"attendance": attendance.pk, "via": Via.STAFF, "capacity": capacity}, at=now)
    return attendance, created


def voters_present(meeting):
    return meeting.attendances.filter(capacity=Capacity.VOTER).count()


def _require_quorum(meeting):
    present = voters_present(meeting)
    if present < meeting.quorum:
        raise Conflict(_("到会表决人数 %(present)s 人，未达到法定人数 %(quorum)s 人。") % {"present": present,
                                                                                 "quorum": meeting.quorum},
                       code="no_quorum")
    return present


# --- polls --------------------------------------------------------------------------------


def open_poll(*, actor, meeting, question, kind=PollKind.STANCE, options=(), max_choices=1, hide_results=True, now=None):
    """Open a poll in session, once the quorum is present."""
    now = now or clock.now()
    _require_staff(actor, "deliberation.poll", meeting)
    question = _text(question, field="question", label=_("表决事项"), max_length=120)
    if kind not in PollKind.values:
        raise Invalid(_("表决方式无效。"), code="invalid_poll_kind", field="kind")
    if kind == PollKind.STANCE:
        labels, max_choices = [str(label) for label in STANCE_OPTIONS], 1
    else:
        labels = [_text(o, field="options", label=_("选项"), max_length=60) for o in options if str(o or "").strip()]
        if len(labels) < 2 or len(labels) > MAX_OPTIONS or len(set(labels)) != len(labels):
            raise Invalid(_("须有 2 至 %(n)s 个互不相同的选项。") % {"n": MAX_OPTIONS}, code="invalid_options", field="options")
        try:
            max_choices = 1 if kind == PollKind.SINGLE else int(max_choices)
        except (TypeError, ValueError):
            max_choices = 0
        if not 1 <= max_choices <= len(labels):
            raise Invalid(_("最多可选数无效。"), code="invalid_max_choices", field="max_choices")
    with transaction.atomic():
        locked = _lock(meeting)
        if locked.state not in SESSION_STATES:
            raise Conflict(_("会议进行中才能表决。"), code="not_in_session")
        _require_quorum(locked)
        poll = Poll.objects.create(meeting=locked, question=question, kind=kind, max_choices=max_choices,
                                   hide_results=bool(hide_results), opened_at=now)
        PollOption.objects.bulk_create([PollOption(poll=poll, position=i, label=label) for i, label in enumerate(labels, 1)])
        _event(locked, actor=actor, role=_role(actor, "deliberation.poll", locked), action="open_poll",
               data={"poll": poll.pk, "kind": kind}, at=now)
    return poll


def cast_ballot(*, actor, poll, option_ids, now=None):
    """An attendee who signed in to vote casts one ballot; observers cannot vote, nobody votes twice."""
    now = now or clock.now()
    meeting = poll.meeting
    _may_see(actor, meeting)
    attendance = selectors.attendance_of(actor, meeting)
    if attendance is None:
        raise NotPermitted(_("签到后才能表决。"), code="not_signed_in")
    if attendance.capacity != Capacity.VOTER:
        raise NotPermitted(_("列席人员不能表决。"), code="observer")
    try:
        chosen = sorted({int(i) for i in option_ids})
    except (TypeError, ValueError):
        raise Invalid(_("选项无效。"), code="invalid_option", field="options") from None
    with transaction.atomic():
        locked = _lock(meeting)
        current = Poll.objects.get(pk=poll.pk)
        if current.state != PollState.OPEN or locked.state not in SESSION_STATES:
            raise Conflict(_("表决已结束。"), code="poll_closed")
        valid = set(current.options.filter(pk__in=chosen).values_list("pk", flat=True))
        if not chosen or len(valid) != len(chosen):
            raise Invalid(_("请从列出的选项中选择。"), code="invalid_option", field="options")
        if len(chosen) > current.max_choices:
            raise Invalid(_("最多可选 %(n)s 项。") % {"n": current.max_choices}, code="too_many_choices", field="options")
        try:
            with transaction.atomic():
                ballot = Ballot.objects.create(poll=current, attendance=attendance, cast_at=now)
        except IntegrityError:
            raise Conflict(_("您已表决过。"), code="already_voted") from None
        BallotChoice.objects.bulk_create([BallotChoice(ballot=ballot, option_id=i) for i in chosen])
        # The event records that a ballot was cast, not what it said.
        _event(locked, actor=actor, role="voter", action="ballot", data={"poll": current.pk}, at=now)
    return ballot


def close_poll(*, actor, poll, now=None):
    now = now or clock.now()
    meeting = poll.meeting
    _require_staff(actor, "deliberation.poll", meeting)
    with transaction.atomic():
        locked = _lock(meeting)
        if Poll.objects.filter(pk=poll.pk, state=PollState.OPEN).update(state=PollState.CLOSED, closed_at=now) != 1:
            raise Conflict(_("表决已结束。"), code="poll_closed")
        _event(locked, actor=actor, role=_role(actor, "deliberation.poll", locked), action="close_poll",
               data={"poll": poll.pk, "counts": selectors.tally(poll)}, at=now)
    poll.state, poll.closed_at = PollState.CLOSED, now
    return poll


# --- decisions and action items -----------------------------------------------------------


def _clean_item(meeting, *, title, owner, due_date, acceptance, review_date, owner_org=None, building=None, today):
    title = _text(title, field="item_title", label=_("落实事项"), max_length=80)
    acceptance = _text(acceptance, field="acceptance", label=_("验收标准"), max_length=200)
    if owner is None:
        raise Invalid(_("请指定责任人。"), code="owner_required", field="owner")
    due_date = clock.bounded(due_date, field="due_date")
    review_date = clock.bounded(review_date or due_date, field="review_date")
    if due_date < today:
        raise Invalid(_("完成期限不能早于今天。"), code="due_in_past", field="due_date")
    if not today <= review_date <= due_date:
        raise Invalid(_("回顾日期须在今天与完成期限之间。"), code="invalid_review_date", field="review_date")
    if building is not None and (building.community_id != meeting.community_id
                                 or (meeting.estate_id and building.estate_id != meeting.estate_id)):
        raise Invalid(_("楼栋不在该社区。"), code="building_outside_community", field="building")
    return {"title": title, "owner": owner, "owner_org": owner_org, "due_date": due_date, "acceptance": acceptance,
            "review_date": review_date, "building": building or meeting.building}


def record_decision(*, actor, meeting, text, item, poll=None, now=None):
    """A decision of a meeting in session with its quorum present, and its first action item
    (`item`: title, owner, due_date, acceptance, review_date, owner_org, building): a decision
    without tracked work is not recorded. A decision on a poll needs the poll closed."""
    now = now or clock.now()
    _require_staff(actor, "deliberation.decide", meeting)
    text = _text(text, field="text", label=_("决定内容"), max_length=2000)
    cleaned = _clean_item(meeting, today=clock.today(), **item)
    with transaction.atomic():
        locked = _lock(meeting)
        if locked.state not in SESSION_STATES:
            raise Conflict(_("会议进行中才能形成决定。"), code="not_in_session")
        present = _require_quorum(locked)
        if poll is not None:
            if poll.meeting_id != locked.pk:
                raise Invalid(_("该表决不属于本次会议。"), code="foreign_poll", field="poll")
            if Poll.objects.get(pk=poll.pk).state != PollState.CLOSED:
                raise Conflict(_("表决结束后才能据此形成决定。"), code="poll_open")
        decision = Decision.objects.create(meeting=locked, text=text, poll=poll, voters_present=present, decided_at=now,
                                           decided_by=actor)
        action_item = ActionItem.objects.create(decision=decision, meeting=locked, created_at=now, updated_at=now, **cleaned)
        role = _role(actor, "deliberation.decide", locked)
        _event(locked, actor=actor, role=role, action="decide", data={"decision": decision.pk, "present": present}, at=now)
        _event(locked, actor=actor, role=role, action="add_item", data={"item": action_item.pk}, at=now)
        _notify_owner(action_item, N_("议事决定交给您一项落实事项：“{title}”，期限 {due}。"))
    return decision


def add_action_item(*, actor, decision, now=None, **item):
    now = now or clock.now()
    meeting = decision.meeting
    _require_staff(actor, "deliberation.decide", meeting)
    cleaned = _clean_item(meeting, today=clock.today(), **item)
    with transaction.atomic():
        locked = _lock(meeting)
        if locked.state == State.CANCELLED:
            raise Conflict(_("会议已取消。"), code="cancelled")
        action_item = ActionItem.objects.create(decision=decision, meeting=locked, created_at=now, updated_at=now, **cleaned)
        _event(locked, actor=actor, role=_role(actor, "deliberation.decide", locked), action="add_item",
               data={"item": action_item.pk}, at=now)
        _notify_owner(action_item, N_("议事决定交给您一项落实事项：“{title}”，期限 {due}。"))
    return action_item


def _notify_owner(item, text):
    send([Notice(kind=ITEM_KIND, text=text, params={"title": item.title, "due": item.due_date.isoformat()},
                 user_id=item.owner_id, target=item.meeting, url=meeting_url(item.meeting))])


def act_on_item(*, actor, item, action, reason="", result="", category=None, now=None):
    """Take an ITEM table action by a person: file_order (one step: the 雷锋哨 work order is
    filed through core.workorders and its number kept), complete, drop."""
    now = now or clock.now()
    transition = ITEM.transitions.get(action)
    if transition is None or not transition.roles:
        raise Invalid(_("未知的操作。"), code="unknown_action")
    perm = ITEM.perm(action)
    _require_staff(actor, perm, item.meeting)
    with transaction.atomic():
        locked_meeting = _lock(item.meeting)
        locked = ActionItem.objects.select_for_update(of=("self",)).get(pk=item.pk)
        ITEM.transition_for(action, locked.state)
        reason = _text(reason, field="reason", label=_("原因"), required=transition.needs_reason, max_length=500)
        changes = {"state": transition.target, "updated_at": now}
        data = {"item": locked.pk, "from": locked.state, "to": transition.target, "reason": reason}
        if action == "file_order":
            if not category:
                raise Invalid(_("请选择工单类别。"), code="category_required", field="category")
            if locked.building is None:
                raise Invalid(_("落实事项须指定楼栋才能转为工单。"), code="building_required", field="building")
            description = _("议事决定落实：%(title)s。验收标准：%(acceptance)s（议事会议：%(meeting)s）") % {
                "title": locked.title, "acceptance": locked.acceptance, "meeting": locked_meeting.title}
            order = workorders.file(actor=actor, origin=ORIGIN, category=category, description=description,
                                    building=locked.building, now=now)
            changes.update(work_order_id=order.id, work_order_number=order.number, work_order_state=str(order.state_label))
            data["order"] = order.number
        if action == "complete":
            changes.update(done_at=now, result=_text(result, field="result", label=_("落实情况"), max_length=200))
        ActionItem.objects.filter(pk=locked.pk, state=locked.state).update(**changes)
        _event(locked_meeting, actor=actor, role=_role(actor, perm, locked_meeting), action=action, data=data, at=now)
    for name, value in changes.items():
        setattr(item, name, value)
    return item


def order_changed(order, *, now=None):
    """core.workorders listener: the work order of an action item moved. Its state shows on
    the meeting page; its end moves the item (done, or back to 待落实 when it ended undone)
    and tells the owner."""
    now = now or clock.now()
    with transaction.atomic():
        item = ActionItem.objects.filter(work_order_id=order.id).select_related("meeting").first()
        if item is None:
            return None
        meeting = _lock(item.meeting)
        locked = ActionItem.objects.select_for_update(of=("self",)).get(pk=item.pk)
        changes = {"work_order_state": str(order.state_label), "updated_at": now}
        action = None
        if locked.state == ItemState.ORDERED and order.ended:
            action = "order_done" if order.done else "order_failed"
            target = ITEM.transition_for(action, locked.state).target
            changes["state"] = target
            if target == ItemState.DONE:
                changes.update(done_at=now, result=_("工单 %(number)s %(state)s") % {"number": order.number,
                                                                                     "state": order.state_label})
            else:
                changes.update(work_order_id=None)
        ActionItem.objects.filter(pk=locked.pk).update(**changes)
        if action:
            _event(meeting, actor=None, role="system", action=action,
                   data={"item": locked.pk, "order": order.number, "order_state": order.state}, at=now)
            text = N_("落实事项“{title}”的工单已办结。") if action == "order_done" else N_("落实事项“{title}”的工单未办成，请重新安排。")
            send([Notice(kind=ITEM_KIND, text=text, params={"title": locked.title}, user_id=locked.owner_id, target=meeting,
                         url=meeting_url(meeting))])
    return action


def remind_reviews(*, now=None):
    """Tell each owner of an unfinished action item whose review date has come, once. Returns how many."""
    now = now or clock.now()
    today = clock.today()
    due = list(ActionItem.objects.filter(state__in=[ItemState.OPEN, ItemState.ORDERED], review_date__lte=today,
                                         review_reminded_on__isnull=True).select_related("meeting")[:500])
    with transaction.atomic():
        claimed = ActionItem.objects.filter(pk__in=[i.pk for i in due], review_reminded_on__isnull=True).update(
            review_reminded_on=today)
        if claimed:
            send([Notice(kind=ITEM_KIND, text=N_("请回顾落实事项“{title}”的进展，期限 {due}。"),
                         params={"title": i.title, "due": i.due_date.isoformat()}, user_id=i.owner_id, target=i.meeting,
                         url=meeting_url(i.meeting)) for i in due])
    return claimed


# --- minutes ------------------------------------------------------------------------------


def write_minutes(*, actor, meeting, text, now=None):
    """Staff write the draft minutes (while they are a draft)."""
    now = now or clock.now()
    _require_staff(actor, "deliberation.decide", meeting)
    text = _text(text, field="minutes", label=_("会议纪要"), max_length=20000)
    with transaction.atomic():
        locked = _lock(meeting)
        if locked.state == State.CANCELLED or locked.minutes_state != MinutesState.DRAFT:
            raise Conflict(_("纪要已不是草稿，不能直接修改。"), code="minutes_not_draft")
        Meeting.objects.filter(pk=locked.pk).update(minutes=text, updated_at=now)
        _event(locked, actor=actor, role=_role(actor, "deliberation.decide", locked), action="write_minutes",
               data={"length": len(text)}, at=now)
    meeting.minutes = text
    return meeting


def amend_minutes(*, actor, meeting, text, now=None):
    """Someone who signed in proposes an amendment while the amendment window is open."""
    now = now or clock.now()
    _may_see(actor, meeting)
    text = _text(text, field="text", label=_("修改意见"), max_length=2000)
    attendance = selectors.attendance_of(actor, meeting)
    if attendance is None:
        raise NotPermitted(_("只有签到参会的人可以提出纪要修改。"), code="not_signed_in")
    with transaction.atomic():
        locked = _lock(meeting)
        if locked.minutes_state != MinutesState.AMENDING:
            raise Conflict(_("纪要现在不接受修改意见。"), code="amendments_closed")
        amendment = Amendment.objects.create(meeting=locked, attendance=attendance, text=text, at=now)
        _event(locked, actor=actor, role="attendee", action="amend", data={"amendment": amendment.pk}, at=now)
    return amendment


def minutes_digest(meeting, text, amendments):
    body = "\n".join([text, *[f"{a.pk}:{a.text}" for a in amendments]])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def act_on_minutes(*, actor, meeting, action, text=None, now=None):
    """open_amendments (after the meeting was held) or finalise (freezes the minutes, their
    hash chained in the meeting's events)."""
    now = now or clock.now()
    if action not in MINUTES.transitions:
        raise Invalid(_("未知的操作。"), code="unknown_action")
    perm = MINUTES.perm(action)
    _require_staff(actor, perm, meeting)
    with transaction.atomic():
        locked = _lock(meeting)
        transition = MINUTES.transition_for(action, locked.minutes_state)
        if locked.state != State.HELD:
            raise Conflict(_("会议召开后才能处理纪要。"), code="not_held")
        minutes = locked.minutes
        if text is not None:
            minutes = _text(text, field="minutes", label=_("会议纪要"), max_length=20000)
        if not minutes:
            raise Invalid(_("请先写会议纪要。"), code="minutes_empty", field="minutes")
        changes = {"minutes_state": transition.target, "minutes": minutes, "updated_at": now}
        data = {"from": locked.minutes_state, "to": transition.target}
        if action == "finalise":
            changes["minutes_hash"] = data["hash"] = minutes_digest(locked, minutes, list(locked.amendments.all()))
        Meeting.objects.filter(pk=locked.pk, minutes_state=locked.minutes_state).update(**changes)
        _event(locked, actor=actor, role=_role(actor, perm, locked), action=action, data=data, at=now)
    for name, value in changes.items():
        setattr(meeting, name, value)
    return meeting

