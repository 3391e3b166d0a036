"""Every read of the canteen, scoped to the reader (core.permissions.scoped)."""

import datetime

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from liulin.core import clock
from liulin.core.masking import mask_name
from liulin.core.permissions import get_or_404, scoped
from liulin.people import proxies
from liulin.people.models import Resident

from .models import Canteen, CareStatus, Claim, MenuDay, Order
from .services import month_bounds

RAPID_MINUTES = 10  # two meals of one person ordered closer than this are flagged


def canteens_for(user, perm="canteen.view"):
    return scoped(user, Canteen.objects.select_related("community"), perm)


def canteen_for(user, pk, perm="canteen.view"):
    return get_or_404(user, Canteen.objects.all(), perm, pk=pk)


def visible_canteens(user):
    """Canteens a resident may order from: those of his own community; staff: their scope."""
    staff = canteens_for(user)
    own = getattr(user, "resident", None)
    if own is not None and own.household_id:
        return Canteen.objects.filter(Q(pk__in=staff.values("pk")) | Q(community_id=own.household.community_id)).distinct()
    return staff


def published_menu(canteen, start, days=7):
    return (MenuDay.objects.filter(period__canteen=canteen, day__gte=start, day__lt=start + datetime.timedelta(days=days),
                                   published_at__isnull=False).select_related("period").order_by("day", "period__sort"))


def orders_for(user):
    return scoped(user, Order.objects.select_related("period", "resident", "canteen"), "canteen.order_view")


def order_for(user, pk):
    return get_or_404(user, Order.objects.select_related("period", "resident", "canteen"), "canteen.order_view", pk=pk)


def my_orders(user):
    """Orders of the people a resident acts for, or that he placed."""
    own = getattr(user, "resident", None)
    q = Q(ordered_by=user)
    if own is not None:
        q |= Q(resident=own)
    q |= Q(resident__in=proxies.elders_for(user, "canteen"))
    return Order.objects.filter(q).select_related("period", "resident").order_by("-day", "period__sort", "-id")


def elders_i_order_for(user):
    return proxies.elders_for(user, "canteen")


def delivery_queue(user, canteen, day):
    return (orders_for(user).filter(canteen=canteen, day=day, delivery=True, state__in=[Order.State.ORDERED, Order.State.OUT])
            .select_related("resident__household").order_by("period__sort", "created_at"))


def counter_orders(user, canteen, day):
    return orders_for(user).filter(canteen=canteen, day=day).order_by("-created_at")[:50]


def statuses_of(resident):
    return CareStatus.objects.filter(resident=resident).select_related("tag")


def claim_orders(canteen, month):
    first, end = month_bounds(month)
    return (Order.objects.filter(canteen=canteen, subsidised=True, day__gte=first, day__lt=end)
            .exclude(state=Order.State.CANCELLED).select_related("period", "resident", "rule_table").order_by("day", "period__sort", "id"))


def claim_lines(canteen, month):
    """One line per subsidised, not-cancelled meal of the month: the person masked as the claim
    needs it (family name, masked ID), date, meal, rule version, price, subsidy, identification."""
    return [
        {
            "order": o.pk,
            "name": mask_name(o.resident.name),
            "id_masked": o.resident.id_masked,
            "age": o.age,
            "status": o.status_code,
            "day": o.day.isoformat(),
            "meal": o.period.name,
            "rule_version": o.rule_table.version,
            "price_fen": o.price_fen,
            "subsidy_fen": o.subsidy_fen,
            "identified_by": o.get_identified_by_display(),
            "channel": o.get_channel_display(),
        }
        for o in claim_orders(canteen, month)
    ]


def claim_totals(lines):
    return {
        "lines": len(lines),
        "price_fen": sum(line["price_fen"] for line in lines),
        "subsidy_fen": sum(line["subsidy_fen"] for line in lines),
    }


def recount(canteen, month):
    """The month's totals counted by the database, independently of the claim's lines."""
    agg = claim_orders(canteen, month).aggregate(n=Count("id"), price=Sum("price_fen"), subsidy=Sum("subsidy_fen"))
    return {"lines": agg["n"], "price_fen": agg["price"] or 0, "subsidy_fen": agg["subsidy"] or 0}


def claims_for(user, canteen):
    return scoped(user, Claim.objects.filter(canteen=canteen), "canteen.claim_view")


def claim_for(user, pk):
    return get_or_404(user, Claim.objects.select_related("canteen"), "canteen.claim_view", pk=pk)


def alerts(canteen, month, *, now=None):
    """Implausible patterns of the month: several meals of one person within minutes; a
    subsidised meal after the status it used expired; proxy deliveries never confirmed."""
    now = now or clock.now()
    first, end = month_bounds(month)
    orders = list(Order.objects.filter(canteen=canteen, day__gte=first, day__lt=end).exclude(state=Order.State.CANCELLED)
                  .select_related("resident", "period").order_by("resident_id", "created_at"))
    found = []
    previous = None
    for order in orders:
        if previous is not None and previous.resident_id == order.resident_id and \
                order.created_at - previous.created_at < datetime.timedelta(minutes=RAPID_MINUTES):
            found.append({"kind": "rapid", "order": order, "text": _("%(minutes)s 分钟内同一人多次点餐") % {"minutes": RAPID_MINUTES}})
        previous = order
    with_status = [o for o in orders if o.subsidised and o.status_code]
    covered = set()
    if with_status:
        for resident_id, code, start, stop in CareStatus.objects.filter(
            resident_id__in={o.resident_id for o in with_status}
        ).values_list("resident_id", "tag__code", "valid_from", "expires_on"):
            covered.add((resident_id, code, start, stop))
    for order in with_status:
        if not any(r == order.resident_id and c == order.status_code and s <= order.day <= e for r, c, s, e in covered):
            found.append({"kind": "status_expired", "order": order, "text": _("就餐日身份证明已失效")})
    today = timezone.localdate(now)
    for order in orders:
        if order.channel == Order.Channel.FAMILY and order.delivery and order.state != Order.State.DELIVERED and order.day < today:
            found.append({"kind": "undelivered", "order": order, "text": _("家属代订的送餐未确认送达")})
    return found


def counter_residents(user, canteen):
    """Residents the counter may serve: those of the canteen's community, for staff who hold
    the counter of this canteen; nobody otherwise."""
    from liulin.core.permissions import can

    if not can(user, "canteen.counter", canteen):
        return Resident.objects.none()
    return Resident.objects.filter(household__community_id=canteen.community_id).select_related("household")


def counter_find(user, canteen, *, id_number="", resident_id=None, name=""):
    """The diner at the counter, by ID card (matched on its keyed hash), resident code (the
    registry id on his code) or a staff search by name; (resident or None, how identified)."""
    from liulin.core.crypto import keyed_hash
    from liulin.people.services import clean_id_number

    people = counter_residents(user, canteen)
    if id_number:
        return people.filter(id_hash=keyed_hash(clean_id_number(id_number))).first(), Order.Identified.ID_CARD
    if resident_id:
        return people.filter(pk=resident_id).first(), Order.Identified.RESIDENT_CODE
    if name:
        return None, Order.Identified.STAFF_SEARCH
    return None, ""


def counter_search(user, canteen, name):
    from liulin.core.text import clean_text

    name = clean_text(name or "").strip()[:32]
    if not name:
        return Resident.objects.none()
    return counter_residents(user, canteen).filter(name__contains=name).order_by("name_pinyin")[:20]
