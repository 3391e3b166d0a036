"""Every read of day care, scoped: managers and auditors by territory, care staff by the
centre's staff list, a family proxy by his own elder."""

import datetime

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from liulin.core import calendar, clock
from liulin.core.errors import NotFound
from liulin.core.permissions import scoped
from liulin.people import proxies

from .models import AbsenceCall, Attendance, CareLog, Centre, DayPlace, Enrolment
from .services import NOT_FOUND

E = Enrolment.State


def centres_for(user):
    """Centres `user` works in: as care staff, or as manager/auditor of their community."""
    if not getattr(user, "is_authenticated", False):
        return Centre.objects.none()
    by_scope = scoped(user, Centre.objects.all(), "daycare.view").values("pk")
    return Centre.objects.filter(Q(pk__in=by_scope) | Q(staff=user)).distinct().order_by("name")


def centre_for(user, pk):
    centre = centres_for(user).filter(pk=pk).first()
    if centre is None:
        raise NotFound(_("找不到该中心，或您无权查看。"))
    return centre


def family_enrolments(user):
    """The elders `user` is a consented family proxy of."""
    if not getattr(user, "is_authenticated", False):
        return Enrolment.objects.none()
    # A family contact with an account, or the elder's consent covering day care (people.proxies).
    by_consent = Q(elder__in=proxies.elders_for(user, "daycare").values("pk"))
    return (Enrolment.objects.filter(Q(contacts__user=user, contacts__consented_at__isnull=False) | by_consent)
            .exclude(state=E.ENDED).select_related("centre", "elder").distinct())


def application_choices(user):
    """What `user` may apply for under an elder's consent covering day care: the elders (not
    already enrolled and live in a centre) and the centres of their communities, by elder."""
    elders = list(proxies.elders_for(user, "daycare").select_related("household"))
    live = set(Enrolment.objects.filter(elder__in=[e.pk for e in elders], state__in=Enrolment.LIVE).values_list("elder_id", "centre_id"))
    communities = {e.household.community_id for e in elders if e.household_id}
    centres = list(Centre.objects.filter(community_id__in=communities).order_by("name", "pk"))
    return [(elder, [c for c in centres if elder.household_id and c.community_id == elder.household.community_id
                     and (elder.pk, c.pk) not in live])
            for elder in elders]


def enrolments_for(user):
    """Every enrolment `user` may read: of his centres, or his own elders'."""
    return Enrolment.objects.filter(Q(centre__in=centres_for(user)) | Q(pk__in=family_enrolments(user).values("pk"))).distinct()


def enrolment_for(user, pk):
    found = enrolments_for(user).select_related("centre", "elder").filter(pk=pk).first()
    if found is None:
        raise NotFound(_(NOT_FOUND))
    return found


def today_board(centre, day=None):
    """The elders planned for `day` (default today) with their attendance and open call."""
    day = day or clock.today()
    enrolments = list(Enrolment.objects.filter(centre=centre, state=E.ACTIVE, days__contains=str(day.weekday()))
                      .select_related("elder").order_by("elder__name", "pk"))
    attendance = {a.enrolment_id: a for a in Attendance.objects.filter(enrolment__in=enrolments, day=day)}
    calls = {c.enrolment_id: c for c in AbsenceCall.objects.filter(enrolment__in=enrolments, day=day)}
    for e in enrolments:
        e.today = attendance.get(e.pk)
        e.call = calls.get(e.pk)
    return enrolments


def waiting_list(centre):
    return Enrolment.objects.filter(centre=centre, state=E.WAITING).select_related("elder").order_by("created_at", "pk")


def places(centre):
    return list(DayPlace.objects.filter(centre=centre).order_by("weekday"))


def day_log(enrolment, day=None):
    return list(CareLog.objects.filter(enrolment=enrolment, day=day or clock.today()).select_related("by"))


def _planned_days(enrolment, start, end):
    """Planned days of `enrolment` in [start, end) that are not statutory holidays."""
    days, day = [], start
    while day < end:
        if enrolment.planned_on(day) and not calendar.statutory_holiday(day):
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def monthly_report(centre, month):
    """Attendance and service per elder for the month of `month`, and the centre's totals,
    all counted from rows."""
    start = calendar.month_start(month)
    end = calendar.add_months(start, 1)
    last = min(end, clock.today() + datetime.timedelta(days=1))
    enrolments = list(Enrolment.objects.filter(centre=centre).exclude(state=E.WAITING)
                      .filter(Q(attendances__day__gte=start, attendances__day__lt=end) | Q(state__in=[E.ACTIVE, E.SUSPENDED]))
                      .select_related("elder").distinct().order_by("elder__name", "pk"))
    came = dict(Attendance.objects.filter(enrolment__in=enrolments, day__gte=start, day__lt=end)
                .values_list("enrolment").annotate(n=Count("pk")))
    logs = {}
    for enrolment_id, kind, n in (CareLog.objects.filter(enrolment__in=enrolments, day__gte=start, day__lt=end)
                                  .values_list("enrolment", "kind").annotate(n=Count("pk"))):
        logs.setdefault(enrolment_id, {})[kind] = n
    rows = []
    for e in enrolments:
        planned = len(_planned_days(e, start, last)) if e.state in (E.ACTIVE, E.SUSPENDED) else 0
        rows.append({"enrolment": e, "planned": planned, "came": came.get(e.pk, 0),
                     "meals": logs.get(e.pk, {}).get(CareLog.Kind.MEAL, 0),
                     "readings": logs.get(e.pk, {}).get(CareLog.Kind.READING, 0),
                     "incidents": logs.get(e.pk, {}).get(CareLog.Kind.INCIDENT, 0)})
    totals = {key: sum(r[key] for r in rows) for key in ("planned", "came", "meals", "readings", "incidents")}
    totals["elders"] = len(rows)
    totals["calls"] = AbsenceCall.objects.filter(enrolment__centre=centre, day__gte=start, day__lt=end).count()
    return {"start": start, "rows": rows, "totals": totals}


def cockpit_tile(user):
    """The 数据驾驶舱's day-care figures over the centres `user` may see: elders in care and
    waiting, today's planned and arrived, open calls to families, and this month's attendance
    days and incidents."""
    today = clock.today()
    enrolments = Enrolment.objects.filter(centre__in=centres_for(user))
    figures = enrolments.aggregate(
        active=Count("pk", filter=Q(state=E.ACTIVE)), waiting=Count("pk", filter=Q(state=E.WAITING)),
        planned_today=Count("pk", filter=Q(state=E.ACTIVE, days__contains=str(today.weekday()))))
    this_month = Q(enrolment__in=enrolments, day__gte=calendar.month_start(today), day__lte=today)
    figures |= Attendance.objects.filter(this_month).aggregate(arrived_today=Count("pk", filter=Q(day=today)),
                                                               month_days=Count("pk"))
    figures["open_calls"] = AbsenceCall.objects.filter(enrolment__in=enrolments, done_at__isnull=True).count()
    figures["month_incidents"] = CareLog.objects.filter(this_month, kind=CareLog.Kind.INCIDENT).count()
    return figures
