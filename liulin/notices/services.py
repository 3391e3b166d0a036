"""Every write of 公示: create a draft, publish it for its kind's period, correct it by a new
version, take and answer objections, finalise it only when the period has run out with every
objection answered, and record delivery and reading per household.

docs/notices.md has the rules and their sources.
"""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from liulin.core import chain, clock, publication
from liulin.core.attachments import services as attachments
from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted
from liulin.core.notifications import services as notifications
from liulin.core.notifications.models import Notification
from liulin.core.permissions import NOT_FOUND, can, permitting
from liulin.core.text import clean_text
from liulin.territory.models import Household

from . import periods, selectors
from .defaults import ensure_kinds
from .models import Channel, Notice, NoticeEvent, NoticeKind, NoticeVersion, Objection, Receipt, State
from .workflow import NOTICE

NOTIFY_KIND = "notices.published"


def _text(value, *, field, label, max_length):
    value = clean_text(str(value or ""), field=field).strip()
    if not value:
        raise Invalid(_("请填写%(label)s。") % {"label": label}, code="required", field=field)
    if len(value) > max_length:
        raise Invalid(_("%(label)s不能超过 %(n)s 个字。") % {"label": label, "n": max_length}, code="too_long", field=field)
    return value


def _role(actor, perm, notice):
    found = permitting(actor, perm, notice)
    return found[0] if found else ""


def _require(actor, action, notice):
    perm = NOTICE.perm(action)
    if not selectors.notices_for_staff(actor).filter(pk=notice.pk).exists() and not selectors.notices_for(actor).filter(pk=notice.pk).exists():
        raise NotFound(_(NOT_FOUND))
    if not can(actor, perm, notice):
        raise NotPermitted(_("您的角色不能执行此操作。"))
    return perm


def answer_due(raised_at, kind):
    """When an objection raised at `raised_at` must be answered: the kind's answer days,
    counted like a period (from the next day, last day moved past days off)."""
    return periods.period_end(raised_at, kind.answer_days, kind.answer_basis)[1]


# --- the notice -----------------------------------------------------------------------------


def create_notice(*, actor, community, kind, title, body, catalogue_item=None, is_demo=False, now=None):
    now = now or clock.now()
    title = _text(title, field="title", label=_("标题"), max_length=80)
    body = _text(body, field="body", label=_("公示内容"), max_length=20000)
    if catalogue_item is not None and catalogue_item.community_id != community.pk:
        raise Invalid(_("该目录事项不属于这个社区。"), code="wrong_community", field="catalogue_item")
    with transaction.atomic():
        notice = Notice.objects.create(community=community, kind=kind, catalogue_item=catalogue_item, created_by=actor,
                                       created_at=now, is_demo=is_demo)
        if not can(actor, NOTICE.perm("create"), notice):
            raise NotPermitted(_("您不能在该社区发布公示。"))
        NoticeVersion.objects.create(notice=notice, number=1, title=title, body=body, created_by=actor, created_at=now)
        chain.new_chain(NoticeEvent, notice)
        chain.append(NoticeEvent, notice, actor=actor, actor_role=_role(actor, NOTICE.perm("create"), notice), action="create",
                     data={"to": State.DRAFT, "kind": kind.code}, at=now)
    return notice


def act(*, actor, notice, action, reason="", now=None):
    """A NOTICE table action: publish (the period starts), discard (a draft, with a reason),
    finalise (only after the period, every objection answered). There is no action that ends a
    publication early."""
    now = now or clock.now()
    if action not in NOTICE.transitions:
        raise Invalid(_("未知的操作。"), code="unknown_action")
    perm = _require(actor, action, notice)
    reason = clean_text(reason or "", field="reason").strip()[:200]
    with transaction.atomic():
        locked = Notice.objects.select_for_update(of=("self",)).select_related("kind").get(pk=notice.pk)
        transition = NOTICE.transition_for(action, locked.state)
        if transition.needs_reason and not reason:
            raise Invalid(_("请填写理由。"), code="reason_required", field="reason")
        changes = {"state": transition.target}
        data = {"from": locked.state, "to": transition.target}
        if action == "publish":
            changes.update(_period(locked, now))
            data.update(ends_at=changes["ends_at"].isoformat(), period_days=locked.days, basis=locked.kind.period_basis)
        if action == "finalise":
            _require_finalisable(locked, now)
            changes["finalised_at"] = now
        if reason:
            data["reason"] = reason
        if Notice.objects.filter(pk=locked.pk, state=locked.state).update(**changes) != 1:
            raise Conflict(_("公示状态已变化，请刷新。"), code="stale")
        chain.append(NoticeEvent, locked, actor=actor, actor_role=_role(actor, perm, locked), action=action, data=data, at=now)
        if action == "publish":
            _deliver_in_app(locked, now)
    for name, value in changes.items():
        setattr(notice, name, value)
    return notice


def _period(notice, now):
    """The period of a notice published (or corrected) at `now`: its days from the next day."""
    last, ends = periods.period_end(now, notice.days, notice.kind.period_basis)
    return {"published_at": now, "ends_at": ends, "last_day": last}


def _require_finalisable(notice, now):
    if now < notice.ends_at:
        raise Conflict(_("公示期至 %(day)s 届满，期满前不能办结。") % {"day": notice.last_day.isoformat()}, code="window_open")
    if notice.objections.filter(answered_at__isnull=True).exists():
        raise Conflict(_("还有异议未答复，不能办结。"), code="objections_open")


def correct(*, actor, notice, title, body, reason, now=None):
    """A correction is a new version; the earlier ones stay visible. A published notice's
    period starts again from the correction, and every household is told again."""
    now = now or clock.now()
    perm = _require(actor, "correct", notice)
    title = _text(title, field="title", label=_("标题"), max_length=80)
    body = _text(body, field="body", label=_("公示内容"), max_length=20000)
    reason = _text(reason, field="reason", label=_("更正理由"), max_length=200)
    with transaction.atomic():
        locked = Notice.objects.select_for_update(of=("self",)).select_related("kind").get(pk=notice.pk)
        if locked.state not in (State.DRAFT, State.PUBLISHED):
            raise Conflict(_("“%(state)s”状态下不能更正。") % {"state": State(locked.state).label}, code="illegal_transition")
        number = locked.versions.count() + 1
        version = NoticeVersion.objects.create(notice=locked, number=number, title=title, body=body, reason=reason,
                                               created_by=actor, created_at=now)
        data = {"version": number, "reason": reason}
        if locked.state == State.PUBLISHED:
            period = _period(locked, now)
            Notice.objects.filter(pk=locked.pk).update(**period)
            for name, value in period.items():
                setattr(notice, name, value)
            data["ends_at"] = period["ends_at"].isoformat()
            Receipt.objects.filter(notice=locked).update(read_at=None, read_by=None)
            _deliver_in_app(locked, now)
        chain.append(NoticeEvent, locked, actor=actor, actor_role=_role(actor, perm, locked), action="correct", data=data, at=now)
    return version


# --- proof of posting ----------------------------------------------------------------------

POSTING_PHOTO = "posting"  # the attachments' stage: a photo of the paper notice on the board


def record_posting(*, actor, notice, upload, now=None):
    """A photo of the paper notice on the community's board, as proof that it was posted: kept
    with the notice (core.attachments, cleaned of its metadata) and named on its chain."""
    now = now or clock.now()
    perm = _require(actor, "record_posting", notice)
    cleaned = attachments.clean(upload, field="photo")
    written = None
    try:
        with transaction.atomic():
            locked = Notice.objects.select_for_update(of=("self",)).get(pk=notice.pk)
            if locked.state not in (State.PUBLISHED, State.FINALISED):
                raise Conflict(_("公示发布后才能上传张贴照片。"), code="not_published")
            written = attachments.save_clean(owner=locked, cleaned=cleaned, stage=POSTING_PHOTO, actor=actor, now=now)
            chain.append(NoticeEvent, locked, actor=actor, actor_role=_role(actor, perm, locked), action="record_posting",
                         data={"attachment": written.pk}, at=now)
    except BaseException:
        if written is not None:  # the row rolled back: its file goes too
            attachments.discard([written])
        raise
    return written


# --- objections ----------------------------------------------------------------------------


def may_object(actor, notice, now):
    """Whether `actor` may object to `notice` now: its period runs, and the app that published
    it (if any) lets him (only owners on a vote's roll object to its result; nobody to its
    announcement)."""
    if notice.state != State.PUBLISHED or notice.ends_at is None or now >= notice.ends_at:
        return False
    origin = publication.origin(notice.origin)
    return not (origin and origin.may_object and not origin.may_object(actor, notice.subject_id))


def object_to(*, actor, notice, text, item="", now=None):
    """Anyone who sees a published notice may object while its period runs, unless the app that
    published it narrows who may (the owners on a vote's roll); where the app lists items (the
    nominations of a selection) the objection names one."""
    now = now or clock.now()
    if not selectors.notices_for(actor).filter(pk=notice.pk).exists():
        raise NotFound(_(NOT_FOUND))
    text = _text(text, field="text", label=_("异议"), max_length=2000)
    origin = publication.origin(notice.origin)
    if origin and origin.may_object and not origin.may_object(actor, notice.subject_id):
        raise NotPermitted(str(origin.objectors or _("您不能对此公示提出异议。")), code="may_not_object")
    item, item_label = _item(origin, notice, item)
    with transaction.atomic():
        locked = Notice.objects.select_for_update(of=("self",)).select_related("kind").get(pk=notice.pk)
        if locked.state != State.PUBLISHED or now >= locked.ends_at:
            raise Conflict(_("现在不在公示期内，不能提出异议。"), code="objections_closed")
        objection = Objection.objects.create(notice=locked, raised_by=actor, text=text, item=item, item_label=item_label,
                                             raised_at=now, answer_due=answer_due(now, locked.kind))
        chain.append(NoticeEvent, locked, actor=actor, actor_role="resident" if actor.resident_id else "",
                     action="object", data={"objection": objection.pk, **({"item": item} if item else {})}, at=now)
    return objection


def items_of(notice):
    """[(ref, label)] an objection to `notice` must name one of, or [] when it is about the whole."""
    origin = publication.origin(notice.origin)
    return [(str(ref), str(label)) for ref, label in origin.items(notice.subject_id)] if origin and origin.items else []


def _item(origin, notice, item):
    if not (origin and origin.items):
        return "", ""
    labels = dict(items_of(notice))
    item = str(item or "").strip()
    if item not in labels:
        raise Invalid(_("请选择异议针对的对象。"), code="item_required", field="item")
    return item, labels[item][:100]


def answer(*, actor, objection, text, upheld=None, now=None):
    """Answer an objection. One that names an item (a nomination) is found upheld or not, and
    the publishing app acts on the upheld ones at its final step."""
    now = now or clock.now()
    notice = objection.notice
    perm = _require(actor, "answer", notice)
    text = _text(text, field="answer", label=_("答复"), max_length=2000)
    if objection.item and upheld is None:
        raise Invalid(_("请选择异议是否成立。"), code="upheld_required", field="upheld")
    upheld = bool(upheld) if objection.item else None
    with transaction.atomic():
        locked = Notice.objects.select_for_update(of=("self",)).get(pk=notice.pk)
        if Objection.objects.filter(pk=objection.pk, answered_at__isnull=True).update(
                answer=text, upheld=upheld, answered_at=now, answered_by=actor) != 1:
            raise Conflict(_("该异议已答复。"), code="already_answered")
        data = {"objection": objection.pk, "late": now > objection.answer_due, **({"upheld": upheld} if objection.item else {})}
        chain.append(NoticeEvent, locked, actor=actor, actor_role=_role(actor, perm, locked), action="answer", data=data, at=now)
    objection.answer, objection.upheld, objection.answered_at, objection.answered_by = text, upheld, now, actor
    return objection


# --- published by other apps (core.publication) ---------------------------------------------
# The app that publishes has authorised its actor for its own step; the notice records who, and
# for which app (the actor's role on the chain is the origin).


def publish_for(*, actor, origin, subject_id, community, title, body, url="", days=None, is_demo=False, now=None):
    now = now or clock.now()
    code = publication.origin(origin).kind
    kind = NoticeKind.objects.filter(code=code).first()
    if kind is None:  # the default kinds come with a data migration; a database emptied since gets them back
        ensure_kinds(NoticeKind)
        kind = NoticeKind.objects.get(code=code)
    title = _text(title, field="title", label=_("标题"), max_length=80)
    body = _text(body, field="body", label=_("公示内容"), max_length=200_000)  # a long list an app publishes
    period_days = days if days and days > kind.period_days else None
    last, ends = periods.period_end(now, period_days or kind.period_days, kind.period_basis)
    with transaction.atomic():
        notice = Notice.objects.create(community_id=getattr(community, "pk", community), kind=kind, created_by=actor,
                                       created_at=now, origin=origin, subject_id=subject_id, subject_url=url[:200],
                                       period_days=period_days, state=State.PUBLISHED, published_at=now, ends_at=ends,
                                       last_day=last, is_demo=is_demo)
        NoticeVersion.objects.create(notice=notice, number=1, title=title, body=body, created_by=actor, created_at=now)
        chain.new_chain(NoticeEvent, notice)
        chain.append(NoticeEvent, notice, actor=actor, actor_role=origin, action="publish",
                     data={"to": State.PUBLISHED, "kind": kind.code, "origin": origin, "subject": subject_id,
                           "ends_at": ends.isoformat(), "period_days": notice.days, "basis": kind.period_basis}, at=now)
        _deliver_in_app(notice, now)
    return _publication(notice, [])


def publication_status(ids):
    notices = Notice.objects.filter(pk__in=ids)
    objections = {}
    for notice_id, item, answered, upheld in Objection.objects.filter(notice__in=ids).values_list(
            "notice_id", "item", "answered_at", "upheld"):
        objections.setdefault(notice_id, []).append((item, answered, upheld))
    return {n.pk: _publication(n, objections.get(n.pk, [])) for n in notices}


def finalise_for(*, actor, origin, notice_id, now=None):
    now = now or clock.now()
    with transaction.atomic():
        locked = Notice.objects.select_for_update(of=("self",)).select_related("kind").get(pk=notice_id, origin=origin)
        if locked.state != State.FINALISED:
            if locked.state != State.PUBLISHED:
                raise Conflict(_("该公示未在公示中。"), code="not_published")
            _require_finalisable(locked, now)
            Notice.objects.filter(pk=locked.pk, state=State.PUBLISHED).update(state=State.FINALISED, finalised_at=now)
            chain.append(NoticeEvent, locked, actor=actor, actor_role=origin, action="finalise",
                         data={"from": State.PUBLISHED, "to": State.FINALISED}, at=now)
            locked.state, locked.finalised_at = State.FINALISED, now
    return publication_status([locked.pk])[locked.pk]


def _publication(notice, objections):
    return publication.Publication(
        id=notice.pk, url=f"/notices/{notice.pk}/", state=notice.state, state_label=State(notice.state).label,
        published_at=notice.published_at, ends_at=notice.ends_at, last_day=notice.last_day, objections=len(objections),
        open_objections=sum(1 for _item, answered, _upheld in objections if answered is None),
        upheld=frozenset(item for item, _answered, upheld in objections if upheld))


# --- delivery and reading --------------------------------------------------------------------


def _deliver_in_app(notice, now):
    """An in-app receipt for every household of the community (one insert), and a message to
    each of their residents' accounts (core.notifications: their own channels follow)."""
    households = list(Household.objects.filter(community_id=notice.community_id).values_list("pk", flat=True))
    Receipt.objects.bulk_create([Receipt(notice=notice, household_id=pk, channel=Channel.IN_APP, delivered_at=now) for pk in households],
                                ignore_conflicts=True)
    Receipt.objects.filter(notice=notice, channel=Channel.IN_APP).update(delivered_at=now)
    title = notice.versions.order_by("-number").values_list("title", flat=True).first()
    users = get_user_model().objects.filter(resident__household__community_id=notice.community_id, is_active=True).values_list("pk", flat=True)
    notifications.send([notifications.Notice(kind=NOTIFY_KIND, text=gettext_noop("新公示：{title}"), params={"title": title},
                                             user_id=pk, target=notice, url=f"/notices/{notice.pk}/") for pk in users])


def record_delivery(*, notice, household, channel, now=None):
    """An outside channel (e-mail, SMS provider, webhook) confirmed delivery to a household."""
    now = now or clock.now()
    if channel not in Channel.values:
        raise Invalid(_("未知的送达渠道。"), code="unknown_channel", field="channel")
    if household.community_id != notice.community_id:
        raise Invalid(_("该户不在公示所在社区。"), code="wrong_community", field="household")
    receipt, _created = Receipt.objects.get_or_create(notice=notice, household=household, channel=channel,
                                                      defaults={"delivered_at": now})
    return receipt


def households_reached(notice_id):
    """Households served with the notice: a member read it, or an SMS or e-mail about it was
    delivered. The in-app receipt every household gets at publication is not service."""
    return set(Receipt.objects.filter(notice_id=notice_id).filter(
        Q(read_at__isnull=False) | Q(channel__in=(Channel.SMS, Channel.EMAIL), delivered_at__isnull=False))
        .values_list("household_id", flat=True))


def delivered_by_channel(delivery):
    """An e-mail, SMS or webhook telling a resident of a new notice was delivered
    (core.notifications): his household's receipt by that channel."""
    notification = delivery.notification
    household = selectors.household_of(notification.user)
    notice = Notice.objects.filter(pk=notification.target_id).first() if notification.target_id else None
    if household is None or notice is None or household.community_id != notice.community_id:
        return None
    return record_delivery(notice=notice, household=household, channel=delivery.channel, now=delivery.sent_at)


def mark_read(*, actor, notice, now=None):
    """A resident opened the notice: his household's receipts record it read (the first
    reading counts), and his messages about it are marked read."""
    now = now or clock.now()
    household = selectors.household_of(actor)
    if household is None or household.community_id != notice.community_id or notice.state not in selectors.VISIBLE_TO_RESIDENTS:
        return 0
    count = Receipt.objects.filter(notice=notice, household=household, read_at__isnull=True).update(read_at=now, read_by=actor)
    Notification.objects.filter(user=actor, read_at__isnull=True, target_type=ContentType.objects.get_for_model(Notice),
                                target_id=str(notice.pk)).update(read_at=now)
    return count
