"""Counting: the strict tally (art. 278 as written) and the tally by the estate's rules for
non-voters, side by side, from the ballot rows, in integers."""

from dataclasses import dataclass

from django.db.models import Count, Sum

from .models import Ballot, Choice, NonVoterRule, PaperEntry, RollEntry
from .rules import Figures, decide


@dataclass(frozen=True)
class Tally(Figures):
    no_area: int = 0
    no_owners: int = 0
    abstain_area: int = 0
    abstain_owners: int = 0


def strict(vote):
    """The tally of the ballots cast. One owner's ballots all carry one choice (he votes for
    all his units at once), so counting distinct owners per choice counts each head once."""
    rows = Ballot.objects.filter(vote=vote).values("choice").annotate(area=Sum("area_cm2"), owners=Count("owner", distinct=True))
    by = {row["choice"]: (row["area"] or 0, row["owners"]) for row in rows}
    yes, no, abstain = (by.get(c, (0, 0)) for c in (Choice.YES, Choice.NO, Choice.ABSTAIN))
    return Tally(total_area=vote.total_area_cm2, total_owners=vote.total_owners,
                 voted_area=yes[0] + no[0] + abstain[0], voted_owners=yes[1] + no[1] + abstain[1],
                 yes_area=yes[0], yes_owners=yes[1], no_area=no[0], no_owners=no[1],
                 abstain_area=abstain[0], abstain_owners=abstain[1])


def majority_side(figures):
    """The side that leads on both area and headcount among the ballots, or None."""
    if figures.yes_area > figures.no_area and figures.yes_owners > figures.no_owners:
        return Choice.YES
    if figures.no_area > figures.yes_area and figures.no_owners > figures.yes_owners:
        return Choice.NO
    return None


def by_rules(vote, figures=None):
    """The tally under the estate's rules for non-voters: with "counted with the majority",
    the owners who cast nothing but were served the ballot join the side that leads on both
    measures. Owners never served stay out. Returns (tally, served non-voters (area, owners))."""
    figures = figures or strict(vote)
    if vote.non_voter_rule != NonVoterRule.WITH_MAJORITY:
        return figures, (0, 0)
    side = majority_side(figures)
    voted_owners = Ballot.objects.filter(vote=vote).values("owner_id")
    silent = RollEntry.objects.filter(vote=vote, served_at__isnull=False).exclude(owner_id__in=voted_owners)
    agg = silent.aggregate(area=Sum("area_cm2"), owners=Count("owner", distinct=True))
    area, owners = agg["area"] or 0, agg["owners"] or 0
    if side is None or not owners:
        return figures, (area, owners)
    changes = {"voted_area": figures.voted_area + area, "voted_owners": figures.voted_owners + owners}
    if side == Choice.YES:
        changes.update(yes_area=figures.yes_area + area, yes_owners=figures.yes_owners + owners)
    else:
        changes.update(no_area=figures.no_area + area, no_owners=figures.no_owners + owners)
    return Tally(**{**figures.__dict__, **changes}), (area, owners)


def decision(vote, figures):
    return decide(vote.matter, figures)


def unsettled_paper(vote):
    """Owners whose paper sheet was typed but is not yet a ballot (one copy only, or two that
    disagree): the count waits for them."""
    typed = set(PaperEntry.objects.filter(vote=vote).values_list("owner_id", flat=True).distinct())
    done = set(Ballot.objects.filter(vote=vote, owner_id__in=typed, channel="paper").values_list("owner_id", flat=True))
    # A sheet whose owner then voted online (which prevails) needs no second copy.
    online = set(Ballot.objects.filter(vote=vote, owner_id__in=typed, channel="online").values_list("owner_id", flat=True))
    return sorted(typed - done - online)


def recount(ballots, *, total_area, total_owners):
    """A from-scratch recount over plain rows [(owner, area, choice)], for tests and the
    verifier: the same figures, no database."""
    area = {c: 0 for c in Choice}
    heads = {c: set() for c in Choice}
    for owner, unit_area, choice in ballots:
        area[Choice(choice)] += unit_area
        heads[Choice(choice)].add(owner)
    return Tally(total_area=total_area, total_owners=total_owners,
                 voted_area=sum(area.values()), voted_owners=len(set().union(*heads.values())),
                 yes_area=area[Choice.YES], yes_owners=len(heads[Choice.YES]),
                 no_area=area[Choice.NO], no_owners=len(heads[Choice.NO]),
                 abstain_area=area[Choice.ABSTAIN], abstain_owners=len(heads[Choice.ABSTAIN]))
