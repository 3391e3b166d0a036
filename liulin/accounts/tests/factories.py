import factory
from factory.django import DjangoModelFactory

from liulin.accounts.models import RoleAssignment, User
from liulin.core.roles import GRID_ROLES, ORG_ROLES, Role

PASSWORD = "Liulin-test-2026"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    mobile = factory.Sequence(lambda n: f"137{n:08d}")
    name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


def make_user(role, scope=None, *, resident=None, **fields):
    """A user holding one role over `scope` (an Area, Grid or Organisation; a resident needs `resident`)."""
    user = UserFactory(resident=resident, **fields)
    role = Role(role)
    kwargs = {}
    if role in GRID_ROLES:
        kwargs["grid"] = scope
    elif role in ORG_ROLES:
        kwargs["org"] = scope
    elif role != Role.RESIDENT:
        kwargs["area"] = scope
    RoleAssignment.objects.create(user=user, role=role, **kwargs)
    return user
