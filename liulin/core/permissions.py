"""The one permission layer: "may this user see / do this to this object?"

Each app declares, in its own `permissions.py`, which roles hold which permissions
(`grant`) and how its models reach the territory, an organisation or a household
(`register_scope`). Every selector then narrows its queryset with `scoped()`, so a page,
an API endpoint and an export all see exactly the same rows.

A role assignment is scoped to one node: an area (district, subdistrict or community,
matched by materialised path, so a district role covers every community below it), a grid,
an organisation, or - for residents - the user's own household. An assignment only opens
models that registered a path for its kind of scope.
"""

from collections import defaultdict
from dataclasses import dataclass, replace
from functools import cache

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.db.models.constants import LOOKUP_SEP
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as N_

from .errors import NotFound, NotPermitted
from .memo import memoized
from .roles import Role


@dataclass(frozen=True)
class ScopePaths:
    area_path: str | None = None  # lookup to the owning community's path, e.g. "household__community__path"
    grid: str | None = None  # lookup to a grid id, e.g. "household__grid"
    org: str | tuple | None = None  # lookup(s) to an organisation id; several are OR-ed
    household: str | None = None  # lookup to a household id
    user: str | None = None  # lookup to a user id (a requester sees what he filed)
    # Separation of duties, per permission (`per_perm`): `unit` is a lookup to the organisation
    # doing the work, and only that organisation's members may; `not_unit` a lookup to the
    # organisation whose work is being checked, and its members may not. A member is an
    # organisation role of that organisation, or an area or grid role that works for it
    # (`register_unit`).
    unit: str | None = None
    not_unit: str | None = None


_scopes: dict[type, ScopePaths] = {}
_perm_scopes: dict[tuple[type, str], ScopePaths] = {}
_grants: dict[str, set[str]] = defaultdict(set)
_unit_resolvers = []

NOTHING = Q(pk__in=[])


def register_scope(model, *, per_perm=None, **paths):
    """Declare how `model` reaches each kind of scope. `per_perm` maps a permission to path
    overrides for that permission alone, e.g. a department that verifies a ticket may see
    and verify it, but only its handling unit may accept it."""
    _scopes[model] = base = ScopePaths(**paths)
    for perm, overrides in (per_perm or {}).items():
        _perm_scopes[(model, perm)] = replace(base, **overrides)


def _paths(model, perm):
    paths = _perm_scopes.get((model, perm)) or _scopes.get(model)
    if paths is None:
        raise LookupError(f"{model.__name__} has no registered scope")
    return paths


def register_unit(resolver):
    """`resolver(assignment)` names the organisation (its id) an area or grid assignment works
    for, or None: community staff work for their community's office. The first answer that
    is not None counts. An organisation role works for its organisation."""
    _unit_resolvers.append(resolver)


def unit_of(assignment):
    """The id of the organisation `assignment` acts for, or None (remembered on the
    assignment, which lives as long as the request's user)."""
    if assignment.org_id:
        return assignment.org_id
    if "_liulin_unit" not in assignment.__dict__:
        found = (resolver(assignment) for resolver in _unit_resolvers)
        assignment._liulin_unit = next((unit for unit in found if unit is not None), None)
    return assignment._liulin_unit


def grant(role, *perms):
    _grants[Role(role)].update(perms)


def roles_with(perm):
    return {role for role, perms in _grants.items() if perm in perms}


def active_assignments(user):
    """The user's role assignments, loaded once per request (cached on the user object)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_liulin_assignments", None)
    if cached is None:
        cached = list(user.role_assignments.filter(active=True).select_related("area", "grid", "org"))
        user._liulin_assignments = cached
    return cached


def forget_assignments(user):
    user.__dict__.pop("_liulin_assignments", None)
    user.__dict__.pop("_liulin_reached", None)


def has_perm_anywhere(user, perm):
    return _any_grants(user, perm, lambda: [a.role for a in active_assignments(user)])


def _any_grants(user, perm, roles):
    """A superuser may; anyone else if one of `roles()` (read only when needed) grants `perm`."""
    return getattr(user, "is_superuser", False) or any(perm in _grants[role] for role in roles())


def holds_perm(user, perm):
    """Whether one of the user's active roles grants `perm` somewhere, from the role names
    alone: the loaded assignments, or the names remembered for up to a minute. Only for a
    hot path whose work is checked again later with the roles as they are then (the intake
    queue's 202, whose drain checks the scope): a role granted or withdrawn on another node
    in that minute then costs a refusal or a rejection a moment later, never a wrong grant."""
    loaded = getattr(user, "_liulin_assignments", None)
    if loaded is not None:
        return _any_grants(user, perm, lambda: [a.role for a in loaded])
    return _any_grants(user, perm, lambda: _active_role_names(user.pk))


@memoized("accounts.RoleAssignment")
def _active_role_names(user_id):
    assignments = apps.get_model("accounts", "RoleAssignment").objects
    return frozenset(assignments.filter(user_id=user_id, active=True).values_list("role", flat=True))


@cache
def _many_hop(model, lookup):
    """Where `lookup` first passes through a one-to-many or many-to-many relation: (the
    single-valued path before it, the model at its end, the rest of the lookup), or None."""
    opts, parts = model._meta, lookup.split(LOOKUP_SEP)
    for i, part in enumerate(parts):
        try:
            field = opts.get_field(part)
        except FieldDoesNotExist:
            return None  # a transform or lookup such as "startswith"
        if field.one_to_many or field.many_to_many:
            return LOOKUP_SEP.join(parts[:i]), opts.model, LOOKUP_SEP.join(parts[i:])
        if not field.is_relation:
            return None
        opts = field.related_model._meta
    return None


def _term(user, model, lookup, value):
    """One condition, or None when it can match nothing.

    A lookup across a multi-valued relation never joins it in the outer query (no repeated
    rows, no DISTINCT). Where it turns multi-valued behind a foreign key of the model, the
    ids of that key are read first, once per request (`_reached`), and the term filters the
    model's own column: `building__estate__organisations=X` is `building IN (the buildings
    of the estates X serves)`, which the database reads by the model's index and can plan
    from the list it is given (behind a subquery it walked every open ticket in deadline
    order looking for the estate). A unit that serves no estate gets no term at all. Where
    the model itself is the many side (the tickets a whistle summoned a department to), the
    term stays an IN subquery: that set grows with every summons ever made."""
    hop = _many_hop(model, lookup)
    if hop is None:
        return Q(**{lookup: value})
    prefix, owner, rest = hop
    if not prefix:
        return Q(pk__in=owner._default_manager.filter(**{rest: value}).values("pk"))
    head, _, tail = prefix.partition(LOOKUP_SEP)
    related = model._meta.get_field(head).related_model
    ids = _reached(user, related, LOOKUP_SEP.join(filter(None, (tail, rest))), value)
    return Q(**{f"{head}__in": ids}) if ids else None


def _reached(user, model, lookup, value):
    """The ids of `model` rows where `lookup` is `value`, remembered on the user object for
    the request (as its assignments are)."""
    reached = user.__dict__.setdefault("_liulin_reached", {})
    key = (model, lookup, value)
    if key not in reached:
        reached[key] = sorted(set(model._default_manager.filter(**{lookup: value}).order_by().values_list("pk", flat=True)))
    return reached[key]


def _area_term(user, model, lookup, area):
    """The rows under `area`, by materialised path. A community has no areas below it, so
    through a relation (`community__path`) its term is that relation's id: the database
    reads it by the column's index and knows how many rows it matches, where a LIKE on a
    joined path leaves it guessing that one area matches few rows, and it then walked the
    city's filing-order index for a community's list (12 s for a last page at 5 million
    tickets). Wider areas keep the prefix: a list of their areas would be hundreds of ids."""
    relation, _, _ = lookup.rpartition(LOOKUP_SEP)
    if relation and area.kind == area.Kind.COMMUNITY:
        return _term(user, model, relation, area.pk)
    return _term(user, model, f"{lookup}__startswith", area.path)


def _assignment_terms(user, assignment, paths, model):
    if assignment.area_id and paths.area_path:
        terms = [_area_term(user, model, paths.area_path, assignment.area)]
    elif assignment.grid_id and paths.grid:
        terms = [_term(user, model, paths.grid, assignment.grid_id)]
    elif assignment.org_id and paths.org:
        lookups = (paths.org,) if isinstance(paths.org, str) else paths.org
        terms = [_term(user, model, lookup, assignment.org_id) for lookup in lookups]
    elif assignment.role == Role.RESIDENT:
        terms = []
        household_id = getattr(getattr(user, "resident", None), "household_id", None)
        if household_id and paths.household:
            terms.append(_term(user, model, paths.household, household_id))
        if paths.user:
            terms.append(_term(user, model, paths.user, user.pk))
    else:
        terms = []
    return _within_unit(assignment, paths, [term for term in terms if term is not None])


def _within_unit(assignment, paths, terms):
    """`terms` narrowed by the permission's separation of duties (`ScopePaths.unit`, `not_unit`)."""
    if not terms or not (paths.unit or paths.not_unit):
        return terms
    unit = unit_of(assignment)
    if paths.unit:
        if unit is None:
            return []
        terms = [term & Q(**{paths.unit: unit}) for term in terms]
    if paths.not_unit and unit is not None:
        terms = [term & ~Q(**{paths.not_unit: unit}) for term in terms]
    return terms


def _superuser_terms(paths):
    """A superuser reaches everything, but belongs to no unit: he does no unit's work."""
    return [] if paths.unit else [Q()]


def _assignment_q(user, assignment, paths, model):
    q = NOTHING
    for term in _assignment_terms(user, assignment, paths, model):
        q |= term
    return q


def scope_terms(user, perm, model):
    """The alternatives that `scope_q` ORs together: one Q per assignment and lookup ([] for
    nothing, [Q()] for everything). A list page can read each through its own index and
    merge the pages, where one OR of an indexed column and a subquery would make the
    database visit every candidate row."""
    paths = _paths(model, perm)
    if getattr(user, "is_superuser", False):
        return _superuser_terms(paths)
    terms = []
    for assignment in active_assignments(user):
        if perm in _grants[assignment.role]:
            terms += _assignment_terms(user, assignment, paths, model)
    return terms


def scope_q(user, perm, model):
    """A Q selecting the rows of `model` on which `user` holds `perm`."""
    q = NOTHING
    for term in scope_terms(user, perm, model):
        if not term:
            return Q()
        q |= term
    return q


def scoped(user, queryset, perm):
    """Narrow `queryset` to what `user` may `perm`."""
    q = scope_q(user, perm, queryset.model)
    if q == NOTHING:
        return queryset.none()
    if not q:
        return queryset
    return queryset.filter(q)


def can(user, perm, obj):
    return scoped(user, type(obj)._default_manager.filter(pk=obj.pk), perm).exists()


def permitting_role(user, perm, obj):
    """The first of `user`'s roles that grants `perm` on `obj`, or None: what an event records
    as the capacity the actor acted in. A superuser acts as "superuser"."""
    found = permitting(user, perm, obj)
    return found[0] if found else None


def permitting(user, perm, obj):
    """(role, unit) of the first of `user`'s assignments that grants `perm` on `obj`, or None:
    the capacity he acts in and the organisation (id, or None) he acts for. A superuser acts
    as "superuser" for no unit."""
    paths = _paths(type(obj), perm)
    if getattr(user, "is_superuser", False):
        return ("superuser", None) if _superuser_terms(paths) else None
    rows = type(obj)._default_manager.filter(pk=obj.pk)
    for assignment in active_assignments(user):
        if perm not in _grants[assignment.role]:
            continue
        q = _assignment_q(user, assignment, paths, type(obj))
        if q != NOTHING and rows.filter(q).exists():
            return assignment.role, unit_of(assignment)
    return None


# Stored untranslated (N_) and translated where it is raised, in the reader's language.
NOT_FOUND = N_("找不到该记录，或您无权查看。")


def get_or_404(user, queryset, perm, **lookup):
    """Fetch one object the user may `perm`; anything else is 'not found' so no scope leaks."""
    obj = scoped(user, queryset, perm).filter(**lookup).first()
    if obj is None:
        raise NotFound(gettext(NOT_FOUND))
    return obj


def authorise(user, perm, obj, *, view=None, not_found=NOT_FOUND, message="您的角色不能执行此操作。"):
    """May `user` `perm` on `obj`? Return quietly if so. If he cannot even see it (`view`,
    by default the app's "<app>.view", or `perm` itself) it is `NotFound` (404), so a
    scope never leaks that the object exists; if he sees it but may not act, `NotPermitted`
    (403) with `message`."""
    if can(user, perm, obj):
        return
    if not can(user, view or f"{perm.partition('.')[0]}.view", obj):
        raise NotFound(gettext(not_found))
    raise NotPermitted(message)


def require(user, perm, obj, *, message="您的角色不能执行此操作。"):
    """Refuse an action on an object the user can see but may not act on (403)."""
    if not can(user, perm, obj):
        raise NotPermitted(message)
