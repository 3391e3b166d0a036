from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm

from liulin.core import audit

from . import services
from .models import RoleAssignment, User


class UserAddForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("mobile", "name")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class RoleAssignmentInline(admin.TabularInline):
    """Roles are granted and revoked through accounts.services (scope checked, audited);
    untick "有效" to revoke, so the history of who held what stays."""

    model = RoleAssignment
    fk_name = "user"
    fields = ["role", "area", "grid", "org", "active", "created_at"]
    readonly_fields = ["created_at"]
    raw_id_fields = ["area", "grid", "org"]
    can_delete = False
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserAddForm
    inlines = [RoleAssignmentInline]
    ordering = ["mobile"]
    list_display = ["mobile", "name", "roles", "elder_mode", "is_staff", "is_active", "is_demo"]
    list_filter = ["is_staff", "is_superuser", "is_active", "is_demo", "role_assignments__role"]
    search_fields = ["mobile", "name"]
    raw_id_fields = ["resident"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["mobile", "password"]}),
        ("个人信息", {"fields": ["name", "work_phone", "resident", "elder_mode", "language", "is_demo"]}),
        ("后台权限", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("时间", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["mobile", "name", "password1", "password2"]})]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("role_assignments")

    @admin.display(description="角色")
    def roles(self, obj):
        return "、".join(a.get_role_display() for a in obj.role_assignments.all() if a.active)

    def save_formset(self, request, form, formset, change):
        if formset.model is not RoleAssignment:
            return super().save_formset(request, form, formset, change)
        for assignment in formset.save(commit=False):
            self._save_assignment(request, assignment)
        formset.save_m2m()

    def _save_assignment(self, request, assignment):
        if assignment.pk is None:
            services.assign_role(
                actor=request.user,
                user=assignment.user,
                role=assignment.role,
                scope=assignment.area or assignment.grid or assignment.org,
            )
            return
        before = RoleAssignment.objects.get(pk=assignment.pk)
        if before.active and not assignment.active:
            services.revoke_role(actor=request.user, assignment=before)
        elif not before.active and assignment.active:
            services.assign_role(
                actor=request.user, user=before.user, role=before.role, scope=before.area or before.grid or before.org
            )
        else:
            assignment.save()
            audit.record(actor=request.user, action="role.change", target=assignment.user, role=assignment.role)
