"""双报到 of in-service party members: registration with the community where the member
lives, confirmed by his employer's party organisation (a partner unit's contact); services
logged with a photo and confirmed by the beneficiary or a grid worker; the quarterly report
to the employer; the community's annual evaluation."""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from liulin.core import audit, calendar, clock, service_hours
from liulin.core.attachments import services as attachments
from liulin.core.errors import Conflict, Invalid, NotPermitted
from liulin.core.notifications.services import Notice, send
from liulin.core.roles import Role
from liulin.orgs.models import Organisation

from ..models import (
    Category,
    Evaluation,
    Registration,
    RegistrationEvent,
    ReportDispatch,
    ServiceEvent,
    ServiceRecord,
)
from ..workflow import REGISTRATION, SERVICE
from ._common import authorise, day, first_event, lock, move, text

PHOTO_STAGE = "service"
MAX_PHOTOS = 6
KIND_REGISTRATION = "partybuilding.registration"
KIND_REPORT = "partybuilding.report"
DEFAULT_REPORT_DAYS = 7


def partner_contacts(org_id):
    """Ids of the users who hold the partner-contact role for an organisation."""
    from liulin.accounts.models import RoleAssignment

    return list(RoleAssignment.objects.filter(org_id=org_id, role=Role.PARTNER_CONTACT, active=True)
                .values_list("user_id", flat=True).distinct())


def _posts(posts):
    posts = list(dict.fromkeys(posts or []))
    if not posts or any(p not in Category.values for p in posts):
        raise Invalid(_("请至少选择一个服务岗位。"), code="posts_required", field="posts")
    return posts


@transaction.atomic
def register_member(*, actor, org, posts, is_demo=False):
    """An in-service party member reports to the community where he lives (his resident
    record's household), naming his employer's party organisation, which must confirm him."""
    resident = getattr(actor, "resident", None)
    if resident is None or not resident.household_id:
        raise Invalid(_("请先关联您的居民档案：报到的社区是您居住的社区。"), code="no_residence")
    if org.kind != Organisation.Kind.PARTNER_UNIT or not org.is_active:
        raise Invalid(_("请选择您所在单位的党组织（共建单位）。"), code="not_a_partner_unit", field="org")
    registration = Registration(user=actor, name=actor.name or resident.name, community_id=resident.household.community_id,
                                org=org, posts=_posts(posts), is_demo=is_demo)
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError:
        raise Conflict(_("您已向本社区报到。"), code="already_registered") from None
    first_event(RegistrationEvent, registration, actor=actor, action="register", role=Role.RESIDENT, to_state=registration.state)
    send([Notice(kind=KIND_REGISTRATION, text=N_("在职党员{name}向社区报到，请确认。"), params={"name": registration.name},
                 user_id=user_id, target=registration) for user_id in partner_contacts(org.pk)])
    return registration


@transaction.atomic
def registration_step(*, actor, registration, action, reason="", now=None):
    if action not in REGISTRATION.transitions:
        raise Invalid(_("未知的操作。"), code="unknown_action", field="action")
    role, _unit = authorise(actor, action, registration)
    locked = lock(Registration, registration)
    changes = {"confirmed_at": now or clock.now()} if action == "registration_confirm" else {}
    move(Registration, RegistrationEvent, locked, REGISTRATION, action, actor=actor, role=role,
         reason=text(reason, field="reason"), changes=changes)
    return locked


@transaction.atomic
def log_service(*, actor, registration, category, served_on, minutes, description, beneficiary=None, wish=None, project=None,
                photos=(), is_demo=False):
    """A member logs a service he gave; it counts once the beneficiary or a grid worker confirms it."""
    if actor is None or registration.user_id != actor.pk:
        raise NotPermitted(_("只能登记自己的服务。"))
    if registration.state != Registration.State.CONFIRMED:
        raise Conflict(_("报到经单位确认后才能登记服务。"), code="not_confirmed")
    if category not in Category.values:
        raise Invalid(_("请选择服务岗位。"), code="invalid_category", field="category")
    try:
        minutes = int(minutes)
    except (TypeError, ValueError):
        raise Invalid(_("请填写服务时长（分钟）。"), code="invalid_minutes", field="minutes") from None
    if not 1 <= minutes <= 24 * 60:
        raise Invalid(_("服务时长须在 1 到 1440 分钟之间。"), code="invalid_minutes", field="minutes")
    served_on = day(served_on, field="served_on")
    if served_on > clock.today():
        raise Invalid(_("服务日期不能晚于今天。"), code="future_date", field="served_on")
    if len(photos) > MAX_PHOTOS:
        raise Invalid(_("照片最多 %(n)s 张。") % {"n": MAX_PHOTOS}, code="too_many_photos", field="photos")
    cleaned = [attachments.clean(photo, field="photos") for photo in photos]
    record = ServiceRecord.objects.create(
        registration=registration, community_id=registration.community_id, org_id=registration.org_id, category=category,
        served_on=served_on, minutes=minutes, description=text(description, field="description", required=True, label=_("服务内容")),
        beneficiary=beneficiary, wish=wish, project=project, is_demo=is_demo,
    )
    for item in cleaned:
        attachments.save_clean(owner=record, cleaned=item, stage=PHOTO_STAGE, actor=actor)
    first_event(ServiceEvent, record, actor=actor, action="log", role=Role.RESIDENT, to_state=record.state,
                data={"minutes": minutes})
    return record


@transaction.atomic
def service_step(*, actor, record, action, reason="", now=None):
    """Confirm or refuse a logged service; never by the member who gave it. A confirmation is
    reported to the hours register (core.service_hours) in the same transaction: a service is
    confirmed with its hours credited or not at all."""
    if action not in SERVICE.transitions:
        raise Invalid(_("未知的操作。"), code="unknown_action", field="action")
    role, _unit = authorise(actor, action, record)
    if record.registration.user_id == actor.pk:
        raise NotPermitted(_("服务须由服务对象或网格员确认，不能自己确认。"), code="self_confirm")
    locked = lock(ServiceRecord, record)
    changes = {"confirmed_by": actor, "confirmed_at": now or clock.now()} if action == "service_confirm" else {}
    move(ServiceRecord, ServiceEvent, locked, SERVICE, action, actor=actor, role=role, reason=text(reason, field="reason"),
         changes=changes)
    if action == "service_confirm":
        service_hours.report(service_hours.PersonService(
            origin=f"partybuilding.service:{locked.pk}", user_id=locked.registration.user_id, community_id=locked.community_id,
            org_id=locked.org_id, minutes=locked.minutes, served_on=locked.served_on, content=locked.description[:200],
            confirmed_by_id=actor.pk, is_demo=locked.is_demo))
    return locked


@transaction.atomic
def evaluate_member(*, actor, registration, year, grade, comment=""):
    """The community's annual evaluation of a member: by its staff, for a year from the one he
    registered in up to this one, once per member and year (a unique constraint: a second
    evaluation, even a simultaneous one, is `already_evaluated`). A registration his unit
    never confirmed is not evaluated."""
    authorise(actor, "evaluate", registration)
    if grade not in Evaluation.Grade.values:
        raise Invalid(_("请选择评定等次。"), code="invalid_grade", field="grade")
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise Invalid(_("年度不正确。"), code="invalid_year", field="year") from None
    registered = timezone.localdate(registration.registered_at).year
    if not max(2000, registered) <= year <= clock.today().year:
        raise Invalid(_("年度不正确。"), code="invalid_year", field="year")
    if registration.state in (Registration.State.PENDING, Registration.State.REJECTED):
        raise Conflict(_("报到经单位确认后才能评议。"), code="not_confirmed")
    try:
        with transaction.atomic():
            evaluation = Evaluation.objects.create(registration=registration, year=year, grade=grade,
                                                   comment=text(comment, field="comment"), evaluated_by=actor)
    except IntegrityError:
        raise Conflict(_("该党员本年度已评议。"), code="already_evaluated") from None
    audit.record(actor=actor, action="partybuilding.evaluate", target=registration, year=year, grade=grade)
    return evaluation


@transaction.atomic
def send_quarterly_reports(*, actor, org, year, quarter):
    """Tell the unit's party organisation (its contacts, and its webhook) that the quarter's
    report of each of its confirmed members is ready, linking the report's PDF; the report
    itself is computed from the rows when read (selectors.member_quarter). The sending is
    recorded (ReportDispatch). Returns how many members were reported."""
    if not 1 <= int(quarter) <= 4:
        raise Invalid(_("季度须为 1 到 4。"), code="invalid_quarter", field="quarter")
    if actor is not None:
        partnership = org.partnerships.first()
        if partnership is None:
            raise Invalid(_("该单位尚未向社区报到。"), code="not_a_partner", field="org")
        authorise(actor, "report", partnership)
    members = _tell_unit(org, int(year), int(quarter))
    ReportDispatch.objects.create(org=org, year=int(year), quarter=int(quarter), members=members, sent_by=actor)
    audit.record(actor=actor, action="partybuilding.quarterly_reports", target=org, year=int(year), quarter=int(quarter),
                 members=members)
    return members


def _tell_unit(org, year, quarter):
    """The notices of one unit's quarter: one per confirmed member to each of the unit's
    contacts and to its webhook, linking his report's PDF. Returns how many members."""
    from django.urls import reverse

    registrations = list(Registration.objects.filter(org=org, state=Registration.State.CONFIRMED))
    contacts = partner_contacts(org.pk)
    notices = []
    for registration in registrations:
        # The link is the printed report (PDF): what the unit's party organisation files.
        url = reverse("partybuilding:member_report_pdf", args=[registration.pk, year, quarter])
        params = {"name": registration.name, "year": year, "quarter": quarter}
        text_ = N_("在职党员{name}{year}年第{quarter}季度社区服务报告已生成。")
        notices += [Notice(kind=KIND_REPORT, text=text_, params=params, user_id=u, target=registration, url=url) for u in contacts]
        notices.append(Notice(kind=KIND_REPORT, text=text_, params=params, org_id=org.pk, target=registration, url=url))
    send(notices)
    return len(registrations)


def report_days():
    return int(getattr(settings, "LIULIN_QUARTER_REPORT_DAYS", DEFAULT_REPORT_DAYS))


def quarter_just_ended(today):
    """(year, quarter) of the quarter before the one `today` is in, and the day this one began."""
    began = datetime.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    last = began - datetime.timedelta(days=1)
    return last.year, (last.month - 1) // 3 + 1, began


def send_due_quarterly_reports(*, now=None, days=None):
    """The periodic job: in the first `days` days of a quarter (LIULIN_QUARTER_REPORT_DAYS,
    default 7), send every partner unit's reports of the quarter just ended, once. A unit's
    automatic dispatch row is inserted first, under a unique constraint, with its notices in
    the same transaction: a second run, or another node's, sends nothing. A unit whose reports
    a person already sent after the quarter ended is left alone. Returns the units sent to."""
    now = now or clock.now()
    today = timezone.localdate(now)
    year, quarter, began = quarter_just_ended(today)
    if (today - began).days >= (report_days() if days is None else days):
        return 0
    done = ReportDispatch.objects.filter(year=year, quarter=quarter).filter(
        Q(automatic=True) | Q(sent_at__gte=calendar.start_of_day(began))).values("org_id")
    units = (Organisation.objects.filter(kind=Organisation.Kind.PARTNER_UNIT, is_active=True, partnerships__isnull=False)
             .exclude(pk__in=done).distinct().order_by("pk"))
    return sum(1 for org in units if dispatch_automatic(org=org, year=year, quarter=quarter, now=now))


@transaction.atomic
def dispatch_automatic(*, org, year, quarter, now=None):
    """Send one unit's quarter unless it was sent automatically already. True when sent."""
    try:
        with transaction.atomic():
            dispatch = ReportDispatch.objects.create(org=org, year=year, quarter=quarter, automatic=True, sent_at=now or clock.now())
    except IntegrityError:
        return False
    dispatch.members = _tell_unit(org, year, quarter)
    dispatch.save(update_fields=["members"])
    audit.record(actor=None, action="partybuilding.quarterly_reports", target=org, year=year, quarter=quarter,
                 members=dispatch.members, automatic=True)
    return True
