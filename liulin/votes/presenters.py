"""What pages and the API show of a vote, built once for both."""

from django.utils.translation import gettext as _

from liulin.core.errors import NotFound, NotPermitted
from liulin.core.masking import mask_name
from liulin.core.permissions import can

from . import selectors
from .models import Choice, State
from .workflow import WORKFLOW


def actions_for(user, vote):
    return [t.action for t in WORKFLOW.available_actions(vote.state) if can(user, WORKFLOW.perm(t.action), vote)]


def my_units(user, vote):
    owner = selectors.owner_for(user, vote)
    return units_of(vote, owner) if owner is not None else []


def units_of(vote, owner):
    """An owner's units on the roll with the ballot each holds."""
    cast = {b.unit_id: b for b in selectors.ballots_of(vote, owner)}
    units = []
    for entry in selectors.roll_of(vote, owner):
        ballot = cast.get(entry.unit_id)
        units.append({"label": entry.label, "area_cm2": entry.area_cm2, "choice": ballot.choice if ballot else None,
                      "channel": ballot.channel if ballot else None,
                      "choice_label": Choice(ballot.choice).label if ballot else ""})
    return units


def detail(user, vote):
    vote.actions = actions_for(user, vote)
    vote.my_units = my_units(user, vote)
    return vote


def require_staff(user, vote):
    if not can(user, "votes.view", vote):
        raise NotPermitted(_("只有业主委员会和社区工作人员可以查看实时参与情况。"))


def require_clerk(user, vote):
    if not can(user, WORKFLOW.perm("enter_counter"), vote):
        raise NotPermitted(_("只有录入人员可以检索名册。"))


def require_result(vote):
    if vote.state not in selectors.RESULT_STATES:
        raise NotFound(_("计票后才公开结果与投票记录。"), code="not_counted")


def roll_entry(entry):
    return {"owner_id": entry.owner_id, "label": entry.label, "area_cm2": entry.area_cm2, "owner_name": mask_name(entry.owner.name)}


def receipt(vote, code):
    digest, ballots = selectors.receipt(vote, code)
    return {
        "receipt_hash": digest, "found": bool(ballots), "in_published_log": bool(ballots) and selectors.receipt_in_log(vote, digest),
        "counted": bool(ballots) and vote.state in (State.COUNTED, State.PUBLISHED),
        "units": [{"label": b.unit.label, "area_cm2": b.area_cm2, "choice": b.choice, "channel": b.channel} for b in ballots],
    }


def proxies_shown(user, vote):
    """The active proxies the user may see, with what a page shows of them."""
    from liulin.core.masking import mask_phone

    rows = list(selectors.proxies_for(user, vote))
    for proxy in rows:
        proxy.owner_masked = mask_name(proxy.owner.name)
        proxy.holder_masked = mask_phone(proxy.holder.mobile)
        proxy.mine_to_use = proxy.holder_id == getattr(user, "pk", None)
        proxy.mine_to_revoke = proxy.owner.user_id == getattr(user, "pk", None)
    return rows
