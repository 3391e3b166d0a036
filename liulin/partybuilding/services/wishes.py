"""微心愿: a small wish of an elder or a child, collected by a grid worker or staff, reviewed
and published "supermarket-style", claimed by one member or jointly by up to its capacity,
delivered with a proof photo, confirmed by the beneficiary (or a grid worker / staff) who
is not one of its claimers; its short story is then published.

Claims never exceed the capacity: the wish row is locked (PostgreSQL), `claimed` grows only
by a conditional update `WHERE state = 'published' AND claimed < capacity`, a check
constraint backs it, and a member's second claim of one wish breaks a unique constraint."""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from liulin.core import chain, clock
from liulin.core.attachments import services as attachments
from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted
from liulin.core.notifications.services import Notice, send
from liulin.core.permissions import has_perm_anywhere, permitting
from liulin.core.roles import Role

from ..models import Registration, Wish, WishClaim, WishEvent
from ..workflow import WISH
from ._common import SYSTEM, authorise, first_event, lock, move, perm, text

PROOF_STAGE = "proof"
MAX_PHOTOS = 6
KIND_WISH = "partybuilding.wish"
DEFAULT_RAISE_AFTER_DAYS = 7


def raise_after_days():
    return int(getattr(settings, "LIULIN_WISH_RAISE_AFTER_DAYS", DEFAULT_RAISE_AFTER_DAYS))


@transaction.atomic
def collect_wish(*, actor, community, title, kind, beneficiary_label, description="", grid=None, beneficiary=None, capacity=1,
                 is_demo=False):
    if kind not in Wish.Kind.values:
        raise Invalid(_("请选择心愿类别。"), code="invalid_kind", field="kind")
    try:
        capacity = int(capacity)
    except (TypeError, ValueError):
        capacity = 0
    if not 1 <= capacity <= 10:
        raise Invalid(_("认领人数须在 1 到 10 之间。"), code="invalid_capacity", field="capacity")
    if grid is not None and grid.community_id != community.pk:
        raise Invalid(_("网格不在该社区。"), code="grid_outside_community", field="grid")
    wish = Wish.objects.create(
        community=community, grid=grid, title=text(title, field="title", required=True, max_length=100, label=_("心愿")),
        description=text(description, field="description"), kind=kind, beneficiary=beneficiary,
        beneficiary_label=text(beneficiary_label, field="beneficiary_label", required=True, max_length=32, label=_("公开称呼")),
        capacity=capacity, collected_by=actor, is_demo=is_demo,
    )
    role = SYSTEM
    if actor is not None:
        found = permitting(actor, perm("wish_collect"), wish)
        if found is None:
            raise NotPermitted(_("您不能在该社区收集心愿。"))
        role = found[0]
    first_event(WishEvent, wish, actor=actor, action="collect", role=role, to_state=wish.state)
    return wish


@transaction.atomic
def wish_step(*, actor, wish, action, reason="", now=None):
    """Review (publish / reject) or withdraw a wish."""
    if action not in ("wish_publish", "wish_reject", "wish_withdraw"):
        raise Invalid(_("未知的操作。"), code="unknown_action", field="action")
    role, _unit = authorise(actor, action, wish, system_may=True)
    locked = lock(Wish, wish)
    if action == "wish_withdraw" and locked.claimed:
        raise Conflict(_("已有党员认领，不能撤回。"), code="already_claimed")
    changes = {"published_at": now or clock.now()} if action == "wish_publish" else {}
    move(Wish, WishEvent, locked, WISH, action, actor=actor, role=role, reason=text(reason, field="reason"), changes=changes)
    return locked


def _registration(actor, wish):
    registration = Registration.objects.filter(user=actor, community_id=wish.community_id, state=Registration.State.CONFIRMED).first()
    if registration is None:
        raise NotPermitted(_("向本社区报到并经单位确认的党员才能认领心愿。"), code="not_registered")
    return registration


@transaction.atomic
def claim_wish(*, actor, wish, now=None, is_demo=False):
    """A registered member claims a published wish. Of any number claiming at once, exactly
    `capacity` win; the others get Conflict `wish_full`; one member claims once."""
    if actor is None or not has_perm_anywhere(actor, perm("wish_claim")):
        raise NotPermitted(_("您的角色不能认领心愿。"))
    registration = _registration(actor, wish)
    locked = Wish.objects.select_for_update().filter(pk=wish.pk).first()
    if locked is None or locked.state not in (Wish.State.PUBLISHED, Wish.State.CLAIMED, Wish.State.DELIVERED, Wish.State.FULFILLED):
        raise NotFound(_("找不到该心愿。"))
    if WishClaim.objects.filter(wish=locked, registration=registration).exists():
        raise Conflict(_("您已认领该心愿。"), code="already_claimed")
    if locked.state != Wish.State.PUBLISHED:
        raise Conflict(_("该心愿已被认领满。"), code="wish_full")
    WISH.transition_for("wish_claim", locked.state)
    if not Wish.objects.filter(pk=locked.pk, state=Wish.State.PUBLISHED, claimed__lt=F("capacity")).update(claimed=F("claimed") + 1):
        raise Conflict(_("该心愿已被认领满。"), code="wish_full")
    try:
        with transaction.atomic():
            WishClaim.objects.create(wish=locked, registration=registration, claimed_at=now or clock.now(), is_demo=is_demo)
    except IntegrityError:
        raise Conflict(_("您已认领该心愿。"), code="already_claimed") from None
    locked.refresh_from_db(fields=["claimed", "state"])
    before = locked.state
    if locked.claimed >= locked.capacity:
        Wish.objects.filter(pk=locked.pk, state=Wish.State.PUBLISHED).update(state=Wish.State.CLAIMED)
        locked.state = Wish.State.CLAIMED
    chain.append(WishEvent, locked, actor=actor, actor_role=Role.RESIDENT, action="wish_claim", from_state=before,
                 to_state=locked.state, data={"registration": registration.pk, "org": registration.org_id, "claimed": locked.claimed})
    return locked


@transaction.atomic
def deliver_wish(*, actor, wish, note, photos, now=None):
    """A claimer delivers the wish with at least one proof photo."""
    role, _unit = authorise(actor, "wish_deliver", wish)
    if not WishClaim.objects.filter(wish=wish, registration__user=actor).exists():
        raise NotPermitted(_("只有认领人可以送达心愿。"), code="not_a_claimer")
    if not photos:
        raise Invalid(_("请上传送达照片。"), code="proof_required", field="photos")
    if len(photos) > MAX_PHOTOS:
        raise Invalid(_("照片最多 %(n)s 张。") % {"n": MAX_PHOTOS}, code="too_many_photos", field="photos")
    cleaned = [attachments.clean(photo, field="photos") for photo in photos]
    locked = lock(Wish, wish)
    move(Wish, WishEvent, locked, WISH, "wish_deliver", actor=actor, role=role, reason=text(note, field="reason"))
    for item in cleaned:
        attachments.save_clean(owner=locked, cleaned=item, stage=PROOF_STAGE, actor=actor, now=now)
    return locked


@transaction.atomic
def confirm_wish(*, actor, wish, story="", now=None):
    """The beneficiary (or a grid worker / staff) confirms the wish came true; never one of
    its claimers. The claimers hear of it."""
    role, _unit = authorise(actor, "wish_confirm", wish)
    if WishClaim.objects.filter(wish=wish, registration__user=actor).exists():
        raise NotPermitted(_("认领人不能确认自己送达的心愿。"), code="duties_separated")
    locked = lock(Wish, wish)
    move(Wish, WishEvent, locked, WISH, "wish_confirm", actor=actor, role=role,
         changes={"fulfilled_at": now or clock.now(), "story": text(story, field="story")})
    claimers = WishClaim.objects.filter(wish=locked).values_list("registration__user_id", flat=True)
    send([Notice(kind=KIND_WISH, text=N_("您认领的微心愿“{title}”已确认实现，谢谢您！"), params={"title": locked.title}, user_id=u,
                 target=locked) for u in claimers])
    return locked


def raise_unclaimed_wishes(*, now=None, days=None):
    """Wishes published `days` ago (LIULIN_WISH_RAISE_AFTER_DAYS) and still not fully claimed
    are raised to the community's staff, once each. Safe to run twice or on two nodes: each
    wish is claimed for raising by a conditional update. Returns how many were raised."""
    from liulin.accounts.models import RoleAssignment

    now = now or clock.now()
    cutoff = now - datetime.timedelta(days=raise_after_days() if days is None else days)
    due = list(Wish.objects.filter(state=Wish.State.PUBLISHED, raised_at__isnull=True, published_at__lte=cutoff)
               .values_list("pk", flat=True)[:500])
    raised = 0
    for pk in due:
        with transaction.atomic():
            if not Wish.objects.filter(pk=pk, raised_at__isnull=True, state=Wish.State.PUBLISHED).update(raised_at=now):
                continue
            wish = lock(Wish, Wish(pk=pk))
            chain.append(WishEvent, wish, actor=None, actor_role=SYSTEM, action="raise", from_state=wish.state, to_state=wish.state)
            staff = RoleAssignment.objects.filter(area_id=wish.community_id, role__in=[Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY],
                                                  active=True).values_list("user_id", flat=True).distinct()
            send([Notice(kind=KIND_WISH, text=N_("微心愿“{title}”发布后尚未认领满，请社区协调。"), params={"title": wish.title},
                         user_id=u, target=wish) for u in staff])
            raised += 1
    return raised
