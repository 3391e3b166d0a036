"""Tracked work across apps: an app that decides something (a meeting's action item, an
inspection's failed item) has it done as a work order without knowing the work-order app,
and hears back when the order moves.

The work-order app (雷锋哨) registers itself once, in its AppConfig.ready:

    workorders.register_provider(WorkOrderProvider(file=..., status=..., categories=...))

An app files through the kernel and keeps the reference it gets:

    order = workorders.file(actor=user, origin="deliberation.actionitem", category=code,
                            description="...", building=building)

and listens for the orders it filed:

    workorders.register_listener("deliberation.actionitem", on_order_changed)

The provider calls `changed(origin, order)` when an order filed through `file` changes
state; the listeners of that origin run after the provider's transaction commits (a step
that rolled back reports nothing), each in its own transaction. `status(ids)` reads the
orders' current states for a page.
"""

from collections import defaultdict
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from .errors import Conflict


@dataclass(frozen=True)
class WorkOrder:
    """What an app keeps of an order and shows: its id and number, its state (code and words),
    whether it ended, and whether it ended done."""

    id: int
    number: str
    state: str
    state_label: Any
    ended: bool
    done: bool


@dataclass(frozen=True)
class WorkOrderProvider:
    file: Any  # file(*, actor, origin, category, description, building, now) -> WorkOrder
    status: Any  # status(ids) -> {id: WorkOrder}
    categories: Any  # categories() -> [(code, label)]


_provider: list = []
_listeners: dict[str, list] = defaultdict(list)


def register_provider(provider):
    _provider[:] = [provider]


def register_listener(origin, callback):
    """`callback(order)` runs after commit whenever an order filed for `origin` changes state."""
    if callback not in _listeners[origin]:
        _listeners[origin].append(callback)


def provider():
    if not _provider:
        raise Conflict(gettext("平台未启用工单功能。"), code="no_work_orders")
    return _provider[0]


def available():
    return bool(_provider)


def file(*, actor, origin, category, description, building=None, now=None):
    """File a work order for `origin`; returns its WorkOrder."""
    return provider().file(actor=actor, origin=origin, category=category, description=description, building=building, now=now)


def status(ids):
    """{id: WorkOrder} for the orders of `ids` that exist."""
    ids = [i for i in ids if i]
    return provider().status(ids) if ids and _provider else {}


def categories():
    return provider().categories() if _provider else []


def changed(origin, order):
    """Called by the provider, inside its transaction, when an order filed for `origin`
    changed state: each listener hears of it after commit."""
    for callback in _listeners.get(origin, ()):
        transaction.on_commit(partial(callback, order), robust=True)
