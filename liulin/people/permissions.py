from liulin.core.permissions import active_assignments, grant, register_scope
from liulin.core.roles import Role

from .models import Proxy, Resident

register_scope(Resident, area_path="household__community__path", grid="household__grid", household="household")
register_scope(Proxy, area_path="elder__household__community__path", grid="elder__household__grid", household="elder__household")

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

# Proxy consents (docs/proxies.md): staff record an elder's consent at the counter and read
# the acts done on residents' behalf in their scope; the elder and her proxies read their own
# through the selectors, without a grant.
grant(Role.GRID_WORKER, "people.proxy_manage", "people.proxy_audit")
grant(Role.COMMUNITY_STAFF, "people.proxy_manage", "people.proxy_audit")
grant(Role.COMMUNITY_SECRETARY, "people.proxy_manage", "people.proxy_audit")
grant(Role.AUDITOR, "people.proxy_audit")


def has_staff_role(user):
    """Does the user hold a role other than resident (or is he a superuser)?"""
    return user.is_superuser or any(a.role != Role.RESIDENT for a in active_assignments(user))
