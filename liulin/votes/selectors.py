"""Every read of the votes app, scoped: staff see the votes of their scope (the committee its
estate's, community staff their community's); an owner sees the votes of the estates where he
holds a unit, once they are noticed; a proxy holder the votes he holds a proxy in. Published outputs carry units and areas, never names."""

from django.db.models import Q
from django.utils.translation import gettext as _

from liulin.core.errors import NotFound
from liulin.core.permissions import NOT_FOUND, can, scope_q
from liulin.core.permissions import NOTHING as NO_ROWS

from . import tally as tallying
from .models import Ballot, Owner, PaperEntry, Proxy, RollEntry, State, Vote, VoteEvent
from .services import receipt_hash

PUBLIC_STATES = (State.NOTICED, State.OPEN, State.CLOSED, State.COUNTED, State.PUBLISHED)
RESULT_STATES = (State.COUNTED, State.PUBLISHED)


def owned_estate_ids(user):
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Owner.objects.filter(user=user).values_list("estate_id", flat=True))


def votes_for(user):
    if not getattr(user, "is_authenticated", False):
        return Vote.objects.none()
    q = scope_q(user, "votes.view", Vote)
    estates = owned_estate_ids(user)
    if estates:
        owned = Q(estate_id__in=estates, state__in=PUBLIC_STATES)
        q = owned if q == NO_ROWS else q | owned
    # A family member who holds an owner's written proxy sees that vote.
    held = Q(pk__in=Proxy.objects.filter(holder=user, revoked_at__isnull=True).values("vote_id"))
    q = held if q == NO_ROWS else q | held
    return Vote.objects.filter(q).select_related("estate", "committee")


def vote_for(user, vote_id):
    vote = votes_for(user).filter(pk=vote_id).first()
    if vote is None:
        raise NotFound(_(NOT_FOUND))
    return vote


def is_staff_for(user, vote):
    return can(user, "votes.view", vote)


def may(user, perm, vote):
    return can(user, perm, vote)


def owner_for(user, vote):
    """The owner the user votes for in this vote's estate, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Owner.objects.filter(estate_id=vote.estate_id, user=user).first()


def roll_of(vote, owner):
    return list(RollEntry.objects.filter(vote=vote, owner=owner).order_by("label"))


def ballots_of(vote, owner):
    return list(Ballot.objects.filter(vote=vote, owner=owner).select_related("unit").order_by("unit__label"))


def participation(vote):
    """The live strict tally and where it stands against the quorum and the approval."""
    figures = tallying.strict(vote)
    return {"figures": figures, "decision": tallying.decision(vote, figures)}


def result(vote):
    """Strict tally and the rules' tally side by side, from the rows."""
    figures = tallying.strict(vote)
    ruled, silent = tallying.by_rules(vote, figures)
    return {"strict": figures, "strict_decision": tallying.decision(vote, figures),
            "rules": ruled, "rules_decision": tallying.decision(vote, ruled), "silent_served": silent}


def receipt(vote, code):
    """The ballots a receipt code stands for: units, areas, choice, channel. Nothing else."""
    digest = receipt_hash(vote.pk, code)
    return digest, list(Ballot.objects.filter(vote=vote, receipt_hash=digest).select_related("unit").order_by("unit__label"))


def receipt_in_log(vote, digest):
    """Whether the published chain holds a cast of this receipt (the last word on each unit)."""
    return VoteEvent.objects.filter(vote=vote, action__in=("cast", "replace_ballot"), data__receipt=digest).exists()


def roll_search(vote, term, *, limit=20):
    """Owners on the roll found by unit label (for counter and paper entry)."""
    term = (term or "").strip()
    entries = RollEntry.objects.filter(vote=vote).select_related("owner").order_by("label")
    if term:
        entries = entries.filter(label__icontains=term)
    return list(entries[:limit])


def roll_owner(vote, owner_id):
    entry = RollEntry.objects.filter(vote=vote, owner_id=owner_id).select_related("owner").first()
    if entry is None:
        raise NotFound(_("该业主不在本次表决的名册上。"))
    return entry.owner


def published_log(vote):
    """The public chain of a vote whose result is published: every step and ballot, with
    units and areas, never names."""
    if vote.state not in RESULT_STATES:
        raise NotFound(_("计票后才公开投票记录。"))
    return VoteEvent.objects.filter(vote=vote).order_by("seq")


def unsettled_paper(vote):
    """The roll entries of owners whose paper sheet waits for a second typing or a third
    reader, with how many copies and whether they disagree."""
    owners = tallying.unsettled_paper(vote)
    copies = {}
    for entry in PaperEntry.objects.filter(vote=vote, owner_id__in=owners):
        copies.setdefault(entry.owner_id, []).append(entry)
    entries = RollEntry.objects.filter(vote=vote, owner_id__in=owners).order_by("label")
    seen, rows = set(), []
    for entry in entries:
        if entry.owner_id in seen:
            continue
        seen.add(entry.owner_id)
        typed = copies.get(entry.owner_id, [])
        rows.append({"owner_id": entry.owner_id, "label": entry.label, "copies": len(typed),
                     "disagree": len({(e.choice, e.receipt_hash) for e in typed}) > 1})
    return rows


def proxies_for(user, vote):
    """Active proxies of a vote: all of them for staff who register them, else those the user
    holds or gave."""
    rows = Proxy.objects.filter(vote=vote, revoked_at__isnull=True).select_related("owner", "holder").order_by("pk")
    if can(user, "votes.register_proxy", vote):
        return rows
    if not getattr(user, "is_authenticated", False):
        return rows.none()
    return rows.filter(Q(holder=user) | Q(owner__user=user))


def proxy_for(user, proxy_id):
    proxy = Proxy.objects.filter(pk=proxy_id).select_related("vote", "owner").first()
    if proxy is None or not proxies_for(user, vote_for(user, proxy.vote_id)).filter(pk=proxy.pk).exists():
        raise NotFound(_(NOT_FOUND))
    return proxy


def held_owner(user, vote, owner_id):
    """The owner `user` holds an active proxy for in this vote, or NotFound."""
    proxy = Proxy.objects.filter(vote=vote, holder=user, owner_id=owner_id, revoked_at__isnull=True).select_related("owner").first()
    if proxy is None:
        raise NotFound(_("您没有该业主本次表决的有效委托。"))
    return proxy.owner


def votes_to_register_for(user):
    """[(vote, owner, active proxy or None)]: the noticed and open votes of the estates where
    someone whose general consent ("votes", people.proxies) names `user` is an owner, so that
    she registers the owner's written proxy herself."""
    from liulin.people import proxies as kernel_proxies

    owners = list(Owner.objects.filter(resident__in=kernel_proxies.elders_for(user, "votes")).select_related("estate"))
    by_estate = {}
    for owner in owners:
        by_estate.setdefault(owner.estate_id, []).append(owner)
    votes = Vote.objects.filter(estate_id__in=by_estate, state__in=(State.NOTICED, State.OPEN)).order_by("closes_at", "pk")
    held = {(p.vote_id, p.owner_id): p for p in Proxy.objects.filter(vote__in=votes, owner__in=owners, revoked_at__isnull=True)}
    return [(vote, owner, held.get((vote.pk, owner.pk))) for vote in votes for owner in by_estate[vote.estate_id]]


def holder_by_mobile(mobile):
    """The account a proxy is given to, found by its mobile number (staff registering a proxy)."""
    from liulin.accounts.models import User

    return User.objects.filter(mobile=(mobile or "").strip(), is_active=True).first()


def cockpit_tile(user):
    """The 数据驾驶舱's owners' votes over the votes the user may see: open now, counted or
    published, and ballots cast in all (one per unit, as the register counts them)."""
    from django.db.models import Count

    from liulin.core.permissions import scoped

    votes = scoped(user, Vote.objects.exclude(state=State.CANCELLED), "votes.view")
    figures = votes.aggregate(open=Count("pk", filter=Q(state=State.OPEN)),
                              done=Count("pk", filter=Q(state__in=[State.COUNTED, State.PUBLISHED])))
    figures["ballots"] = Ballot.objects.filter(vote__in=votes.values("pk")).count()
    return figures


# --- the owners' register (业主名册) -----------------------------------------------------

def register_committees(user):
    """The owners' committees whose estate's register `user` keeps: the committee itself, or
    community staff of its community (`votes.manage_register`, checked on the committee)."""
    from liulin.core.permissions import scoped
    from liulin.orgs.models import Organisation

    committees = Organisation.objects.filter(kind=Organisation.Kind.OWNERS_COMMITTEE, estate__isnull=False)
    return scoped(user, committees, "votes.manage_register")


def register_estates(user):
    """The estates whose register `user` keeps, each with its register's units, area (cm²) and
    owners (heads: one per owner holding a unit)."""
    from django.db.models import Count, Sum

    from liulin.territory.models import Estate

    return (Estate.objects.filter(pk__in=register_committees(user).values("estate_id"))
            .annotate(register_units=Count("units"), register_area_cm2=Sum("units__area_cm2"),
                      register_owners=Count("units__owner", distinct=True))
            .order_by("name", "pk"))


def register_estate(user, estate_id):
    """One estate whose register `user` keeps; NotFound for any other, so none leaks."""
    estate = register_estates(user).filter(pk=estate_id).first()
    if estate is None:
        raise NotFound(_(NOT_FOUND))
    return estate


def keeps_register(user, estate_id):
    return register_committees(user).filter(estate_id=estate_id).exists()


def register_by_kind(estate):
    """{owner kind: heads} of the estate's register, each owner holding a unit counted once."""
    from django.db.models import Count

    rows = Owner.objects.filter(estate=estate, units__isnull=False).values("kind").annotate(n=Count("pk", distinct=True))
    return {row["kind"]: row["n"] for row in rows}


def votes_in_progress(user, estate):
    """The estate's votes that are noticed, open or closed, as `user` sees them: a register
    changed now goes into the roll of a noticed vote when it opens, never into an open one's."""
    return list(votes_for(user).filter(estate=estate, state__in=(State.NOTICED, State.OPEN, State.CLOSED)).order_by("opens_at"))
