from liulin.core.permissions import active_assignments, grant, register_scope
from liulin.core.roles import Role

from .models import Resident

register_scope(Resident, area_path="household__community__path", grid="household__grid", household="household")

# Who may read the registry, change it, reveal a masked phone or ID number, and check an ID
# number a person gives against the registered one (yes or no, logged, rate-limited).
grant(Role.RESIDENT, "people.view")
grant(Role.HOTLINE_OPERATOR, "people.view", "people.reveal_phone", "people.check_id")
grant(Role.GRID_WORKER, "people.view", "people.change", "people.reveal_phone", "people.reveal_id", "people.check_id")
grant(
    Role.COMMUNITY_STAFF,
    "people.view", "people.change", "people.reveal_phone", "people.reveal_id", "people.check_id", "people.import",
    "people.export",
)
grant(
    Role.COMMUNITY_SECRETARY,
    "people.view", "people.change", "people.reveal_phone", "people.reveal_id", "people.check_id", "people.import",
    "people.export",
)
grant(Role.AUDITOR, "people.view", "people.export")


def has_staff_role(user):
    """Does the user hold a role other than resident (or is he a superuser)?"""
    return user.is_superuser or any(a.role != Role.RESIDENT for a in active_assignments(user))
