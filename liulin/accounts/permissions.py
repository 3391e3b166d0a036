from liulin.core.permissions import register_scope

from .models import RoleAssignment

register_scope(RoleAssignment, area_path="area__path")
