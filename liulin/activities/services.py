"""Every write of activities: enrol fairly, pass freed places along the waiting list, check
people in, and run an activity through its states.

Capacity is never read-then-written. A place is taken by one conditional UPDATE
(`taken = taken + 1 WHERE taken < capacity - reserved AND state = 'open'`) and the database's
check constraint refuses an oversell anyway; one live enrolment per person per activity is a
conditional unique constraint. Both hold on SQLite (IMMEDIATE transactions) and PostgreSQL
(the UPDATE's row lock; READ COMMITTED re-reads the row after the lock is released).

A freed place is never returned to the pool while someone waits: it is offered to the first
in line, claimed by a conditional UPDATE of his row (`WHERE state = 'waiting'`), so two
places freed at once reach two different people. The offer holds the place (it stays in
`taken`) until it is accepted, declined or lapses; a task queued for the moment it lapses
(core.tasks.schedule_at), and a periodic sweep as a safety net, pass it on.
"""

import datetime

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_noop as N_
from django_tasks import task

from liulin.core import audit, chain, clock, crypto, service_hours
from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted
from liulin.core.notifications import kinds
from liulin.core.notifications.services import Notice, send
from liulin.core.permissions import authorise, can
from liulin.core.tasks import schedule_at
from liulin.core.text import clean_text
from liulin.people import proxies

from .models import Activity, ActivityEvent, Attendance, Enrolment, EnrolmentEvent, FamilyLink, NoShowPolicy
from .workflow import ACTIVITY_WORKFLOW, ENROLMENT_WORKFLOW

A = Activity.State
E = Enrolment.State

MINOR_AGE = 14  # under this age a guardian links, consents, and an adult signs in and out
ELDER_CONSENT_AGE = 80  # a returning student over this age needs family consent and a safety pledge
PROXY_SERVICE = "activities"  # the code registered with people.proxies
KIND_ENROLMENT = "activities.enrolment"
kinds.register(KIND_ENROLMENT, gettext_lazy("活动与课程报名"))
NOT_FOUND = N_("找不到该活动，或您无权查看。")


# --- who may act for whom ---------------------------------------------------------------------


def acts_for(user, resident):
    """How `user` may act for `resident` as a resident: "self", "family" (same household, a
    verified family link, or her consent in people.proxies), or None."""
    own = getattr(user, "resident", None)
    if own is not None:
        if own.pk == resident.pk:
            return Enrolment.Channel.SELF
        if own.household_id and own.household_id == resident.household_id:
            return Enrolment.Channel.FAMILY
        if FamilyLink.objects.filter(resident=resident, relative=own).exists():
            return Enrolment.Channel.FAMILY
    # The resident's recorded consent covering activities (people.proxies): a family member
    # elsewhere, or her grid worker.
    if proxies.proxy_for(user, resident, PROXY_SERVICE) is not None:
        return Enrolment.Channel.FAMILY
    return None


def _counter(actor, activity):
    """May `actor` enrol people at the counter for `activity` (community staff in scope)?"""
    return can(actor, "activities.counter", activity)


def age_on(resident, day):
    b = resident.birth_date
    return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


# --- the no-show policy ---------------------------------------------------------------------


def policy_for(community_id):
    return NoShowPolicy.objects.filter(community_id=community_id).first() or NoShowPolicy(community_id=community_id)


def restricted_until(resident, community, *, now=None):
    """When the resident may again take a place directly, or None: after `threshold` strikes
    (no-shows and late cancellations) within the lookback, the last strike's day plus
    `restriction_days`. Remembered across every activity of the community."""
    now = now or clock.now()
    community_id = getattr(community, "pk", community)
    policy = policy_for(community_id)
    since = now - datetime.timedelta(days=policy.lookback_days)
    strikes = list(
        Enrolment.objects.filter(resident=resident, activity__community_id=community_id, activity__starts_at__gte=since)
        .filter(Q(state=E.NO_SHOW) | Q(state=E.CANCELLED, late_cancel=True))
        .order_by("-activity__starts_at")
        .values_list("activity__starts_at", flat=True)[: policy.threshold]
    )
    if len(strikes) < policy.threshold:
        return None
    until = strikes[0] + datetime.timedelta(days=policy.restriction_days)
    return until if until > now else None


# --- eligibility ------------------------------------------------------------------------------


def _check_eligible(activity, resident, *, consent_by, safety_pledge, proxy=None):
    day = timezone.localdate(activity.starts_at)
    age = age_on(resident, day)
    community_id = resident.household.community_id if resident.household_id else None
    if activity.kind == Activity.Kind.CLASS:
        term = activity.term
        if term.residents_only and community_id != activity.community_id:
            raise Invalid(_("老年大学只招收本社区居民。"), code="not_resident")
        minimum = term.min_age_female if resident.gender == "F" else term.min_age_male
        if age < minimum:
            raise Invalid(_("报名年龄须满 %(age)s 岁。") % {"age": minimum}, code="too_young")
        if age > term.max_age:
            returning = Enrolment.objects.filter(
                resident=resident, activity__kind=Activity.Kind.CLASS, state__in=[E.CONFIRMED, E.ATTENDED]
            ).exclude(activity__term=term).exists()
            if not returning:
                raise Invalid(_("新学员年龄不超过 %(age)s 岁。") % {"age": term.max_age}, code="too_old")
        if age > ELDER_CONSENT_AGE and not (consent_by and safety_pledge):
            raise Invalid(_("80 岁以上学员须有家属同意并签署安全承诺。"), code="consent_required")
    else:
        if activity.min_age is not None and age < activity.min_age:
            raise Invalid(_("该活动要求年满 %(age)s 岁。") % {"age": activity.min_age}, code="too_young")
        if activity.max_age is not None and age > activity.max_age:
            raise Invalid(_("该活动限 %(age)s 岁及以下。") % {"age": activity.max_age}, code="too_old")
    if age < MINOR_AGE:
        if consent_by is None or not FamilyLink.objects.filter(
            resident=resident, relative=consent_by, kind=FamilyLink.Kind.GUARDIAN
        ).exists():
            raise Invalid(_("未满 14 岁须由已核验的监护人同意后报名。"), code="guardian_required")
    elif consent_by is not None and not FamilyLink.objects.filter(resident=resident, relative=consent_by).exists() \
            and consent_by.household_id != resident.household_id and not _named_by(proxy, consent_by):
        raise Invalid(_("同意人须是已登记的家属。"), code="consent_not_family")
    return age


def _named_by(proxy, resident):
    """Does the elder's consent (people.Proxy) name `resident` as her proxy?"""
    return proxy is not None and resident is not None and proxy.proxy_resident_id == resident.pk


def _check_timetable(activity, resident):
    """A student takes at most the term's number of classes, none at the same weekly time."""
    if activity.kind != Activity.Kind.CLASS:
        return
    others = list(
        Activity.objects.filter(
            term=activity.term, enrolments__resident=resident, enrolments__state__in=[E.CONFIRMED, E.WAITING, E.OFFERED]
        ).exclude(pk=activity.pk).prefetch_related("slots")
    )
    if len(others) >= activity.term.max_classes:
        raise Conflict(_("本学期每人最多报 %(n)s 个班。") % {"n": activity.term.max_classes}, code="too_many_classes")
    mine = list(activity.slots.all())
    for other in others:
        if any(a.overlaps(b) for a in mine for b in other.slots.all()):
            raise Conflict(_("与已报的“%(title)s”上课时间冲突。") % {"title": other.title}, code="timetable_clash")


# --- enrolling ------------------------------------------------------------------------------


def _event(enrolment, *, actor, action, role="", **data):
    return chain.append(EnrolmentEvent, enrolment, actor=actor, actor_role=role, action=action, data=data)


def _activity_event(activity, *, actor, action, role="", **data):
    return chain.append(ActivityEvent, activity, actor=actor, actor_role=role, action=action, data=data)


def _notify(enrolment, text, **params):
    users = {enrolment.enrolled_by_id}
    account = getattr(enrolment.resident, "account", None) if enrolment.resident_id else None
    if account is not None:
        users.add(account.pk)
    url = reverse("activities:mine")
    params = {"title": enrolment.activity.title, **params}
    send([Notice(kind=KIND_ENROLMENT, text=text, params=params, user_id=u, target=enrolment, url=url) for u in users if u])


def _take_place(activity):
    """Take one open place by a conditional UPDATE; True if taken."""
    return bool(
        Activity.objects.filter(pk=activity.pk, state__in=[A.OPEN, A.RENEWAL], taken__lt=F("capacity") - F("reserved"))
        .update(taken=F("taken") + 1)
    )


def attendance_share(enrolment):
    """Percent of the class's sessions (days anyone was checked in) this student attended;
    None when the class recorded no session."""
    sessions = Attendance.objects.filter(enrolment__activity_id=enrolment.activity_id).values("on").distinct().count()
    if not sessions:
        return None
    return 100 * Attendance.objects.filter(enrolment=enrolment).count() // sessions


def is_returning(resident, activity):
    """A returning student of `activity`'s course: enrolled in one of its classes in an
    earlier term, and present at least the term's renewal share of its sessions."""
    earlier = Enrolment.objects.filter(
        resident=resident, activity__course_id=activity.course_id, activity__kind=Activity.Kind.CLASS,
        activity__term__starts_on__lt=activity.term.starts_on, state__in=[E.CONFIRMED, E.ATTENDED],
    )
    for enrolment in earlier:
        share = attendance_share(enrolment)
        if share is None or share >= activity.term.renewal_attendance_percent:
            return True
    return False


def priority_tier(resident, activity):
    """The lottery's tiers: 0 for a student's first class this term, 1 for a further one, so
    that more people get one class before anyone gets two."""
    if activity.kind != Activity.Kind.CLASS:
        return 0
    other = Enrolment.objects.filter(
        resident=resident, activity__term_id=activity.term_id, state__in=[E.APPLIED, E.CONFIRMED, E.WAITING, E.OFFERED]
    ).exclude(activity=activity)
    return 1 if other.exists() else 0


@transaction.atomic
def enrol(*, actor, activity, resident, consent_by=None, safety_pledge=False, id_number=""):
    """Enrol `resident` in `activity`: a place if one is free, else the waiting list.

    `actor` is the resident himself, his family (same household or a verified link), or
    community staff at the counter, who must type the ID number the person shows. A minor
    (under 14) needs `consent_by`, a verified guardian, whose consent is timestamped."""
    channel = acts_for(actor, resident)
    if channel is None:
        if not _counter(actor, activity):
            raise NotPermitted(_("只能为本人或已登记的家属报名。"))
        channel = Enrolment.Channel.COUNTER
        if not id_number or crypto.keyed_hash(_clean_id(id_number)) != resident.id_hash:
            audit.record_access(actor=actor, target=resident, field="id_number_check", reason="enrol: no match")
            raise Invalid(_("身份证号与报名人不符。"), code="id_mismatch", field="id_number")
        audit.record_access(actor=actor, target=resident, field="id_number_check", reason="enrol: match")
    if activity.state not in (A.OPEN, A.RENEWAL, A.APPLYING):
        raise Conflict(_("该活动当前不在报名中。"), code="not_open")
    proxy = proxies.proxy_for(actor, resident, PROXY_SERVICE) if channel == Enrolment.Channel.FAMILY else None
    if channel == Enrolment.Channel.FAMILY and consent_by is None:
        consent_by = actor.resident
    _check_eligible(activity, resident, consent_by=consent_by, safety_pledge=safety_pledge, proxy=proxy)
    _check_timetable(activity, resident)
    if activity.state == A.RENEWAL and not is_returning(resident, activity):
        raise Conflict(_("现在是老学员续报阶段，新学员请在报名申请开始后申请。"), code="renewal_only")
    restricted = restricted_until(resident, activity.community_id)
    if activity.state == A.APPLYING:
        state = E.APPLIED  # the lottery decides; nobody gains by applying first
    else:
        state = E.WAITING if restricted else (E.CONFIRMED if _take_place(activity) else E.WAITING)
    ticket = _next_ticket(activity)
    now = clock.now()
    enrolment = Enrolment(
        activity=activity, resident=resident, state=state, ticket=ticket, channel=channel, enrolled_by=actor, created_at=now,
        consent_by=consent_by, consent_at=now if consent_by else None, safety_pledge=bool(safety_pledge),
        tier=priority_tier(resident, activity) + (2 if restricted else 0),
    )
    try:
        with transaction.atomic():
            enrolment.save()
    except IntegrityError:
        raise Conflict(_("已报名或正在候补，无需重复报名。"), code="already_enrolled") from None
    chain.new_chain(EnrolmentEvent, enrolment)
    _event(enrolment, actor=actor, action="enrol", role=channel, state=state, channel=channel,
           restricted_until=restricted.isoformat() if restricted else None,
           consent_at=now.isoformat() if consent_by else None)
    if proxy is not None:  # both names: the enrolment's resident and enrolled_by, and the consent's record
        proxies.record_act(proxy=proxy, actor=actor, service=PROXY_SERVICE, action=N_("报名"), target=enrolment,
                           summary=activity.title, now=now)
    enrolment.restricted_until = restricted
    return enrolment


def _next_ticket(activity):
    """The next arrival number. The UPDATE holds the activity's row until commit (PostgreSQL;
    SQLite's IMMEDIATE transaction holds the whole database), so tickets follow the order in
    which places were taken."""
    Activity.objects.filter(pk=activity.pk).update(arrivals=F("arrivals") + 1)
    return Activity.objects.filter(pk=activity.pk).values_list("arrivals", flat=True).get()


def _clean_id(id_number):
    from liulin.people.services import clean_id_number

    return clean_id_number(clean_text(id_number or "", field="id_number").strip().upper())


def waiting_position(enrolment):
    """1 for the first in line; None when not waiting."""
    if enrolment.state != E.WAITING:
        return None
    ahead = Enrolment.objects.filter(activity_id=enrolment.activity_id, state=E.WAITING, ticket__lt=enrolment.ticket).count()
    return ahead + 1


# --- passing a freed place on ---------------------------------------------------------------


def _pass_place(activity, *, actor=None):
    """A place held by someone is free: offer it to the first in line who may take it, or
    give it back. Each candidate is claimed by a conditional UPDATE, so two places freed at
    the same moment go to two people."""
    now = clock.now()
    expires = now + datetime.timedelta(hours=activity.hold_hours)
    if activity.state == A.OPEN or activity.state == A.CLOSED:
        waiting = Enrolment.objects.filter(activity=activity, state=E.WAITING).order_by("ticket").select_related("resident")
        for candidate in waiting.iterator(chunk_size=50):
            if not Enrolment.objects.filter(pk=candidate.pk, state=E.WAITING).update(state=E.OFFERED, offer_expires_at=expires):
                continue  # someone else's freed place reached him first
            candidate.state, candidate.offer_expires_at, candidate.activity = E.OFFERED, expires, activity
            _event(candidate, actor=None, action="offer", expires_at=expires.isoformat())
            _notify(candidate, N_("“{title}”有名额递补给您，请在 {until} 前确认。"), until=expires.strftime("%m-%d %H:%M"))
            transaction.on_commit(lambda pk=candidate.pk, when=expires: schedule_at(expire_offer_task, when, pk))
            return candidate
    Activity.objects.filter(pk=activity.pk, taken__gt=0).update(taken=F("taken") - 1)
    return None


def _step(enrolment, action, *, actor, role="", **data):
    """Move a held enrolment one edge of the table by a conditional UPDATE from its state."""
    found = ENROLMENT_WORKFLOW.transition_for(action, enrolment.state)
    changes = {"state": found.target}
    if found.target != E.OFFERED:
        changes["offer_expires_at"] = None
    if not Enrolment.objects.filter(pk=enrolment.pk, state=enrolment.state).update(**changes):
        raise Conflict(_("报名状态已变化，请刷新后再试。"), code="stale")
    previous = enrolment.state
    enrolment.state, enrolment.offer_expires_at = found.target, changes["offer_expires_at"] if "offer_expires_at" in changes else enrolment.offer_expires_at
    _event(enrolment, actor=actor, action=action, role=role, **{"from": previous, "to": found.target, **data})
    return previous


def _authorise_person(actor, enrolment, action):
    perm = ENROLMENT_WORKFLOW.perm(action)
    authorise(actor, perm, enrolment, view="activities.enrolment_view", not_found=NOT_FOUND)
    if acts_for(actor, enrolment.resident) is None and not _counter(actor, enrolment.activity):
        # A household scope reaches his family; anyone else needs the counter.
        raise NotPermitted(_("只能为本人或已登记的家属办理。"))


@transaction.atomic
def act_on_enrolment(*, actor, enrolment, action, reason=""):
    """The person's own steps: accept or decline an offer, cancel a place or leave the list."""
    enrolment = Enrolment.objects.select_for_update().select_related("activity", "resident").get(pk=enrolment.pk)
    _authorise_person(actor, enrolment, action)
    activity = enrolment.activity
    now = clock.now()
    if action == "accept" and enrolment.state == E.OFFERED and enrolment.offer_expires_at <= now:
        raise Conflict(_("递补名额已过保留时间。"), code="offer_expired")
    if action == "cancel" and enrolment.state == E.CONFIRMED and now >= activity.starts_at and activity.kind == Activity.Kind.EVENT:
        raise Conflict(_("活动已开始，不能取消。"), code="started")
    late = (action == "cancel" and enrolment.state == E.CONFIRMED and activity.kind == Activity.Kind.EVENT
            and now > activity.starts_at - datetime.timedelta(hours=activity.cancel_cutoff_hours))
    ENROLMENT_WORKFLOW.transition_for(action, enrolment.state)
    role = acts_for(actor, enrolment.resident) or Enrolment.Channel.COUNTER
    previous = _step(enrolment, action, actor=actor, role=role, late=late, reason=clean_text(reason or "")[:200])
    if late:
        Enrolment.objects.filter(pk=enrolment.pk).update(late_cancel=True)
        enrolment.late_cancel = True
    if previous in (E.CONFIRMED, E.OFFERED) and action in ("cancel", "decline"):
        _pass_place(activity)
    return enrolment


# --- lapsed offers ---------------------------------------------------------------------------


@transaction.atomic
def expire_offer(enrolment_id, *, now=None):
    """Lapse one offer whose time is up and pass its place on; does nothing otherwise (a
    task that runs twice or late, or an offer accepted meanwhile)."""
    now = now or clock.now()
    enrolment = (
        Enrolment.objects.select_for_update().select_related("activity", "resident")
        .filter(pk=enrolment_id, state=E.OFFERED, offer_expires_at__lte=now).first()
    )
    if enrolment is None:
        return None
    _step(enrolment, "expire", actor=None)
    _notify(enrolment, N_("“{title}”的递补名额已过保留时间，已顺延给下一位。"))
    _pass_place(enrolment.activity)
    return enrolment


@task()
def expire_offer_task(enrolment_id):
    expire_offer(enrolment_id)


def sweep_offers(*, now=None):
    """Lapse every offer whose time is up (the periodic safety net for the queued tasks)."""
    now = now or clock.now()
    due = Enrolment.objects.filter(state=E.OFFERED, offer_expires_at__lte=now).values_list("pk", flat=True)
    return [pk for pk in list(due[:500]) if expire_offer(pk, now=now) is not None]


# --- check-in --------------------------------------------------------------------------------

SIGNER_SALT = "activities.checkin"


def checkin_code(enrolment):
    """The signed code a QR carries: the enrolment's id and a signature, nothing personal."""
    return signing.Signer(salt=SIGNER_SALT).sign(str(enrolment.pk))


def _enrolment_from_code(code):
    try:
        return int(signing.Signer(salt=SIGNER_SALT).unsign(clean_text(code or "").strip()))
    except (signing.BadSignature, ValueError):
        raise Invalid(_("签到码无效。"), code="bad_code", field="code") from None


@transaction.atomic
def check_in(*, actor, activity, code="", id_number="", enrolment=None, adult="", method=None):
    """Admit one enrolled person today: by the QR code, a typed ID number (elders without a
    phone), or roll-call (the teacher taps a name: `enrolment`). Returns (attendance, repeat):
    a repeat scan does not admit twice, it says who admitted him and when. A minor is signed
    in by a named adult."""
    authorise(actor, ACTIVITY_WORKFLOW.perm("check_in"), activity, not_found=NOT_FOUND)
    if activity.state not in (A.OPEN, A.CLOSED):
        raise Conflict(_("该活动当前不能签到。"), code="not_running")
    enrolments = Enrolment.objects.select_related("resident").filter(activity=activity)
    if code:
        method = Attendance.Method.QR
        found = enrolments.filter(pk=_enrolment_from_code(code)).first()
    elif id_number:
        method = Attendance.Method.ID
        found = enrolments.filter(resident__id_hash=crypto.keyed_hash(_clean_id(id_number)), state__in=[E.CONFIRMED, E.ATTENDED]).first()
        if found is not None:
            audit.record_access(actor=actor, target=found.resident, field="id_number_check", reason="check-in")
    elif enrolment is not None:
        method = method or Attendance.Method.ROLL
        found = enrolments.filter(pk=enrolment.pk).first()
    else:
        raise Invalid(_("请扫码、输入签到码或身份证号。"), code="nothing_to_check")
    if found is None:
        raise NotFound(_("本活动没有这位报名人。"), code="not_enrolled")
    if found.state != E.CONFIRMED:
        raise Conflict(_("该报名状态为“%(state)s”，不能签到。") % {"state": found.get_state_display()}, code="not_confirmed")
    today = clock.today()
    existing = Attendance.objects.select_related("by").filter(enrolment=found, on=today).first()
    if existing is not None:
        return existing, True
    adult = clean_text(adult or "").strip()[:32]
    if age_on(found.resident, today) < MINOR_AGE and not adult:
        raise Invalid(_("未成年人须由接送的成年人签到，请填写其姓名。"), code="adult_required", field="adult")
    try:
        with transaction.atomic():
            attendance = Attendance.objects.create(enrolment=found, on=today, by=actor, method=method, adult_in=adult)
    except IntegrityError:  # a second scanner admitted him this instant
        return Attendance.objects.select_related("by").get(enrolment=found, on=today), True
    _event(found, actor=actor, action="check_in", method=method, day=today.isoformat(), adult=adult)
    return attendance, False


@transaction.atomic
def sign_out(*, actor, attendance, adult):
    """A minor leaves with a named adult."""
    attendance = Attendance.objects.select_for_update().select_related("enrolment__activity").get(pk=attendance.pk)
    authorise(actor, ACTIVITY_WORKFLOW.perm("check_in"), attendance.enrolment.activity, not_found=NOT_FOUND)
    adult = clean_text(adult or "").strip()[:32]
    if not adult:
        raise Invalid(_("请填写接走孩子的成年人姓名。"), code="adult_required", field="adult")
    if attendance.out_at is not None:
        raise Conflict(_("已签退。"), code="signed_out")
    attendance.adult_out, attendance.out_at = adult, clock.now()
    attendance.save(update_fields=["adult_out", "out_at"])
    _event(attendance.enrolment, actor=actor, action="sign_out", adult=adult)
    return attendance


# --- the activity's own states ----------------------------------------------------------------


@transaction.atomic
def act_on_activity(*, actor, activity, action, reason="", public_value=""):
    """Open, close, finish or cancel an activity. Finishing an event records each confirmed
    place as attended or no-show; cancelling releases every place."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    authorise(actor, ACTIVITY_WORKFLOW.perm(action), activity, not_found=NOT_FOUND)
    found = ACTIVITY_WORKFLOW.transition_for(action, activity.state)
    reason = clean_text(reason or "").strip()
    if found.needs_reason and len(reason) < 2:
        raise Invalid(_("请填写原因。"), code="reason_required", field="reason")
    if action in ("open_renewal", "open_applications", "draw") and activity.kind != Activity.Kind.CLASS:
        raise Conflict(_("续报与抽签只用于老年大学班级。"), code="classes_only")
    public_value = clean_text(public_value or "").strip()[:200]
    if action == "open_applications":
        if len(public_value) < 4:
            raise Invalid(_("请填写抽签前公开的数值（如当日公布的彩票开奖号码），抽签种子由它与申请名单生成。"),
                          code="public_value_required", field="public_value")
        Activity.objects.filter(pk=activity.pk).update(draw_public_value=public_value)
        activity.draw_public_value = public_value
    previous = activity.state
    Activity.objects.filter(pk=activity.pk).update(state=found.target)
    activity.state = found.target
    extra = {"public_value": public_value} if action == "open_applications" else {}
    _activity_event(activity, actor=actor, action=action, **{"from": previous, "to": found.target, "reason": reason[:200], **extra})
    if action == "draw":
        from .lottery import draw

        draw(activity, actor=actor)
    elif action == "finish":
        _settle(activity, actor)
    elif action == "cancel_activity":
        live = Enrolment.objects.filter(activity=activity, state__in=[E.APPLIED, E.CONFIRMED, E.WAITING, E.OFFERED]).select_related("resident", "activity")
        for enrolment in live:
            _step(enrolment, "withdraw", actor=actor, reason=reason[:200])
            _notify(enrolment, N_("“{title}”已取消：{reason}"), reason=reason[:100])
        Activity.objects.filter(pk=activity.pk).update(taken=0)
    return activity


TEAM_KINDS = ("culture_team", "volunteer_team")  # orgs.Organisation kinds whose activities are service


def _report_service_hours(activity, came, actor):
    """A team's activity tells the platform who came and when it ran (core.service_hours), so
    a team that served (a performance at the 敬老 day, a sports meeting it stewarded) has its
    members' hours recorded where the hours register plugs in. This app keeps no hours."""
    organiser = activity.organiser
    if not service_hours.listening() or organiser is None or organiser.kind not in TEAM_KINDS:
        return
    resident_ids = Enrolment.objects.filter(pk__in=came).order_by("resident_id").values_list("resident_id", flat=True)
    service_hours.report(service_hours.TeamService(
        origin=f"activities.activity:{activity.pk}", team_id=organiser.pk, community_id=activity.community_id,
        title=activity.title, description=activity.description,
        place=activity.facility.name if activity.facility_id else activity.community.name,
        starts_at=activity.starts_at, ends_at=activity.ends_at, resident_ids=tuple(resident_ids), actor=actor,
    ))


def _settle(activity, actor):
    """An event's confirmed places become attended (checked in at least once) or no-show.
    Offers and the waiting list lapse with it. A class keeps its attendance rows. A team's
    activity reports who came (core.service_hours)."""
    confirmed = Enrolment.objects.filter(activity=activity, state=E.CONFIRMED)
    came = set(Attendance.objects.filter(enrolment__activity=activity).values_list("enrolment_id", flat=True))
    _report_service_hours(activity, came, actor)
    for enrolment in confirmed:
        if activity.kind == Activity.Kind.EVENT or enrolment.pk in came:
            _step(enrolment, "mark_attended" if enrolment.pk in came else "mark_no_show", actor=None)
    for enrolment in Enrolment.objects.filter(activity=activity, state__in=[E.WAITING, E.OFFERED]):
        _step(enrolment, "withdraw", actor=None, reason="finished")


# --- setting up -------------------------------------------------------------------------------


@transaction.atomic
def create_activity(*, actor, community, kind, title, starts_at, ends_at, capacity, reserved=0, organiser=None,
                    facility=None, course=None, term=None, teacher=None, hold_hours=48, cancel_cutoff_hours=24,
                    min_age=None, max_age=None, description="", slots=(), is_demo=False):
    """A new class or event, in draft. `slots` are (weekday, starts, ends) for a class."""
    title = clean_text(title or "").strip()[:80]
    if not title:
        raise Invalid(_("请填写名称。"), field="title")
    starts_at, ends_at = clock.bounded(starts_at, field="starts_at"), clock.bounded(ends_at, field="ends_at")
    if ends_at < starts_at:
        raise Invalid(_("结束时间不能早于开始时间。"), field="ends_at")
    if capacity < 1 or reserved < 0 or reserved > capacity:
        raise Invalid(_("名额须至少 1 个，预留名额不能超过名额。"), field="capacity")
    if kind == Activity.Kind.CLASS and (course is None or term is None):
        raise Invalid(_("班级须属于一门课程和一个学期。"), field="course")
    if facility is not None and facility.community_id != community.pk:
        raise Invalid(_("场地不在本社区。"), field="facility")
    activity = Activity.objects.create(
        community=community, kind=kind, title=title, description=clean_text(description or ""), course=course, term=term,
        organiser=organiser, teacher=teacher, facility=facility, starts_at=starts_at, ends_at=ends_at, capacity=capacity,
        reserved=reserved, hold_hours=hold_hours, cancel_cutoff_hours=cancel_cutoff_hours, min_age=min_age,
        max_age=max_age, is_demo=is_demo,
    )
    if actor is not None and not can(actor, "activities.create", community) and not can(actor, ACTIVITY_WORKFLOW.perm("open"), activity):
        raise NotPermitted(_("您不能在此创建活动。"))
    for weekday, starts, ends in slots:
        activity.slots.create(weekday=weekday, starts=starts, ends=ends)
    chain.new_chain(ActivityEvent, activity)
    _activity_event(activity, actor=actor, action="create", kind=kind, capacity=capacity, reserved=reserved)
    venue_hook(activity)
    return activity


def venue_hook(activity):
    """Where the venues app books the activity's place. Until it does, nothing is booked:
    an activity names its facility and the venues app, when installed, reads it from here
    (`liulin.core.plugins`-style registration keeps this app free of its models)."""
    for hook in _venue_hooks:
        hook(activity)


_venue_hooks = []


def register_venue_hook(hook):
    """The venues app registers `hook(activity)` to book (or check) the activity's facility."""
    if hook not in _venue_hooks:
        _venue_hooks.append(hook)


@transaction.atomic
def link_family(*, actor, resident, relative, kind):
    """Staff verify (from the household register or documents) that `relative` may act for
    `resident`: as guardian of a minor, or as family of an elder."""
    if kind not in FamilyLink.Kind.values:
        raise Invalid(_("未知的关系。"), field="kind")
    if resident.pk == relative.pk:
        raise Invalid(_("不能与本人建立关系。"), field="relative")
    community = resident.household.community if resident.household_id else None
    if community is None or not can(actor, "activities.link_family", community):
        raise NotPermitted(_("您不能核验该居民的亲属关系。"))
    try:
        with transaction.atomic():
            link = FamilyLink.objects.create(resident=resident, relative=relative, kind=kind, verified_by=actor)
    except IntegrityError:
        raise Conflict(_("该亲属关系已登记。"), code="duplicate_link") from None
    audit.record(actor=actor, action="activities.link_family", target=link, kind=kind)
    return link
