from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Roles a user can hold. Each assignment is scoped (see accounts.RoleAssignment)."""

    RESIDENT = "resident", _("居民")
    HOTLINE_OPERATOR = "hotline_operator", _("接线员")
    GRID_WORKER = "grid_worker", _("网格员")
    COMMUNITY_STAFF = "community_staff", _("社区工作者")
    COMMUNITY_SECRETARY = "community_secretary", _("社区书记")
    PROPERTY_STAFF = "property_staff", _("物业人员")
    COMMITTEE_MEMBER = "committee_member", _("业委会委员")
    PARTNER_CONTACT = "partner_contact", _("共建单位联系人")
    DEPARTMENT_OFFICER = "department_officer", _("部门工作人员")
    VOLUNTEER_LEADER = "volunteer_leader", _("志愿队长")
    TEACHER = "teacher", _("老年大学教师")
    VENUE_MANAGER = "venue_manager", _("场馆管理员")
    AUDITOR = "auditor", _("审计（只读）")
    COUNSELLOR = "counsellor", _("心理咨询师")


# Which kind of scope each role is assigned on. A territory role names an area (district,
# subdistrict or community); a grid role names a grid; an organisation role names an
# organisation; a resident's scope is his own household.
TERRITORY_ROLES = {Role.HOTLINE_OPERATOR, Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY, Role.AUDITOR, Role.VENUE_MANAGER,
                   Role.COUNSELLOR}
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
