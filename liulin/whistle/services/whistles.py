"""吹哨报到: the community summons departments to problems it cannot settle alone.

A supervisor (whistle.whistle in the community) blows a whistle on open tickets of his
community, naming departments, a kind and a report-in deadline. Defaults follow Nanjing
Gulou's practice and live in settings.LIULIN_WHISTLE_REPORT_DEADLINES:
emergency — sign in within 1 hour of calendar time; work progress — 3 working days; hard
problem — 5 working days (a working day = the work calendar's sessions, 7 hours by default,
counted with core.calendar.add_working_days so nights, weekends and holidays do not count).

Each summoned department reports in (who, when, on site or not), records its actions and
verifies (核单); a department that has not reported in by the deadline is flagged late by
`flag_unreported` (run by the periodic sweep) and one that reports in after it is late too.
The community rates each report-in 1–5; `department_ranking` orders departments by a score
in which a missed report-in counts 0★ and a late one half its rating (docs/kpi.md).
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Avg, Case, Count, F, FloatField, Q, Value, When
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from liulin.core import calendar as workcal
from liulin.core import clock
from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted
from liulin.core.permissions import active_assignments, roles_with
from liulin.core.roles import Role
from liulin.orgs.models import Organisation

from .. import events
from ..models import Summons, Ticket, Tier, WhistleCall
from ..notifications import notify_summons
from ..workflow import OPEN_STATES
from . import tiers

# The share of its rating a late report-in earns in the ranking (settings.LIULIN_WHISTLE_LATE_SHARE).
DEFAULT_LATE_SHARE = 0.5

DEFAULT_REPORT_DEADLINES = {
    "emergency": {"minutes": 60, "working_time": False},
    "progress": {"working_days": 3},
    "hard": {"working_days": 5},
}


# --- who may --------------------------------------------------------------------------


def _role_in_community(actor, perm, community):
    """The area role covering `community` through which the actor holds `perm` ("superuser"
    for one), or None: the capacity an event records."""
    if getattr(actor, "is_superuser", False):
        return "superuser"
    roles = roles_with(perm)
    for assignment in active_assignments(actor):
        if assignment.role in roles and assignment.area_id and community.path.startswith(assignment.area.path):
            return assignment.role
    return None


def _require_supervisor(actor, community):
    if _role_in_community(actor, "whistle.whistle", community) is None:
        raise NotPermitted(_("只有本社区的督办人员可以吹哨和评价报到。"), code="not_permitted")


def _require_officer(actor, summons):
    """A department officer of the summoned department (others do not even see it)."""
    if getattr(actor, "is_superuser", False):
        return
    if not any(a.role == Role.DEPARTMENT_OFFICER and a.org_id == summons.department_id for a in active_assignments(actor)):
        raise NotFound(_("找不到该报到任务，或您无权查看。"))


# --- deadlines ------------------------------------------------------------------------


def default_report_due(kind, blown_at):
    """When departments must report in for a whistle of `kind` blown at `blown_at`."""
    rules = {**DEFAULT_REPORT_DEADLINES, **getattr(settings, "LIULIN_WHISTLE_REPORT_DEADLINES", {})}
    rule = rules.get(kind)
    if rule is None:
        raise Invalid(_("无效的吹哨类型。"), code="invalid_kind", field="kind")
    if "working_days" in rule:
        return workcal.add_working_days(blown_at, rule["working_days"])
    if rule.get("working_time"):
        return workcal.add_working_minutes(blown_at, rule["minutes"])
    return blown_at + datetime.timedelta(minutes=rule["minutes"])


# --- blowing --------------------------------------------------------------------------


def _clean_tickets(tickets, community):
    tickets = list(tickets)
    if not tickets:
        raise Invalid(_("请至少选择一张工单。"), code="tickets_required", field="tickets")
    ids = {t.pk for t in tickets}
    found = list(Ticket.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    if len(found) != len(ids) or any(t.community_id != community.pk for t in found):
        raise Invalid(_("只能对本社区的工单吹哨。"), code="ticket_outside_community", field="tickets")
    closed = [t.number for t in found if t.state not in OPEN_STATES]
    if closed:
        raise Invalid(f"工单 {'、'.join(closed)} 已结束，不能吹哨。", code="ticket_not_open", field="tickets")
    return found


def _clean_departments(departments):
    departments = list({d.pk: d for d in departments}.values())
    if not departments:
        raise Invalid(_("请至少选择一个协同部门。"), code="departments_required", field="departments")
    if any(d.kind != Organisation.Kind.DEPARTMENT or not d.is_active for d in departments):
        raise Invalid(_("只能召集有效的政府部门。"), code="not_a_department", field="departments")
    return departments


def _notify_officers(summons, whistle):
    from liulin.accounts.models import RoleAssignment

    officers = RoleAssignment.objects.filter(org=summons.department, role=Role.DEPARTMENT_OFFICER, active=True)
    notify_summons(summons, whistle, officers.order_by("user_id").values_list("user_id", flat=True))


def blow(*, actor, community, kind, title, reason, tickets, departments, report_due=None, now=None):
    """Blow a whistle; returns the WhistleCall with one Summons per department."""
    now = now or clock.now()
    _require_supervisor(actor, community)
    if kind not in WhistleCall.Kind.values:
        raise Invalid(_("无效的吹哨类型。"), code="invalid_kind", field="kind")
    title = (title or "").strip()
    if not title:
        raise Invalid(_("请填写吹哨事由。"), code="title_required", field="title")
    if report_due is not None and report_due <= now:
        raise Invalid(_("报到时限须晚于当前时间。"), code="report_due_past", field="report_due")
    departments = _clean_departments(departments)
    with transaction.atomic():
        found = _clean_tickets(tickets, community)
        whistle = WhistleCall.objects.create(
            community=community,
            kind=kind,
            title=title[:100],
            reason=(reason or "").strip(),
            blown_by=actor,
            blown_at=now,
            report_due=report_due or default_report_due(kind, now),
        )
        whistle.tickets.set(found)
        summonses = Summons.objects.bulk_create([Summons(whistle=whistle, department=d) for d in departments])
        _raise_to_whistle(found, whistle, departments, actor, now)
        for summons in summonses:
            _notify_officers(summons, whistle)
    return whistle


def _raise_to_whistle(tickets, whistle, departments, actor, now):
    """Every ticket of the whistle goes to the whistle tier, recorded on its chain (the one way
    tiers change: tiers.change_tiers)."""
    data = {
        "whistle": whistle.pk,
        "kind": whistle.kind,
        "departments": [d.name for d in departments],
        "report_due": whistle.report_due.isoformat(),
    }
    role = _role_in_community(actor, "whistle.whistle", whistle.community)
    tiers.change_tiers(tickets, actor=actor, role=role, action="whistle", to_tier=lambda t: Tier.WHISTLE, reason=whistle.title,
                       data=data, now=now)


# --- the departments ------------------------------------------------------------------


def _locked(summons):
    return Summons.objects.select_for_update().select_related("whistle").get(pk=summons.pk)


def _log_on_tickets(summons, *, actor, action, data, now):
    """A summoned department's step, on every ticket of its whistle: taken as a department
    officer for that department, so a resident reads it as a department's step."""
    data = {**data, "unit": summons.department_id}
    for ticket in summons.whistle.tickets.select_for_update().order_by("pk"):
        events.append_event(ticket, actor=actor, actor_role=Role.DEPARTMENT_OFFICER, action=action, data=data, at=now)


def report_in(*, actor, summons, on_site, actions="", now=None):
    """报到: the department signs in; after the deadline it is marked late."""
    now = now or clock.now()
    _require_officer(actor, summons)
    with transaction.atomic():
        locked = _locked(summons)
        if locked.reported_at is not None:
            raise Conflict(_("该部门已报到。"), code="already_reported")
        late = locked.late or now > locked.whistle.report_due
        locked.reported_at, locked.reported_by, locked.on_site, locked.late = now, actor, bool(on_site), late
        locked.actions = (actions or "").strip()
        locked.save(update_fields=["reported_at", "reported_by", "on_site", "late", "actions"])
        data = {"summons": locked.pk, "department": locked.department.name, "on_site": bool(on_site), "late": late}
        _log_on_tickets(locked, actor=actor, action="report_in", data=data, now=now)
    return locked


def _require_reported(summons):
    if summons.reported_at is None:
        raise Invalid(_("请先报到。"), code="not_reported")


def record_actions(*, actor, summons, actions, now=None):
    """处置情况: what the department did (appended, so earlier entries stay)."""
    now = now or clock.now()
    _require_officer(actor, summons)
    text = (actions or "").strip()
    if not text:
        raise Invalid(_("请填写处置情况。"), code="actions_required", field="actions")
    with transaction.atomic():
        locked = _locked(summons)
        _require_reported(locked)
        stamp = f"[{now.astimezone(workcal.local_zone()):%m-%d %H:%M}] "
        locked.actions = (locked.actions + "\n" if locked.actions else "") + stamp + text
        locked.save(update_fields=["actions"])
        _log_on_tickets(locked, actor=actor, action="summons_actions", data={"summons": locked.pk, "actions": text[:500]}, now=now)
    return locked


def verify_summons(*, actor, summons, now=None):
    """核单 by the department: it confirms the result of its part."""
    now = now or clock.now()
    _require_officer(actor, summons)
    with transaction.atomic():
        locked = _locked(summons)
        _require_reported(locked)
        if locked.verified_at is not None:
            raise Conflict(_("该部门已核单。"), code="already_verified")
        locked.verified_at = now
        locked.save(update_fields=["verified_at"])
        _log_on_tickets(locked, actor=actor, action="summons_verified", data={"summons": locked.pk}, now=now)
    return locked


def rate_summons(*, actor, summons, rating, now=None):
    """The community rates a department's report-in, 1–5 stars. Only a report-in that
    happened can be rated: a missed one scores 0★ in the ranking, whatever anyone thinks."""
    now = now or clock.now()
    _require_supervisor(actor, summons.whistle.community)
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise Invalid(_("评价须为 1 到 5 星。"), code="invalid_rating", field="rating")
    with transaction.atomic():
        locked = _locked(summons)
        _require_reported(locked)
        locked.rating, locked.rated_by, locked.rated_at = rating, actor, now
        locked.save(update_fields=["rating", "rated_by", "rated_at"])
    return locked


# --- supervision ----------------------------------------------------------------------


def flag_unreported(now=None):
    """Mark late every summons past its deadline without a report-in; returns how many were
    newly flagged (one set-based UPDATE, so running it twice flags nothing more)."""
    now = now or clock.now()
    return Summons.objects.filter(reported_at__isnull=True, late=False, whistle__report_due__lt=now).update(late=True)


def late_share():
    return float(getattr(settings, "LIULIN_WHISTLE_LATE_SHARE", DEFAULT_LATE_SHARE))


def _missed(now):
    """Not reported in, and the deadline has passed (flagged by the sweep or not yet)."""
    return Q(reported_at__isnull=True) & (Q(late=True) | Q(whistle__report_due__lt=now))


def _points(now):
    """What one summons earns in the ranking, in stars (docs/kpi.md): a missed report-in 0;
    a late one its rating times the late share; an on-time one its rating. A report-in not
    yet rated, or a summons still within its deadline, earns nothing yet (NULL: not counted)."""
    rating = Cast("rating", FloatField())
    rated = Q(reported_at__isnull=False, rating__isnull=False)
    return Case(
        When(_missed(now), then=Value(0.0)),
        When(rated & Q(late=True), then=rating * Value(late_share())),
        When(rated, then=rating),
        default=None,
        output_field=FloatField(),
    )


def department_ranking(community, period, *, now=None):
    """Departments summoned by `community` in `period` (start, end), best score first, those
    with nothing to score yet last; ties go to fewer missed, then fewer late report-ins. The
    score is the average of `_points` over the department's summonses. Each row: department,
    score, avg_rating (of its rated report-ins), summons, on_time, late, missed."""
    now = now or clock.now()
    start, end = period
    rows = (
        Summons.objects.filter(whistle__community=community, whistle__blown_at__gte=start, whistle__blown_at__lt=end)
        .values("department")
        .annotate(
            score=Avg(_points(now)),
            avg_rating=Avg("rating", filter=Q(reported_at__isnull=False)),
            summons=Count("id"),
            on_time=Count("id", filter=Q(reported_at__isnull=False, late=False)),
            late_count=Count("id", filter=Q(reported_at__isnull=False, late=True)),
            missed=Count("id", filter=_missed(now)),
        )
        .order_by(F("score").desc(nulls_last=True), "missed", "late_count", "department")
    )
    departments = Organisation.objects.in_bulk([r["department"] for r in rows])
    return [
        {
            "department": departments[r["department"]],
            "score": round(r["score"], 2) if r["score"] is not None else None,
            "avg_rating": round(r["avg_rating"], 2) if r["avg_rating"] is not None else None,
            "summons": r["summons"],
            "on_time": r["on_time"],
            "late": r["late_count"],
            "missed": r["missed"],
        }
        for r in rows
    ]
