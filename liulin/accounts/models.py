from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from liulin.core import clock
from liulin.core.roles import GRID_ROLES, ORG_ROLES, TERRITORY_ROLES, Role
from liulin.core.validators import validate_mobile


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, mobile, password=None, **extra):
        validate_mobile(mobile)
        user = self.model(mobile=mobile, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, mobile, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(mobile, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A login. Users log in with their mobile number; a resident's account links to his record."""

    mobile = models.CharField(_("手机号"), max_length=11, unique=True, validators=[validate_mobile])
    name = models.CharField(_("姓名"), max_length=32)
    # The number residents call about their grid (a grid worker's duty phone); shown to the
    # residents of his grid, unlike `mobile`, the login, which stays private. Blank: not published.
    work_phone = models.CharField(
        _("工作电话"),
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^\+?[0-9][0-9-]{5,18}[0-9]$", _("电话号码只能包含数字和连字符。"))],
        help_text=_("公开给所负责网格的居民拨打；不填则不公开。"),
    )
    email = models.EmailField(_("电子邮箱"), blank=True)  # optional: notifications by mail, when the user opts in
    resident = models.OneToOneField(
        "people.Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="account", verbose_name=_("居民档案")
    )
    elder_mode = models.BooleanField(_("长辈版"), default=False)
    language = models.CharField(_("界面语言"), max_length=8, blank=True)
    is_staff = models.BooleanField(_("可进入管理后台"), default=False)
    is_active = models.BooleanField(_("有效"), default=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    date_joined = models.DateTimeField(default=clock.now)

    objects = UserManager()

    USERNAME_FIELD = "mobile"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("账号")
        verbose_name_plural = verbose_name

    def __str__(self):
        return self.name or self.mobile

    def get_full_name(self):
        return self.name

    def get_short_name(self):
        return self.name


class RoleAssignment(models.Model):
    """A role held by a user over one scope: an area, a grid or an organisation.

    A resident's scope is implied by his own household, so resident assignments name none.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    area = models.ForeignKey(
        "territory.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("区域")
    )
    grid = models.ForeignKey(
        "territory.Grid", null=True, blank=True, on_delete=models.PROTECT, related_name="role_assignments", verbose_name=_("网格")
    )
    org = models.ForeignKey(
        "orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="role_assignments", verbose_name=_("组织")
    )
    active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = verbose_name
        constraints = [
            models.CheckConstraint(
                name="role_assignment_one_scope",
                condition=(
                    models.Q(area__isnull=False, grid__isnull=True, org__isnull=True)
                    | models.Q(area__isnull=True, grid__isnull=False, org__isnull=True)
                    | models.Q(area__isnull=True, grid__isnull=True, org__isnull=False)
                    | models.Q(area__isnull=True, grid__isnull=True, org__isnull=True, role="resident")
                ),
            ),
            *[
                models.UniqueConstraint(
                    fields=["user", "role", scope], condition=models.Q(**{f"{scope}__isnull": False}), name=f"role_unique_per_{scope}"
                )
                for scope in ("area", "grid", "org")
            ],
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(area__isnull=True, grid__isnull=True, org__isnull=True),
                name="role_unique_unscoped",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.scope}"

    @property
    def scope(self):
        return self.area or self.grid or self.org or "本户"

    def clean(self):
        role = Role(self.role)
        if role in TERRITORY_ROLES and not self.area_id:
            raise ValidationError({"area": f"{role.label}须指定区域。"})
        if role in GRID_ROLES and not self.grid_id:
            raise ValidationError({"grid": f"{role.label}须指定网格。"})
        if role in ORG_ROLES and not self.org_id:
            raise ValidationError({"org": f"{role.label}须指定组织。"})
        if role == Role.RESIDENT and not (self.user.resident_id if self.user_id else None):
            raise ValidationError(_("居民角色须先关联居民档案。"))
