"""Activities, posts and sign-up; check-in and check-out by a signed, time-limited QR code or
by the organiser for an elder without a phone. Check-out turns attendance into a service
record when enough of the activity was attended (Rules.min_attendance_percent, 60 % by
default)."""

import datetime

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from liulin.core import audit, clock
from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted
from liulin.core.permissions import authorise
from liulin.core.text import clean_text

from ..models import Activity, Post, SignUp, TeamMember
from . import ledger, records
from .teams import is_team

CODE_SALT = "liulin.volunteering.checkin"
EARLY_CHECKIN = datetime.timedelta(minutes=30)
LATE_CHECKOUT = datetime.timedelta(hours=2)
MAX_LENGTH = datetime.timedelta(hours=12)


def create_activity(*, actor, team, title, content, place, starts_at, ends_at, posts, kind=Activity.Kind.COMMUNITY,
                    for_minors=False, points_per_hour=None):
    """A new activity of `team` with `posts` [(name, capacity)]."""
    if not is_team(team):
        raise Invalid(_("该组织不是志愿服务队伍。"), code="not_a_team")
    # The team itself answers who runs it: its own leader, or staff of its community.
    authorise(actor, "volunteering.run_activity", team, view="orgs.view")
    clock.bounded(starts_at, field="starts_at")
    clock.bounded(ends_at, field="ends_at")
    if ends_at <= starts_at:
        raise Invalid(_("结束时间须晚于开始时间。"), code="invalid_period", field="ends_at")
    if ends_at - starts_at > MAX_LENGTH:
        raise Invalid(_("一次活动不超过 12 小时。"), code="invalid_period", field="ends_at")
    posts = [(clean_text(name).strip(), int(capacity)) for name, capacity in posts]
    if not posts or any(not name or capacity < 1 for name, capacity in posts) or len({n for n, _ in posts}) != len(posts):
        raise Invalid(_("至少一个岗位，岗位名称不重复，人数至少 1。"), code="invalid_posts", field="posts")
    with transaction.atomic():
        activity = Activity(team=team, community_id=team.community_id, title=clean_text(title or "").strip()[:64],
                            content=clean_text(content or "").strip()[:2000], place=clean_text(place or "").strip()[:64],
                            starts_at=starts_at, ends_at=ends_at, kind=kind, for_minors=bool(for_minors),
                            points_per_hour=points_per_hour, organiser=actor)
        if not activity.title or not activity.place or not activity.content:
            raise Invalid(_("请填写活动名称、内容和地点。"), code="required", field="title")
        if kind not in Activity.Kind.values:
            raise Invalid(_("服务类别不对。"), code="invalid_kind", field="kind")
        activity.save()
        Post.objects.bulk_create([Post(activity=activity, name=name[:32], capacity=capacity) for name, capacity in posts])
        audit.record(actor=actor, action="volunteering.create_activity", target=activity)
    return activity


def finish_activity(*, actor, activity):
    return _end(actor, activity, Activity.State.FINISHED, "")


def cancel_activity(*, actor, activity, reason):
    if not reason.strip():
        raise Invalid(_("取消须说明理由。"), code="reason_required", field="reason")
    return _end(actor, activity, Activity.State.CANCELLED, reason)


def _end(actor, activity, state, reason):
    authorise(actor, "volunteering.run_activity", activity)
    with transaction.atomic():
        if not Activity.objects.filter(pk=activity.pk, state=Activity.State.OPEN).update(state=state):
            raise Conflict(_("活动已结束或已取消。"), code="state_changed")
        audit.record(actor=actor, action=f"volunteering.{state}", target=activity, reason=reason)
    activity.refresh_from_db()
    return activity


def sign_up(*, actor, activity, post, volunteer=None):
    """The actor, an active member of the activity's team, takes a place on `post` (or the
    organiser signs up `volunteer`, an elder without a phone). The last place goes to one
    volunteer only: a conditional update below capacity, and a check."""
    if post.activity_id != activity.pk:
        raise NotFound(_("找不到该岗位。"))
    if volunteer is not None:
        authorise(actor, "volunteering.run_activity", activity)
    else:
        volunteer = getattr(actor, "volunteer", None)
    if volunteer is None or not TeamMember.objects.filter(team_id=activity.team_id, volunteer=volunteer,
                                                          state=TeamMember.State.ACTIVE).exists():
        raise NotPermitted(_("加入该队伍后才能报名。"), code="not_a_member")
    if activity.state != Activity.State.OPEN or activity.ends_at <= clock.now():
        raise Conflict(_("活动已不能报名。"), code="closed")
    try:
        with transaction.atomic():
            if not Post.objects.filter(pk=post.pk, taken__lt=F("capacity")).update(taken=F("taken") + 1):
                raise Conflict(_("该岗位已满。"), code="full")
            signup = SignUp.objects.create(activity=activity, post=post, volunteer=volunteer)
    except IntegrityError:
        raise Conflict(_("您已报名该活动。"), code="already_signed_up") from None
    return signup


def cancel_sign_up(*, actor, signup):
    if signup.volunteer.user_id != actor.pk:
        authorise(actor, "volunteering.run_activity", signup.activity)
    with transaction.atomic():
        if not SignUp.objects.filter(pk=signup.pk, state=SignUp.State.SIGNED_UP).update(state=SignUp.State.CANCELLED):
            raise Conflict(_("已签到或已取消的报名不能取消。"), code="state_changed")
        Post.objects.filter(pk=signup.post_id).update(taken=F("taken") - 1)
    signup.refresh_from_db()
    return signup


# --- the QR code ---------------------------------------------------------------------------------


def checkin_code(*, actor, activity, direction):
    """A signed code for the organiser's screen: scanning it checks the scanner in (or out)
    of `activity`. It names the moment it was made; it is refused after
    Rules.checkin_code_minutes."""
    authorise(actor, "volunteering.run_activity", activity)
    if direction not in ("in", "out"):
        raise Invalid(_("方向须为签到或签退。"), code="invalid_direction")
    return signing.dumps({"a": activity.pk, "d": direction, "t": int(clock.now().timestamp())}, salt=CODE_SALT)


def read_code(code):
    """(activity, direction) of a code still in force; Invalid otherwise."""
    try:
        payload = signing.loads(code, salt=CODE_SALT)
    except signing.BadSignature:
        raise Invalid(_("签到码无效。"), code="invalid_code") from None
    activity = Activity.objects.select_related("team").filter(pk=payload.get("a")).first()
    if activity is None:
        raise Invalid(_("签到码无效。"), code="invalid_code")
    minutes = ledger.rules_for(activity.community).checkin_code_minutes
    age = clock.now().timestamp() - payload.get("t", 0)
    if age > minutes * 60 or age < -60:
        raise Invalid(_("签到码已过期，请扫描现场最新的二维码。"), code="code_expired")
    return activity, payload.get("d")


def scan(*, actor, code):
    """The volunteer scanned the organiser's code: check him in or out of that activity."""
    activity, direction = read_code(code)
    signup = SignUp.objects.filter(activity=activity, volunteer__user=actor).exclude(state=SignUp.State.CANCELLED).first()
    if signup is None:
        raise NotFound(_("您没有报名该活动。"), code="not_signed_up")
    return (check_in if direction == "in" else check_out)(actor=actor, signup=signup, by_code=True)


def _by_organiser(actor, signup, by_code):
    if by_code:
        if signup.volunteer.user_id != actor.pk:
            raise NotPermitted(_("只能为自己扫码签到。"))
        return
    authorise(actor, "volunteering.run_activity", signup.activity)


def check_in(*, actor, signup, by_code=False):
    _by_organiser(actor, signup, by_code)
    activity, now = signup.activity, clock.now()
    if activity.state != Activity.State.OPEN or not activity.starts_at - EARLY_CHECKIN <= now <= activity.ends_at:
        raise Conflict(_("不在签到时间内（活动开始前 30 分钟至结束）。"), code="not_checkin_time")
    with transaction.atomic():
        if not SignUp.objects.filter(pk=signup.pk, state=SignUp.State.SIGNED_UP).update(
                state=SignUp.State.CHECKED_IN, checked_in_at=now, checked_in_by=actor):
            raise Conflict(_("已签到。"), code="already_checked_in")
    signup.refresh_from_db()
    return signup


def check_out(*, actor, signup, by_code=False):
    """Check out; the attended part of the activity becomes a pending service record when it
    reaches the community's minimum share. Returns the sign-up (its record, if any, on `.record`)."""
    _by_organiser(actor, signup, by_code)
    activity, now = signup.activity, clock.now()
    if now > activity.ends_at + LATE_CHECKOUT:
        raise Conflict(_("已超过签退时间，请组织者补录。"), code="not_checkout_time")
    with transaction.atomic():
        if not SignUp.objects.filter(pk=signup.pk, state=SignUp.State.CHECKED_IN).update(
                state=SignUp.State.CHECKED_OUT, checked_out_at=now, checked_out_by=actor):
            raise Conflict(_("尚未签到或已签退。"), code="not_checked_in")
        signup.refresh_from_db()
        signup.record = records.record_attendance(signup=signup)
    return signup


def attended_minutes(activity, checked_in_at, checked_out_at):
    """Whole minutes of the activity between check-in and check-out."""
    start, end = max(activity.starts_at, checked_in_at), min(activity.ends_at, checked_out_at)
    return max(0, int((end - start).total_seconds() // 60))
