"""State tables: the one place an app says which action leads from which states to which, and
which roles may take it.

An app with states writes its table once:

    WORKFLOW = Workflow("venues", [
        transition("confirm", "确认", [State.REQUESTED], State.CONFIRMED, (Role.VENUE_MANAGER,)),
        transition("cancel", "取消", [State.REQUESTED, State.CONFIRMED], State.CANCELLED,
                   (Role.RESIDENT, Role.VENUE_MANAGER), needs_reason=True),
    ], state_label=lambda state: State(state).label)
    WORKFLOW.grant_roles()          # in the app's permissions.py: "venues.confirm", ...

and its service asks `WORKFLOW.transition_for(action, current_state)` under the row lock:
anything not in the table raises `IllegalTransition`, a domain error (409
"illegal_transition") that pages and the API answer like any other. Who may act on which
object is still the permission layer's (core.permissions: scopes and units); the table only
says which roles hold "<app>.<action>".

`SeparatedDuties` is the generic half of separation of duties: named duties, each a set of
actions, of which one person takes at most one on one subject, read from the subject's
chained events (core.chain). Which actions form which duty is the app's.
"""

from dataclasses import dataclass

from django.utils.translation import gettext

from .errors import Conflict
from .permissions import grant


class IllegalTransition(Conflict):
    """The table has no such edge from the object's current state."""

    code = "illegal_transition"


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset
    target: str | None  # None: the app decides (e.g. back to the state before a suspension)
    roles: tuple
    needs_reason: bool = False


def transition(action, label, sources, target, roles, needs_reason=False):
    return Transition(action, label, frozenset(sources), target, tuple(roles), needs_reason)


class Workflow:
    """An app's state table: its transitions, and the steps recorded beside them that change no
    state (`notes`: {action: roles}), granted alike."""

    def __init__(self, app, transitions, *, state_label=str, notes=None):
        self.app = app
        self.transitions = {t.action: t for t in transitions}
        self.notes = dict(notes or {})
        self.state_label = state_label

    def perm(self, action):
        return f"{self.app}.{action}"

    def transition_for(self, action, state):
        """The transition `action` from `state`, or IllegalTransition."""
        found = self.transitions.get(action)
        if found is None or state not in found.sources:
            label = found.label if found else action
            raise IllegalTransition(gettext("“%(state)s”状态下不能执行“%(action)s”。") % {"state": self.state_label(state), "action": label})
        return found

    def available_actions(self, state):
        return [t for t in self.transitions.values() if state in t.sources]

    def roles_of(self, action):
        found = self.transitions.get(action)
        return found.roles if found else tuple(self.notes.get(action, ()))

    def grants(self):
        """{(role, "<app>.<action>")} the table implies."""
        actions = [*self.transitions, *self.notes]
        return {(role, self.perm(action)) for action in actions for role in self.roles_of(action)}

    def grant_roles(self):
        """Grant each role the permissions of the actions the table gives it."""
        for role, perm in sorted(self.grants()):
            grant(role, perm)


class SeparatedDuties:
    """Duties one person may not combine on one subject: {duty: actions}, with labels."""

    def __init__(self, duties, labels=None):
        self.duties = {duty: frozenset(actions) for duty, actions in duties.items()}
        self.labels = dict(labels or {})
        self.of = {action: duty for duty, actions in self.duties.items() for action in actions}

    def conflict(self, action, taken):
        """The duty among `taken` (those one person already took on a subject) that bars him
        from `action`, or None."""
        duty = self.of.get(action)
        others = sorted(set(taken) - {duty}) if duty else []
        return others[0] if others else None

    def taken(self, events, actor):
        """The duties `actor` took, read from `events` (a queryset of one subject's chained events)."""
        if actor is None or not getattr(actor, "pk", None):
            return set()
        actions = events.filter(actor_id=actor.pk, action__in=list(self.of)).values_list("action", flat=True).distinct()
        return {self.of[action] for action in actions}
