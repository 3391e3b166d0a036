"""The points ledger: double-entry postings in integer points, chained per community.

`post` is the one way anything reaches a balance. It
- replays: a posting's key is unique in its ledger, so posting the same key again returns
  the first posting and creates nothing;
- balances: each posting's entries sum to zero, and its stock entries sum to zero per good;
- never overdraws: a volunteer's balance is lowered by a conditional update
  (`balance >= amount`), and a database check refuses a negative one anyway; a shelf
  likewise (`stock >= quantity`);
- chains: the posting is the next link of the community's chain (core.chain), and its data
  repeats the entries, so `verify` names an edited entry as well as an edited posting.

The ledger row is locked first (select_for_update on PostgreSQL; SQLite's IMMEDIATE
transaction holds the one write lock), so the chain's links are taken one at a time.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils.translation import gettext as _

from liulin.core import chain
from liulin.core.errors import Conflict, Invalid

from ..models import Entry, Good, Ledger, PointsAccount, Posting, Rules, StockEntry

Kind = PointsAccount.Kind


class InsufficientPoints(Conflict):
    code = "insufficient_points"


class OutOfStock(Conflict):
    code = "out_of_stock"


def rules_for(community):
    rules = Rules.objects.filter(community=community).first()
    return rules or Rules(community=community)


def ledger_for(community):
    """The community's ledger and its own accounts, made on first need."""
    ledger, created = Ledger.objects.get_or_create(community=community)
    if created:
        PointsAccount.objects.bulk_create(
            [PointsAccount(ledger=ledger, kind=kind) for kind in (Kind.ISSUED, Kind.SHOP, Kind.EXPIRED)]
        )
    return ledger


def community_account(ledger, kind):
    return PointsAccount.objects.get(ledger=ledger, kind=kind, volunteer__isnull=True)


def account_of(volunteer):
    """The volunteer's points account, made with him on first need."""
    account = PointsAccount.objects.filter(volunteer=volunteer).first()
    if account is None:
        account = PointsAccount.objects.create(ledger=ledger_for(volunteer.community), kind=Kind.VOLUNTEER,
                                               volunteer=volunteer)
    return account


def points_for(minutes, points_per_hour):
    """Whole points for `minutes` served at `points_per_hour` (rounded down)."""
    return minutes * points_per_hour // 60


def _check_balanced(entries, stock):
    if not entries and not stock:
        raise Invalid(_("过账没有分录。"), code="empty_posting")
    if sum(amount for _, amount in entries) != 0:
        raise Invalid(_("积分分录之和必须为零。"), code="unbalanced_posting")
    per_good = defaultdict(int)
    for good, _place, quantity in stock:
        per_good[good.pk] += quantity
    if any(per_good.values()):
        raise Invalid(_("库存分录之和必须为零。"), code="unbalanced_posting")


def post(*, ledger, key, kind, actor, entries, stock=(), reason="", actor_role=""):
    """Post `entries` [(account, amount)] and `stock` [(good, place, quantity)] under `key`;
    returns (posting, created). A replayed key returns the first posting, created False."""
    entries = [(account, int(amount)) for account, amount in entries if amount]
    stock = [(good, place, int(quantity)) for good, place, quantity in stock if quantity]
    _check_balanced(entries, stock)
    with transaction.atomic():
        ledger = Ledger.objects.select_for_update().get(pk=ledger.pk)
        earlier = Posting.objects.filter(ledger=ledger, key=key).first()
        if earlier is not None:
            return earlier, False
        # In account order, so two postings on PostgreSQL never wait on each other crosswise.
        for account, amount in sorted(entries, key=lambda e: e[0].pk):
            rows = PointsAccount.objects.filter(pk=account.pk)
            if amount < 0 and account.kind == Kind.VOLUNTEER:
                rows = rows.filter(balance__gte=-amount)
            if not rows.update(balance=F("balance") + amount):
                raise InsufficientPoints(_("积分不足。"))
        for good, place, quantity in sorted(stock, key=lambda s: (s[0].pk, s[1])):
            if place != "shelf":
                continue
            rows = Good.objects.filter(pk=good.pk)
            if quantity < 0:
                rows = rows.filter(stock__gte=-quantity)
            if not rows.update(stock=F("stock") + quantity):
                raise OutOfStock(_("“%(good)s”库存不足。") % {"good": good.name})
        data = {"entries": [[account.pk, amount] for account, amount in entries],
                "stock": [[good.pk, place, quantity] for good, place, quantity in stock]}
        posting = chain.append(Posting, ledger, actor=actor, actor_role=actor_role, action=kind, key=key,
                               reason=reason, data=data)
        Entry.objects.bulk_create([Entry(posting=posting, account=account, amount=amount) for account, amount in entries])
        StockEntry.objects.bulk_create(
            [StockEntry(posting=posting, good=good, place=place, quantity=quantity) for good, place, quantity in stock]
        )
    return posting, True


# --- checking ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BadPosting:
    """A posting whose stored entries no longer match what its chained data says."""

    posting: Posting
    problem: str

    def __str__(self):
        return f"posting {self.posting.seq}: {self.problem}"


def verify(ledger):
    """None when the community's chain holds and every posting's entries are as chained; else
    the chain's BrokenLink or the first BadPosting."""
    broken = chain.verify(Posting, ledger)
    if broken is not None:
        return broken
    entries, stock = defaultdict(list), defaultdict(list)
    for posting_id, account_id, amount in Entry.objects.filter(posting__ledger=ledger).values_list(
            "posting_id", "account_id", "amount").order_by("pk").iterator(chunk_size=2000):
        entries[posting_id].append([account_id, amount])
    for posting_id, good_id, place, quantity in StockEntry.objects.filter(posting__ledger=ledger).values_list(
            "posting_id", "good_id", "place", "quantity").order_by("pk").iterator(chunk_size=2000):
        stock[posting_id].append([good_id, place, quantity])
    for posting in Posting.objects.filter(ledger=ledger).order_by("seq").only("pk", "seq", "data").iterator(chunk_size=2000):
        if sorted(entries.get(posting.pk, [])) != sorted(posting.data.get("entries", [])):
            return BadPosting(posting, "entries")
        if sorted(stock.get(posting.pk, [])) != sorted(posting.data.get("stock", [])):
            return BadPosting(posting, "stock")
    return None


def balances_off(ledger):
    """[(account, stored balance, sum of its entries)] for every account whose stored balance
    differs from its entries: empty when the ledger holds."""
    sums = dict(Entry.objects.filter(account__ledger=ledger).values("account").annotate(total=Sum("amount"))
                .values_list("account", "total"))
    return [(account, account.balance, sums.get(account.pk, 0))
            for account in PointsAccount.objects.filter(ledger=ledger) if account.balance != sums.get(account.pk, 0)]


def stock_off(community):
    """[(good, stock, sum of its shelf entries)] where they differ."""
    sums = dict(StockEntry.objects.filter(good__community=community, place="shelf").values("good")
                .annotate(total=Sum("quantity")).values_list("good", "total"))
    return [(good, good.stock, sums.get(good.pk, 0)) for good in Good.objects.filter(community=community)
            if good.stock != sums.get(good.pk, 0)]


# --- expiry -----------------------------------------------------------------------------------


def expire_points(*, ledger, now, actor=None):
    """Expire, per volunteer, the points earned before the validity window that later debits
    have not used up (oldest first: every debit uses the oldest points left, so the unused
    old points are the old credits less all debits). Hours are untouched. Safe to run twice:
    each day's expiry of an account has its own key. Returns the number of postings made."""
    rules = rules_for(ledger.community)
    cutoff = now - datetime.timedelta(days=rules.points_valid_days)
    rows = (Entry.objects.filter(account__ledger=ledger, account__kind=Kind.VOLUNTEER)
            .values("account")
            .annotate(old=Sum("amount", filter=Q(amount__gt=0, posting__at__lte=cutoff)),
                      spent=Sum("amount", filter=Q(amount__lt=0))))
    expired = community_account(ledger, Kind.EXPIRED)
    accounts = {a.pk: a for a in PointsAccount.objects.filter(pk__in=[row["account"] for row in rows])}
    made = 0
    for row in rows:
        due = (row["old"] or 0) + (row["spent"] or 0)
        if due <= 0:
            continue
        account = accounts[row["account"]]
        due = min(due, account.balance)
        if due <= 0:
            continue
        _posting, created = post(ledger=ledger, key=f"expire:{account.pk}:{cutoff.date().isoformat()}", kind=Posting.Kind.EXPIRE,
                          actor=actor, entries=[(account, -due), (expired, due)], reason=_("积分超过有效期"))
        made += created
    return made


def publish_hash(*, ledger, day):
    """Publish the chain's latest link for `day` (once a day; a second call returns the first)."""
    from ..models import PublishedHash

    last = Posting.objects.filter(ledger=ledger).order_by("-seq").values("seq", "hash").first() or {"seq": 0, "hash": chain.GENESIS}
    published, _created = PublishedHash.objects.get_or_create(ledger=ledger, day=day, defaults=last)
    return published
