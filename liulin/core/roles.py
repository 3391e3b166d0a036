from django.db import models


class Role(models.TextChoices):
    """Roles a user can hold. Each assignment is scoped (see accounts.RoleAssignment)."""

    RESIDENT = "resident", "居民"
    HOTLINE_OPERATOR = "hotline_operator", "接线员"
    GRID_WORKER = "grid_worker", "网格员"
    COMMUNITY_STAFF = "community_staff", "社区工作者"
    COMMUNITY_SECRETARY = "community_secretary", "社区书记"
    PROPERTY_STAFF = "property_staff", "物业人员"
    COMMITTEE_MEMBER = "committee_member", "业委会委员"
    PARTNER_CONTACT = "partner_contact", "共建单位联系人"
    DEPARTMENT_OFFICER = "department_officer", "部门工作人员"
    VOLUNTEER_LEADER = "volunteer_leader", "志愿队长"
    TEACHER = "teacher", "老年大学教师"
    VENUE_MANAGER = "venue_manager", "场馆管理员"
    AUDITOR = "auditor", "审计（只读）"


# Which kind of scope each role is assigned on. A territory role names an area (district,
# subdistrict or community); a grid role names a grid; an organisation role names an
# organisation; a resident's scope is his own household.
TERRITORY_ROLES = {Role.HOTLINE_OPERATOR, Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY, Role.AUDITOR, Role.VENUE_MANAGER}
GRID_ROLES = {Role.GRID_WORKER}
ORG_ROLES = {
    Role.PROPERTY_STAFF,
    Role.COMMITTEE_MEMBER,
    Role.PARTNER_CONTACT,
    Role.DEPARTMENT_OFFICER,
    Role.VOLUNTEER_LEADER,
    Role.TEACHER,
}
STAFF_ROLES = set(Role) - {Role.RESIDENT}
