"""What the vote services share: receipt codes, the estate's rules, the vote's lock, the
actor's role, and the checks every ballot passes."""

import hashlib
import logging
import secrets

from django.utils.translation import gettext as _

from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted
from liulin.core.permissions import authorise, permitting_role

from ..models import (
    Choice,
    EstateRules,
    RollEntry,
    State,
    Vote,
)

SYSTEM_ROLE = "system"
logger = logging.getLogger("liulin.votes.services")


def new_receipt_code():
    """A code the voter keeps: 12 characters from an alphabet without look-alikes."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalise_code(code):
    return "".join(ch for ch in str(code or "").upper() if ch.isalnum())


def receipt_hash(vote_id, code):
    """What is stored and published for a receipt code: nobody can go back to the code."""
    return hashlib.sha256(f"liulin-vote:{vote_id}:{normalise_code(code)}".encode()).hexdigest()


def rules_for(estate):
    rules = EstateRules.objects.filter(estate=estate).first()
    return rules or EstateRules(estate=estate)


def _lock(vote):
    try:
        return Vote.objects.select_for_update().get(pk=vote.pk)
    except Vote.DoesNotExist:
        raise NotFound(_("找不到该表决。")) from None


def _role_of(actor, perm, vote):
    if actor is None:
        return SYSTEM_ROLE
    authorise(actor, perm, vote)
    return permitting_role(actor, perm, vote) or ""


def _parse_choice(choice):
    try:
        return Choice(choice)
    except ValueError:
        raise Invalid(_("请选择同意、反对或弃权。"), code="invalid_choice", field="choice") from None


def _require_open(vote, now):
    if vote.state != State.OPEN or not (vote.opens_at <= now < vote.closes_at):
        raise Conflict(_("本表决当前不在投票期内。"), code="not_open")


def _roll_of(vote, owner):
    entries = list(RollEntry.objects.filter(vote=vote, owner=owner).order_by("label"))
    if not entries:
        raise NotPermitted(_("您不在本次表决的业主名册上（名册在投票开始时确定）。"), code="not_on_roll")
    return entries
