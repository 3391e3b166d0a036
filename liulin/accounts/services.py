"""Every write to accounts and role assignments. Keyword-only, acting user first, one
transaction, an audit row per change."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from liulin.core import audit
from liulin.core.errors import Conflict, Invalid, NotPermitted
from liulin.core.permissions import forget_assignments
from liulin.core.roles import GRID_ROLES, ORG_ROLES, Role

from .models import RoleAssignment


def _may_manage(actor, user):
    """Users change their own password; only administrators manage other people's accounts
    and roles (the admin site is where that happens)."""
    return actor is None or actor.is_superuser or (actor.pk == user.pk)


@transaction.atomic
def change_password(*, actor, user, new_password):
    if not _may_manage(actor, user):
        raise NotPermitted(_("只能修改自己的密码。"))
    try:
        validate_password(new_password, user=user)
    except ValidationError as e:
        raise Invalid(" ".join(e.messages), code="weak_password", field="new_password") from None
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit.record(actor=actor, action="user.password_change", target=user)
    return user


def _scope_fields(role, scope):
    """Map a scope object onto the assignment's area/grid/org field by the role's kind."""
    from liulin.orgs.models import Organisation
    from liulin.territory.models import Area, Grid

    if scope is None:
        return {}
    expected = Grid if role in GRID_ROLES else Organisation if role in ORG_ROLES else Area
    if role == Role.RESIDENT or not isinstance(scope, expected):
        raise Invalid(f"{role.label}的范围应为{expected._meta.verbose_name}，不能是“{scope}”。", code="wrong_scope_kind")
    return {"area": scope} if expected is Area else {"grid": scope} if expected is Grid else {"org": scope}


@transaction.atomic
def assign_role(*, actor, user, role, scope=None):
    """Give `user` a role over `scope` (an Area, Grid or Organisation as the role requires; a
    resident role takes none, its scope is his own household)."""
    if actor is not None and not actor.is_superuser:
        raise NotPermitted(_("只有系统管理员可以授予角色。"))
    try:
        role = Role(role)
    except ValueError:
        raise Invalid(f"未知的角色：{role}", field="role") from None
    fields = _scope_fields(role, scope)
    earlier = RoleAssignment.objects.filter(
        user=user, role=role, **{name: fields.get(name) for name in ("area", "grid", "org")}
    ).first()
    if earlier is not None and earlier.active:
        raise Conflict(f"{user}已拥有该范围内的{role.label}角色。", code="duplicate_role")
    assignment = earlier or RoleAssignment(user=user, role=role, **fields)
    assignment.active = True
    try:
        assignment.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as e:
        raise Invalid(" ".join(e.messages), code="invalid_scope") from None
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:
        raise Conflict(f"{user}已拥有该范围内的{role.label}角色。", code="duplicate_role") from None
    forget_assignments(user)
    audit.record(actor=actor, action="role.assign", target=user, role=role.value, scope=str(assignment.scope))
    return assignment


@transaction.atomic
def revoke_role(*, actor, assignment):
    """Deactivate, rather than delete, so the history of who held what stays readable."""
    if actor is not None and not actor.is_superuser:
        raise NotPermitted(_("只有系统管理员可以撤销角色。"))
    if not assignment.active:
        raise Conflict(_("该角色已撤销。"), code="already_revoked")
    assignment.active = False
    assignment.save(update_fields=["active"])
    forget_assignments(assignment.user)
    audit.record(
        actor=actor, action="role.revoke", target=assignment.user, role=assignment.role, scope=str(assignment.scope)
    )
    return assignment
