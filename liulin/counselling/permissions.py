"""Who may do what in counselling. Deliberately narrower than a territory scope: a counsellor
(his role assigned on a community) opens slots in rooms of his community and sees the clients
of his own slots only; a resident books in his household's community and sees his own
appointments. No other role holds any counselling permission: community staff, venue
managers and auditors see neither appointments nor clients (the room's calendar in venues
shows “已预约”)."""

from liulin.core.permissions import grant, has_perm_anywhere
from liulin.core.roles import Role

from .workflow import APPOINTMENT_WORKFLOW, SLOT_WORKFLOW

grant(Role.COUNSELLOR, "counselling.counsel")
grant(Role.RESIDENT, "counselling.book")
APPOINTMENT_WORKFLOW.grant_roles()
SLOT_WORKFLOW.grant_roles()


def is_counsellor(user):
    return getattr(user, "is_authenticated", False) and has_perm_anywhere(user, "counselling.counsel") \
        and not getattr(user, "is_superuser", False)


def is_resident(user):
    return getattr(user, "is_authenticated", False) and getattr(user, "resident_id", None) is not None \
        and has_perm_anywhere(user, "counselling.book") and not getattr(user, "is_superuser", False)


def takes_part(user):
    return bool(is_counsellor(user) or is_resident(user))
