from ninja import Router

from liulin.core.masking import mask_phone
from liulin.core.permissions import active_assignments
from liulin.core.schemas import ERRORS

from .schemas import MeOut

router = Router(tags=["accounts"])


def _scope(assignment):
    for kind in ("area", "grid", "org"):
        node = getattr(assignment, kind)
        if node is not None:
            return kind, node.pk, node.name
    return "household", None, "本户"


@router.get("/me", response={200: MeOut, **ERRORS}, summary="当前用户与其角色范围（客户端据此显示菜单）")
def me(request):
    user = request.user
    roles = []
    for assignment in active_assignments(user):
        kind, scope_id, name = _scope(assignment)
        roles.append(
            {"role": assignment.role, "role_label": assignment.get_role_display(), "scope_kind": kind, "scope_id": scope_id, "scope_name": name}
        )
    return {
        "id": user.pk,
        "name": user.name,
        "mobile": mask_phone(user.mobile),
        "elder_mode": user.elder_mode,
        "language": user.language,
        "roles": roles,
    }
