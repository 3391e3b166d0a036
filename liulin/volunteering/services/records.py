"""The hours register (民政部令第67号): records come from attendance (the register's own
check-in and check-out, or a check-in at a team's activity another app ran: team_hours), or
by hand from the organiser with a reason and never beyond the activity's length; an
organiser confirms them, the volunteer may dispute, the organiser upholds or corrects; every
step is a link of the record's chain. Points follow confirmed minutes: when a record reaches
"confirmed" the difference between the points its minutes earn and the points it already
earned is posted.

Nobody confirms or decides on his own hours; whoever added hours by hand does not confirm
them (workflow.SEPARATED_DUTIES)."""

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from liulin.core import chain, clock
from liulin.core.errors import Conflict, Invalid, NotPermitted
from liulin.core.permissions import authorise, permitting_role
from liulin.core.text import clean_text

from ..models import Activity, Posting, RecordEvent, ServiceRecord, TeamMember, Volunteer
from ..workflow import SEPARATED_DUTIES, WORKFLOW
from . import ledger

S = ServiceRecord.State


def _snapshot(record):
    """What a record's chain says it is: `verify_record` compares the row with it."""
    return {"volunteer": record.volunteer_id, "activity": record.activity_id, "minutes": record.minutes,
            "state": record.state, "served_on": record.served_on.isoformat(), "source": record.source}


def _new_record(activity, volunteer, minutes, *, source, recorded_by, reason=""):
    record = ServiceRecord(
        volunteer=volunteer, activity=activity, team_id=activity.team_id, community_id=activity.community_id,
        served_on=timezone.localdate(activity.starts_at),
        content=activity.title[:200], place=activity.place, minutes=minutes, cap_minutes=activity.length_minutes,
        source=source, reason=reason, recorded_by=recorded_by)
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        raise Conflict(_("该志愿者在本活动已有服务记录。"), code="already_recorded") from None
    chain.new_chain(RecordEvent, record)
    return record


def record_attendance(*, signup):
    """The record a check-out earns, or None when too little of the activity was attended."""
    from .activities import attended_minutes

    activity = signup.activity
    minutes = attended_minutes(activity, signup.checked_in_at, signup.checked_out_at)
    share = ledger.rules_for(activity.community).min_attendance_percent
    if minutes < 1 or minutes * 100 < activity.length_minutes * share:
        return None
    record = _new_record(activity, signup.volunteer, minutes, source=ServiceRecord.Source.ATTENDANCE,
                         recorded_by=activity.organiser)
    chain.append(RecordEvent, record, actor=signup.checked_out_by, actor_role="", action="record",
                 data={**_snapshot(record), "signup": signup.pk})
    return record


def record_team_event(*, activity, volunteer, minutes, actor, origin):
    """The record of a member checked in at a team's activity run by another app and reported
    through core.service_hours (services.team_hours): the activity's length, pending, recorded
    by whoever finished it."""
    record = _new_record(activity, volunteer, minutes, source=ServiceRecord.Source.TEAM_EVENT, recorded_by=actor)
    chain.append(RecordEvent, record, actor=actor, actor_role="", action="record", data={**_snapshot(record), "origin": origin})
    return record


def record_manual(*, actor, activity, volunteer, minutes, reason):
    """Hours added by hand (补录): by the organiser of the activity's team, with a reason,
    at most the activity's length, for a member of the team."""
    authorise(actor, "volunteering.record_manual", activity)
    reason = clean_text(reason or "").strip()[:200]
    if not reason:
        raise Invalid(_("补录须说明理由。"), code="reason_required", field="reason")
    minutes = int(minutes)
    if not 1 <= minutes <= activity.length_minutes:
        raise Invalid(_("补录时长须在 1 至 %(cap)s 分钟之间（不超过活动时长）。") % {"cap": activity.length_minutes},
                      code="minutes_out_of_range", field="minutes")
    if activity.state == Activity.State.CANCELLED:
        raise Conflict(_("已取消的活动不能补录。"), code="state_changed")
    if not TeamMember.objects.filter(team_id=activity.team_id, volunteer=volunteer).exists():
        raise Invalid(_("该志愿者不是本队队员。"), code="not_a_member", field="volunteer")
    if volunteer.user_id == actor.pk:
        raise NotPermitted(_("不能为自己补录时长。"), code="own_hours")
    with transaction.atomic():
        record = _new_record(activity, volunteer, minutes, source=ServiceRecord.Source.MANUAL, recorded_by=actor,
                             reason=reason)
        chain.append(RecordEvent, record, actor=actor, actor_role=permitting_role(actor, "volunteering.record_manual", activity) or "",
                     action="record_manual", data={**_snapshot(record), "reason": reason})
    return record


def act(*, actor, record, action, reason="", minutes=None):
    """Take `action` of the state table on `record`."""
    reason = clean_text(reason or "").strip()[:200]
    perm = WORKFLOW.perm(action)
    if action == "dispute":
        if record.volunteer.user_id != actor.pk:
            authorise(actor, "volunteering.view", record)  # 404 when he cannot even see it
            raise NotPermitted(_("只有志愿者本人可以对记录提出异议。"))
        role = "volunteer"
    else:
        authorise(actor, perm, record)
        if record.volunteer.user_id == actor.pk:
            raise NotPermitted(_("不能确认或裁决自己的服务时长。"), code="own_hours")
        role = permitting_role(actor, perm, record) or ""
    with transaction.atomic():
        record = ServiceRecord.objects.select_for_update(of=("self",)).select_related("activity", "volunteer").get(pk=record.pk)
        transition = WORKFLOW.transition_for(action, record.state)
        if transition.needs_reason and not reason:
            raise Invalid(_("请填写理由。"), code="reason_required", field="reason")
        duty = SEPARATED_DUTIES.conflict(action, SEPARATED_DUTIES.taken(record.events.all(), actor))
        if duty:
            raise NotPermitted(_("补录时长的人不能再确认同一记录。"), code="separated_duties")
        fields = {"state": transition.target}
        if action == "correct":
            if minutes is None or not 1 <= int(minutes) <= record.cap_minutes:
                raise Invalid(_("更正时长须在 1 至 %(cap)s 分钟之间。") % {"cap": record.cap_minutes},
                              code="minutes_out_of_range", field="minutes")
            fields["minutes"] = int(minutes)
        if transition.target == S.CONFIRMED and record.confirmed_by_id is None:
            fields.update(confirmed_by=actor, confirmed_at=clock.now())
        before = record.state
        for name, value in fields.items():
            setattr(record, name, value)
        record.save(update_fields=list(fields))
        event = chain.append(RecordEvent, record, actor=actor, actor_role=role, action=action,
                             data={**_snapshot(record), "from": before, "reason": reason})
        if record.state == S.CONFIRMED:
            _settle_points(actor, record, event)
    return record


def record_person_service(service):
    """A person's service confirmed in another app (core.service_hours.PersonService)."""
    return record_from_party_service(ref=service.origin, user_id=service.user_id, community_id=service.community_id,
                                     org_id=service.org_id, minutes=service.minutes, served_on=service.served_on,
                                     content=service.content, confirmed_by_id=service.confirmed_by_id, is_demo=service.is_demo)


def record_from_party_service(*, ref, user_id, community_id, org_id, minutes, served_on, content, confirmed_by_id=None,
                              is_demo=False):
    """An in-service party member's service, confirmed in 党建引领惠邻 by the person served or
    a grid worker, enters this register confirmed: once per service (`ref`, unique), under his
    volunteer record (made if he has none), his unit as its team. Its hours count toward stars
    and certificates like any other; they earn no 雷锋超市 points, which follow the community's
    own activities and rules. Returns the record (the one already made, for a repeated ref)."""
    from liulin.accounts.models import User
    from liulin.territory.models import Area

    from .teams import register_volunteer

    found = ServiceRecord.objects.filter(source_ref=ref).first()
    if found is not None:
        return found
    member = User.objects.get(pk=user_id)
    community = Area.objects.get(pk=community_id)
    confirmer = User.objects.filter(pk=confirmed_by_id).first() if confirmed_by_id else None
    now = clock.now()
    with transaction.atomic():
        known = Q(user=member)  # as register_volunteer finds him: his own record, or one his team enrolled
        if getattr(member, "resident_id", None):
            known |= Q(resident_id=member.resident_id, user__isnull=True)
        is_new = not Volunteer.objects.filter(known).exists()
        volunteer = register_volunteer(actor=member, community=community)
        if is_new and is_demo:  # made for the demo's party service: demo data like it
            Volunteer.objects.filter(pk=volunteer.pk).update(is_demo=True)
        record = ServiceRecord(
            volunteer=volunteer, activity=None, team_id=org_id, community_id=community_id, served_on=served_on,
            content=(clean_text(content or "").strip() or _("在职党员社区服务"))[:200], place=community.name[:64],
            minutes=minutes, cap_minutes=minutes, source=ServiceRecord.Source.PARTYBUILDING, source_ref=ref,
            state=S.CONFIRMED, recorded_by=member, recorded_at=now, confirmed_by=confirmer, confirmed_at=now, is_demo=is_demo)
        try:
            with transaction.atomic():
                record.save()
        except IntegrityError:
            return ServiceRecord.objects.get(source_ref=ref)
        chain.new_chain(RecordEvent, record)
        chain.append(RecordEvent, record, actor=confirmer, actor_role="", action="record_party_service",
                     data={**_snapshot(record), "ref": ref})
    return record


def points_earned(record):
    """The points a record has earned so far (its postings, read from the ledger)."""
    account = ledger.account_of(record.volunteer)
    keys = Posting.objects.filter(key__startswith=f"record:{record.pk}:")
    return sum(account.entries.filter(posting__in=keys).values_list("amount", flat=True))


def _settle_points(actor, record, event):
    activity = record.activity
    if activity is None:  # hours credited from another app (a party member's service): no points
        return
    rate = activity.points_per_hour if activity.points_per_hour is not None else ledger.rules_for(activity.community).points_per_hour
    due = ledger.points_for(record.minutes, rate) - points_earned(record)
    if not due:
        return
    book = ledger.ledger_for(record.community)
    account = ledger.account_of(record.volunteer)
    issued = ledger.community_account(book, ledger.Kind.ISSUED)
    kind = Posting.Kind.EARN if event.action != "correct" else Posting.Kind.CORRECT
    ledger.post(ledger=book, key=f"record:{record.pk}:{event.seq}", kind=kind, actor=actor,
                entries=[(account, due), (issued, -due)], reason=record.content[:200])


def verify_record(record):
    """None when the record's chain holds and the row is what its last link says; else the
    BrokenLink, or the string "row" when the row was changed behind the chain."""
    broken = chain.verify(RecordEvent, record)
    if broken is not None:
        return broken
    last = record.events.order_by("-seq").first()
    fresh = ServiceRecord.objects.get(pk=record.pk)
    if last is None or {k: last.data.get(k) for k in _snapshot(fresh)} != _snapshot(fresh):
        return "row"
    return None
