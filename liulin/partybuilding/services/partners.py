"""Partner units: reporting in to a community (the agreement, with a receipt) and the 五联
activities recorded under it."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from liulin.core import audit, clock
from liulin.core.attachments import services as attachments
from liulin.core.errors import Conflict, Invalid, NotPermitted
from liulin.core.permissions import can
from liulin.orgs.models import Organisation

from ..models import LinkActivity, LinkKind, Partnership
from ._common import authorise, day, perm, text

PHOTO_STAGE = "activity"
MAX_PHOTOS = 6


def _receipt(org, community, now):
    return f"GJ{community.code}-{now:%Y%m%d}-{org.pk:05d}"


@transaction.atomic
def report_in(*, actor, org, community, scope, liaison, starts_on, ends_on, is_demo=False, now=None):
    """A partner unit reports in to a community: the agreement is recorded and a receipt
    number issued. One agreement per unit and community."""
    now = now or clock.now()
    if org.kind != Organisation.Kind.PARTNER_UNIT:
        raise Invalid(_("只有共建单位可以报到。"), code="not_a_partner_unit", field="org")
    starts_on, ends_on = day(starts_on, field="starts_on"), day(ends_on, field="ends_on")
    if ends_on < starts_on:
        raise Invalid(_("协议结束日期不能早于开始日期。"), code="term_order", field="ends_on")
    partnership = Partnership(
        org=org, community=community, scope=text(scope, field="scope", required=True, label=_("共建内容")),
        liaison=text(liaison, field="liaison", required=True, max_length=32, label=_("联络人")),
        starts_on=starts_on, ends_on=ends_on, receipt_no=_receipt(org, community, now), reported_at=now, is_demo=is_demo,
    )
    try:
        with transaction.atomic():
            partnership.save()
    except IntegrityError:
        raise Conflict(_("该单位已向本社区报到。"), code="already_reported") from None
    if actor is not None and not can(actor, perm("manage"), partnership):
        raise NotPermitted(_("您不能为该社区登记共建单位。"))
    audit.record(actor=actor, action="partybuilding.report_in", target=partnership, receipt=partnership.receipt_no)
    return partnership


@transaction.atomic
def record_activity(*, actor, partnership, kind, title, held_on, participants=0, participant_names="", description="",
                    photos=(), is_demo=False):
    """One 五联 record under an agreement, with up to MAX_PHOTOS photos."""
    authorise(actor, "manage", partnership, system_may=True)
    if not isinstance(kind, LinkKind) or not kind.is_active:
        raise Invalid(_("请选择五联方式。"), code="kind_required", field="kind")
    if participants is None or int(participants) < 0:
        raise Invalid(_("参与人数不能为负。"), code="invalid_participants", field="participants")
    if len(photos) > MAX_PHOTOS:
        raise Invalid(_("照片最多 %(n)s 张。") % {"n": MAX_PHOTOS}, code="too_many_photos", field="photos")
    cleaned = [attachments.clean(photo, field="photos") for photo in photos]
    activity = LinkActivity.objects.create(
        partnership=partnership, kind=kind, title=text(title, field="title", required=True, max_length=100, label=_("活动名称")),
        held_on=day(held_on, field="held_on"), participants=int(participants),
        participant_names=text(participant_names, field="participant_names"),
        description=text(description, field="description", max_length=4000),
        recorded_by=actor, is_demo=is_demo,
    )
    saved = []
    try:
        for item in cleaned:
            saved.append(attachments.save_clean(owner=activity, cleaned=item, stage=PHOTO_STAGE, actor=actor))
    except BaseException:
        attachments.discard(saved)
        raise
    audit.record(actor=actor, action="partybuilding.activity", target=activity, kind=kind.code)
    return activity
