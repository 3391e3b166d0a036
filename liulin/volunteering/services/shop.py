"""雷锋超市: restocking, redemption at the counter, and reversal with a reason; good deeds
recorded by staff. Each is one ledger posting (services.ledger.post): points and stock move
in the same transaction, under the posting's idempotency key."""

from django.db import transaction
from django.utils.translation import gettext as _

from liulin.core import audit
from liulin.core.errors import Conflict, Invalid
from liulin.core.permissions import authorise, permitting_role
from liulin.core.text import clean_text

from ..models import Good, Posting, Redemption, StockEntry
from . import ledger

Place = StockEntry.Place
MAX_QUANTITY = 100


def add_good(*, actor, community, name, price_points):
    """A new item of the community's 雷锋超市 (no stock until restocked)."""
    good = Good(community=community, name=clean_text(name or "").strip()[:32], price_points=int(price_points or 0))
    if not good.name or good.price_points < 1:
        raise Invalid(_("请填写物品名称和兑换积分（至少 1）。"), code="invalid_good")
    with transaction.atomic():
        if Good.objects.filter(community=community, name=good.name).exists():
            raise Conflict(_("已有同名物品。"), code="duplicate_good")
        good.save()
        # Asked of the saved row, so the scope rules answer; a refusal rolls it back.
        authorise(actor, "volunteering.counter", good)
        audit.record(actor=actor, action="volunteering.add_good", target=good)
    return good


def restock(*, actor, good, quantity, key):
    authorise(actor, "volunteering.counter", good)
    quantity = _quantity(quantity)
    book = ledger.ledger_for(good.community)
    posting, _created = ledger.post(ledger=book, key=key, kind=Posting.Kind.RESTOCK, actor=actor,
                                    actor_role=permitting_role(actor, "volunteering.counter", good) or "",
                                    entries=[], stock=[(good, Place.SUPPLIER, -quantity), (good, Place.SHELF, quantity)])
    return posting


def _quantity(value):
    try:
        quantity = int(value)
    except (TypeError, ValueError):
        quantity = 0
    if not 1 <= quantity <= MAX_QUANTITY:
        raise Invalid(_("数量须在 1 至 %(max)s 之间。") % {"max": MAX_QUANTITY}, code="invalid_quantity", field="quantity")
    return quantity


def redeem(*, actor, volunteer, good, quantity=1, key):
    """Debit the volunteer's points and the shelf in one posting; a replayed key returns the
    first redemption. Refused when the points or the stock do not cover it."""
    authorise(actor, "volunteering.counter", good)
    quantity = _quantity(quantity)
    if not good.is_active:
        raise Conflict(_("该物品已下架。"), code="inactive_good")
    if volunteer.community_id != good.community_id:
        raise Invalid(_("只能在本社区的雷锋超市兑换。"), code="other_community")
    points = good.price_points * quantity
    with transaction.atomic():
        book = ledger.ledger_for(good.community)
        account = ledger.account_of(volunteer)
        shop = ledger.community_account(book, ledger.Kind.SHOP)
        posting, created = ledger.post(
            ledger=book, key=key, kind=Posting.Kind.REDEEM, actor=actor,
            actor_role=permitting_role(actor, "volunteering.counter", good) or "",
            entries=[(account, -points), (shop, points)],
            stock=[(good, Place.SHELF, -quantity), (good, Place.REDEEMED, quantity)],
            reason=good.name)
        if not created:
            found = Redemption.objects.filter(posting=posting).first()
            if found is None:
                raise Conflict(_("该键已用于其他过账。"), code="idempotency_key_reused")
            return found
        return Redemption.objects.create(posting=posting, volunteer=volunteer, good=good, community_id=good.community_id,
                                         quantity=quantity, points=points, by=actor, at=posting.at)


def reverse_redemption(*, actor, redemption, reason):
    """Undo a redemption by the opposite posting (entries never change), with a reason."""
    authorise(actor, "volunteering.counter", redemption)
    reason = clean_text(reason or "").strip()[:200]
    if not reason:
        raise Invalid(_("冲正须说明理由。"), code="reason_required", field="reason")
    with transaction.atomic():
        locked = Redemption.objects.select_for_update().select_related("good", "volunteer").get(pk=redemption.pk)
        if locked.state != Redemption.State.DONE:
            raise Conflict(_("该兑换已冲正。"), code="already_reversed")
        book = ledger.ledger_for(locked.good.community)
        shop = ledger.community_account(book, ledger.Kind.SHOP)
        account = ledger.account_of(locked.volunteer)
        posting, _created = ledger.post(
            ledger=book, key=f"reverse:{locked.pk}", kind=Posting.Kind.REVERSE, actor=actor, reason=reason,
            entries=[(shop, -locked.points), (account, locked.points)],
            stock=[(locked.good, Place.REDEEMED, -locked.quantity), (locked.good, Place.SHELF, locked.quantity)])
        if not Redemption.objects.filter(pk=locked.pk, state=Redemption.State.DONE).update(
                state=Redemption.State.REVERSED, reversal=posting, reversed_by=actor, reason=reason):
            raise Conflict(_("该兑换已冲正。"), code="already_reversed")
    redemption.refresh_from_db()
    return redemption


def award_deed(*, actor, volunteer, points, reason, key):
    """Points for a good deed recorded by staff (好人好事), at most Rules.max_deed_points."""
    authorise(actor, "volunteering.deed", volunteer)
    reason = clean_text(reason or "").strip()[:200]
    if not reason:
        raise Invalid(_("请写明好人好事的内容。"), code="reason_required", field="reason")
    if volunteer.user_id == actor.pk:
        raise Conflict(_("不能为自己记录好人好事。"), code="own_points")
    cap = ledger.rules_for(volunteer.community).max_deed_points
    try:
        points = int(points)
    except (TypeError, ValueError):
        points = 0
    if not 1 <= points <= cap:
        raise Invalid(_("积分须在 1 至 %(cap)s 之间。") % {"cap": cap}, code="points_out_of_range", field="points")
    book = ledger.ledger_for(volunteer.community)
    posting, _created = ledger.post(
        ledger=book, key=key, kind=Posting.Kind.DEED, actor=actor, reason=reason,
        entries=[(ledger.account_of(volunteer), points), (ledger.community_account(book, ledger.Kind.ISSUED), -points)])
    return posting
