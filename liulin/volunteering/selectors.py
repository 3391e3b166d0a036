"""Every read of volunteering, narrowed to what the reader may see (core.permissions.scoped),
or, for "my" pages, to the reader's own rows."""

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from liulin.core import clock
from liulin.core.permissions import get_or_404, scoped

from .models import (
    Activity,
    Certificate,
    Good,
    GuardianConsent,
    PointsAccount,
    PublishedHash,
    Redemption,
    ServiceRecord,
    SignUp,
    TeamMember,
    Volunteer,
)

VIEW = "volunteering.view"
# 星级志愿者: confirmed hours for one to five stars (《志愿服务记录办法》 and the national
# volunteer service information system's star ratings).
STAR_HOURS = (100, 300, 600, 1000, 1500)


def stars_for(minutes):
    hours = minutes // 60
    return sum(1 for threshold in STAR_HOURS if hours >= threshold)


def next_star(minutes):
    """Hours still needed for the next star, or None at five stars."""
    hours = minutes // 60
    for threshold in STAR_HOURS:
        if hours < threshold:
            return threshold - hours
    return None


def my_volunteer(user):
    if not getattr(user, "is_authenticated", False):
        return None
    return Volunteer.objects.select_related("community").filter(user=user).first()


def confirmed_minutes(volunteer):
    return ServiceRecord.objects.filter(volunteer=volunteer, state=ServiceRecord.State.CONFIRMED).aggregate(
        total=Sum("minutes"))["total"] or 0


def my_summary(user):
    """The volunteer's own page: hours (confirmed, and waiting), points, stars, teams."""
    volunteer = my_volunteer(user)
    if volunteer is None:
        return None
    totals = ServiceRecord.objects.filter(volunteer=volunteer).aggregate(
        confirmed=Sum("minutes", filter=Q(state=ServiceRecord.State.CONFIRMED)),
        waiting=Sum("minutes", filter=Q(state__in=[ServiceRecord.State.PENDING, ServiceRecord.State.DISPUTED])))
    confirmed = totals["confirmed"] or 0
    account = PointsAccount.objects.filter(volunteer=volunteer).first()
    return {
        "volunteer": volunteer,
        "confirmed_minutes": confirmed,
        "waiting_minutes": totals["waiting"] or 0,
        "stars": stars_for(confirmed),
        "next_star_hours": next_star(confirmed),
        "points": account.balance if account else 0,
        "teams": list(TeamMember.objects.filter(volunteer=volunteer).select_related("team").order_by("team__name")),
    }


def my_records(user):
    return ServiceRecord.objects.filter(volunteer__user=user).select_related("activity", "team")


def my_signups(user):
    return (SignUp.objects.filter(volunteer__user=user).exclude(state=SignUp.State.CANCELLED)
            .select_related("activity", "post").order_by("-activity__starts_at"))


def my_certificates(user):
    return Certificate.objects.filter(volunteer__user=user)


def my_entries(user, limit=50):
    account = PointsAccount.objects.filter(volunteer__user=user).first()
    if account is None:
        return []
    return list(account.entries.select_related("posting").order_by("-posting__seq")[:limit])


def open_activities_for(user):
    """Activities the user may sign up for: open, not over, of the teams he is an active member of."""
    teams = TeamMember.objects.filter(volunteer__user=user, state=TeamMember.State.ACTIVE).values("team")
    return (Activity.objects.filter(team__in=teams, state=Activity.State.OPEN, ends_at__gt=clock.now())
            .select_related("team").prefetch_related("posts").order_by("starts_at"))


def home_community(user):
    """The community of the user's own household, where he would volunteer; None without one."""
    resident = getattr(user, "resident", None)
    if resident is not None and resident.household_id:
        return resident.household.community
    return None


def teams_to_join(user, community):
    from liulin.orgs.models import Organisation

    mine = TeamMember.objects.filter(volunteer__user=user).values("team")
    return (Organisation.objects.filter(community=community, is_active=True,
                                        kind=Organisation.Kind.VOLUNTEER_TEAM).exclude(pk__in=mine).order_by("name"))


def activities_for(user):
    return scoped(user, Activity.objects.select_related("team"), VIEW)


def activity_for(user, pk):
    return get_or_404(user, Activity.objects.select_related("team", "community"), VIEW, pk=pk)


def roster_of(user, activity):
    """The sign-ups of an activity the user may see (activity_for first), with names."""
    return scoped(user, activity.signups.exclude(state=SignUp.State.CANCELLED)
                  .select_related("volunteer__user", "post").order_by("post__name", "pk"), VIEW)


def records_for(user, *, state=None):
    rows = scoped(user, ServiceRecord.objects.select_related("volunteer__user", "activity", "team"), VIEW)
    return rows.filter(state=state) if state else rows


def record_for(user, pk):
    return get_or_404(user, ServiceRecord.objects.select_related("volunteer__user", "activity"), VIEW, pk=pk)


def applications_for(user):
    return scoped(user, TeamMember.objects.filter(state=TeamMember.State.APPLIED)
                  .select_related("volunteer__user", "team"), "volunteering.decide_member")


def member_for(user, pk):
    return get_or_404(user, TeamMember.objects.select_related("volunteer__user", "team"), VIEW, pk=pk)


def volunteers_for(user, perm=VIEW):
    return scoped(user, Volunteer.objects.select_related("user", "community"), perm)


def volunteer_for(user, pk, perm=VIEW):
    return get_or_404(user, Volunteer.objects.select_related("user", "community", "resident"), perm, pk=pk)


def goods_for(user):
    return scoped(user, Good.objects.all(), "volunteering.counter")


def good_for(user, pk):
    return get_or_404(user, Good.objects.select_related("community"), "volunteering.counter", pk=pk)


def redemptions_for(user):
    return scoped(user, Redemption.objects.select_related("good", "volunteer__user"), VIEW)


def redemption_for(user, pk):
    return get_or_404(user, Redemption.objects.select_related("good", "volunteer__user"), VIEW, pk=pk)


def consents_for(user):
    return scoped(user, GuardianConsent.objects.filter(withdrawn_at__isnull=True), "volunteering.consent")


def report_for(user):
    """Confirmed hours per team, per month and the top volunteers, of the records the user may
    report on; and the points in circulation by kind of posting."""
    rows = scoped(user, ServiceRecord.objects.filter(state=ServiceRecord.State.CONFIRMED), "volunteering.report")
    per_team = rows.values("team__name").annotate(minutes=Sum("minutes"), records=Count("pk")).order_by("-minutes")
    per_month = (rows.annotate(month=TruncMonth("served_on")).values("month").annotate(minutes=Sum("minutes"))
                 .order_by("-month")[:12])
    per_volunteer = (rows.values("volunteer", "volunteer__name").annotate(minutes=Sum("minutes"))
                     .order_by("-minutes")[:20])
    return {"per_team": list(per_team), "per_month": list(per_month), "per_volunteer": list(per_volunteer),
            "total_minutes": rows.aggregate(total=Sum("minutes"))["total"] or 0}


def find_volunteer_at_counter(user, query):
    """The volunteer the counter staff is serving, within his scope: by the code on the
    volunteer's phone (scanned), his mobile number, or his ID number (matched by its keyed
    hash, never stored or shown; the search is logged)."""
    from django.core import signing

    from liulin.core import audit, crypto
    from liulin.core.validators import normalise_id_number

    query = (query or "").strip()
    rows = volunteers_for(user, "volunteering.counter")
    if not query:
        return None
    try:
        volunteer_id = signing.loads(query, salt=MEMBER_CODE_SALT, max_age=MEMBER_CODE_SECONDS)
        return rows.filter(pk=volunteer_id).first()
    except signing.BadSignature:
        pass
    if query.isdigit() and len(query) == 11:
        return rows.filter(Q(user__mobile=query) | Q(resident__mobile=query)).first()
    number = normalise_id_number(query)
    if len(number) == 18:
        audit.record_search(actor=user, model=Volunteer, field="id_number", term=query[:4] + "…")
        return rows.filter(resident__id_hash=crypto.keyed_hash(number)).first()
    return None


MEMBER_CODE_SALT = "liulin.volunteering.member"
MEMBER_CODE_SECONDS = 10 * 60


def member_code(volunteer):
    """The code the volunteer's phone shows at the counter: his id, signed, for ten minutes."""
    from django.core import signing

    return signing.dumps(volunteer.pk, salt=MEMBER_CODE_SALT)


# --- public ------------------------------------------------------------------------------------


def certificate_public(number, code):
    """A certificate by its number and code, for the public verification page: no login, and
    only the fields the page shows."""
    return (Certificate.objects.filter(number=number, code=code)
            .select_related("community")
            .only("number", "masked_name", "masked_id", "minutes", "content", "period_from", "period_to", "issuer",
                  "issued_on", "community__code").first())


def published_hashes(community_id, limit=7):
    return list(PublishedHash.objects.filter(ledger__community_id=community_id)[:limit])


def signup_for(user, pk, perm=VIEW):
    return get_or_404(user, SignUp.objects.select_related("activity", "volunteer", "post"), perm, pk=pk)


def consent_for(user, pk):
    return get_or_404(user, GuardianConsent.objects.all(), "volunteering.consent", pk=pk)


def child_attendance_for(user, pk):
    from .models import ChildAttendance

    return get_or_404(user, ChildAttendance.objects.select_related("activity"), VIEW, pk=pk)


def children_at(user, activity):
    from .models import ChildAttendance

    return scoped(user, ChildAttendance.objects.filter(activity=activity).select_related("consent"), VIEW)


def staff_community(user, perm):
    """The community in which `user` holds `perm` through a community-level role (the counter,
    consents): where rows he creates belong. None when he holds it in none."""
    from liulin.core.permissions import active_assignments, roles_with

    roles = roles_with(perm)
    for assignment in active_assignments(user):
        if assignment.role in roles and assignment.area_id and assignment.area.kind == "community":
            return assignment.area
    return None


def consents_for_activity(user, activity):
    """The consents in force in the activity's community, for whoever runs the activity (he
    signs children in against them); nothing for anyone else."""
    from liulin.core.permissions import can

    if not can(user, "volunteering.run_activity", activity):
        return GuardianConsent.objects.none()
    return GuardianConsent.objects.filter(community_id=activity.community_id, withdrawn_at__isnull=True).order_by("child_name")


def staff_tile(user):
    """The staff home page's volunteering figures, of what the user may report on: hours
    confirmed this month and in all, records waiting, volunteers, points in circulation."""
    today = clock.today()
    rows = scoped(user, ServiceRecord.objects.all(), "volunteering.report")
    figures = rows.aggregate(
        month=Sum("minutes", filter=Q(state=ServiceRecord.State.CONFIRMED, served_on__year=today.year,
                                      served_on__month=today.month)),
        total=Sum("minutes", filter=Q(state=ServiceRecord.State.CONFIRMED)),
        waiting=Count("pk", filter=Q(state__in=[ServiceRecord.State.PENDING, ServiceRecord.State.DISPUTED])))
    accounts = scoped(user, PointsAccount.objects.filter(kind=PointsAccount.Kind.VOLUNTEER), "volunteering.report")
    held = accounts.aggregate(volunteers=Count("pk"), points=Sum("balance"))
    return {"month_hours": (figures["month"] or 0) // 60, "total_hours": (figures["total"] or 0) // 60,
            "waiting": figures["waiting"], "volunteers": held["volunteers"], "points": held["points"] or 0}
