"""回访: the requester's verdict on a verified ticket, and what follows from it.

A callback is taken by an operator's phone call or by the resident himself; it records the
verdict for the current round of handling (round = reopen_count + 1) and closes the ticket.

Unsatisfied with `reopen=True`:
- taken by staff who may reopen (a dispatcher role: operator, community staff/secretary),
  the ticket is reopened at once (重办, counted in reopen_count);
- asked by the resident himself, the wish is recorded on the callback event
  (`reopen_requested`) and the community decides: residents may not reopen on their own,
  because a reopen restarts a unit's clock and counts against it in the rankings.

A ticket left unrated for LIULIN_CALLBACK_DAYS (default 7) after verification is closed by
the system with a "timeout" callback rated not_rated, so it neither lingers nor counts as
satisfied.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from liulin.core import clock
from liulin.core.errors import Invalid
from liulin.core.permissions import can

from ..models import Callback, Satisfaction, State, Ticket
from . import transitions

DEFAULT_CALLBACK_DAYS = 7
RATINGS = (Satisfaction.SATISFIED, Satisfaction.BASIC, Satisfaction.UNSATISFIED)
METHODS = (Callback.Method.PHONE, Callback.Method.SELF)


def callback_days():
    return int(getattr(settings, "LIULIN_CALLBACK_DAYS", DEFAULT_CALLBACK_DAYS))


def _clean_verdict(solved, satisfaction, method):
    if satisfaction not in RATINGS:
        raise Invalid(_("请选择满意、基本满意或不满意。"), code="invalid_satisfaction", field="satisfaction")
    if not isinstance(solved, bool):
        raise Invalid(_("请选择问题是否已解决。"), code="solved_required", field="solved")
    if method not in METHODS:
        raise Invalid(_("无效的回访方式。"), code="invalid_method", field="method")


def _write_callback(ticket, *, by, method, solved, satisfaction, comment, now):
    """The Callback row for the current round, and the verdict copied onto the ticket."""
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if locked.state != State.VERIFIED:
        raise Invalid(_("只有已核单的诉求才能回访。"), code="not_awaiting_callback")
    callback = Callback.objects.create(
        ticket=locked,
        round=locked.reopen_count + 1,
        method=method,
        solved=solved,
        satisfaction=satisfaction,
        comment=comment,
        by=by,
        at=now,
    )
    locked.solved, locked.satisfaction = solved, satisfaction
    locked.save(update_fields=["solved", "satisfaction"])
    return locked, callback


def record_callback(*, actor, ticket, solved, satisfaction, comment="", method="phone", reopen=False, now=None):
    """Record the verdict and close the ticket; an unsatisfied verdict may reopen it."""
    now = now or clock.now()
    comment = (comment or "").strip()[:1000]
    if actor is not None and actor.pk == ticket.requester_user_id:
        method = Callback.Method.SELF  # the requester rating his own ticket is self-service whatever the form says
    _clean_verdict(solved, satisfaction, method)
    wants_reopen = bool(reopen) and (satisfaction == Satisfaction.UNSATISFIED or not solved)
    with transaction.atomic():
        locked, callback = _write_callback(
            ticket, by=actor, method=method, solved=solved, satisfaction=satisfaction, comment=comment, now=now
        )
        staff_reopens = wants_reopen and can(actor, "whistle.reopen", locked)
        data = {"solved": solved, "satisfaction": satisfaction, "method": method, "round": callback.round}
        if wants_reopen and not staff_reopens:
            data["reopen_requested"] = True
        locked = transitions.act(actor=actor, ticket=locked, action="callback", reason=comment, data=data, now=now)
        if staff_reopens:
            transitions.act(actor=actor, ticket=locked, action="reopen", reason=comment or "回访不满意，重办", now=now)
    ticket.refresh_from_db()
    return callback


def expire_unrated(now=None, days=None):
    """Close tickets verified more than `days` ago and never rated; returns how many."""
    now = now or clock.now()
    days = callback_days() if days is None else days
    cutoff = now - datetime.timedelta(days=days)
    ids = list(Ticket.objects.filter(state=State.VERIFIED, verified_at__lte=cutoff).values_list("pk", flat=True))
    closed = 0
    for ticket_id in ids:
        if _expire_one(ticket_id, days, now):
            closed += 1
    return closed


def _expire_one(ticket_id, days, now):
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().filter(pk=ticket_id, state=State.VERIFIED).first()
        if ticket is None:  # rated or changed since the list was read
            return False
        ticket, callback = _write_callback(
            ticket,
            by=None,
            method=Callback.Method.TIMEOUT,
            solved=None,
            satisfaction=Satisfaction.NOT_RATED,
            comment=f"核单后 {days} 天内未评价",
            now=now,
        )
        data = {"solved": None, "satisfaction": Satisfaction.NOT_RATED, "method": Callback.Method.TIMEOUT, "round": callback.round}
        transitions.act(actor=None, ticket=ticket, action="callback", reason=callback.comment, data=data, now=now)
    return True
