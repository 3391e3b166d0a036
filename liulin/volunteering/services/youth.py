"""雷锋号 youth care station: a child takes part only with a guardian's consent on record
(个人信息保护法 第三十一条: under 14), and is signed in and out by a named adult."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from liulin.core import audit, clock
from liulin.core.errors import Conflict, Invalid
from liulin.core.permissions import authorise
from liulin.core.text import clean_text
from liulin.core.validators import validate_mobile

from ..models import ChildAttendance, GuardianConsent


def record_consent(*, actor, community, child_name, child_birth_date, guardian_name, guardian_relation, guardian_mobile):
    clock.bounded(child_birth_date, field="child_birth_date")
    fields = {name: clean_text(value or "").strip() for name, value in
              {"child_name": child_name, "guardian_name": guardian_name, "guardian_relation": guardian_relation,
               "guardian_mobile": guardian_mobile}.items()}
    if not all(fields.values()):
        raise Invalid(_("请填写儿童姓名、监护人姓名、关系和手机号。"), code="required")
    try:
        validate_mobile(fields["guardian_mobile"])
    except ValidationError:
        raise Invalid(_("监护人手机号格式不对。"), code="invalid_mobile", field="guardian_mobile") from None
    if child_birth_date > clock.today():
        raise Invalid(_("出生日期不能晚于今天。"), code="invalid_date", field="child_birth_date")
    with transaction.atomic():
        consent = GuardianConsent.objects.create(community=community, child_birth_date=child_birth_date, recorded_by=actor,
                                                 **{k: v[:32] for k, v in fields.items()})
        authorise(actor, "volunteering.consent", consent)  # a refusal rolls the row back
        audit.record(actor=actor, action="volunteering.consent", target=consent)
    return consent


def withdraw_consent(*, actor, consent):
    authorise(actor, "volunteering.consent", consent)
    if not GuardianConsent.objects.filter(pk=consent.pk, withdrawn_at__isnull=True).update(withdrawn_at=clock.now()):
        raise Conflict(_("已撤回。"), code="state_changed")
    audit.record(actor=actor, action="volunteering.withdraw_consent", target=consent)
    consent.refresh_from_db()
    return consent


def child_sign_in(*, actor, activity, consent, adult_name):
    authorise(actor, "volunteering.run_activity", activity)
    adult_name = clean_text(adult_name or "").strip()[:32]
    if not activity.for_minors:
        raise Invalid(_("该活动不接收未成年人。"), code="not_for_minors")
    if consent.withdrawn_at is not None or consent.community_id != activity.community_id:
        raise Conflict(_("没有有效的监护人同意，不能签到。"), code="no_consent")
    if not adult_name:
        raise Invalid(_("请填写送孩子来的成年人姓名。"), code="adult_required", field="adult_name")
    try:
        with transaction.atomic():
            return ChildAttendance.objects.create(activity=activity, consent=consent, signed_in_at=clock.now(),
                                                  signed_in_adult=adult_name, recorded_by=actor)
    except IntegrityError:
        raise Conflict(_("该儿童已签到。"), code="already_checked_in") from None


def child_sign_out(*, actor, attendance, adult_name):
    authorise(actor, "volunteering.run_activity", attendance.activity)
    adult_name = clean_text(adult_name or "").strip()[:32]
    if not adult_name:
        raise Invalid(_("请填写接孩子的成年人姓名。"), code="adult_required", field="adult_name")
    if not ChildAttendance.objects.filter(pk=attendance.pk, signed_out_at__isnull=True).update(
            signed_out_at=clock.now(), signed_out_adult=adult_name):
        raise Conflict(_("该儿童已签退。"), code="state_changed")
    attendance.refresh_from_db()
    return attendance
