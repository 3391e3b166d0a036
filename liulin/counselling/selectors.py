"""Every read of counselling a user triggers. Narrower than a territory scope: a counsellor
reads his own slots and their appointments, a resident the open slots of his household's
community and his own appointments; every other role reads nothing."""

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from liulin.core import clock
from liulin.core.errors import NotFound
from liulin.core.permissions import scoped
from liulin.venues.models import Resource

from .models import Appointment, Slot
from .permissions import is_counsellor, is_resident
from .services import NOT_FOUND, SLOT_NOT_FOUND

A = Appointment.State


def _held():
    return Exists(Appointment.objects.filter(slot=OuterRef("pk")).exclude(state=A.CANCELLED))


def bookable_slots(user, *, now=None):
    """The open, future, free slots of the resident's community."""
    if not is_resident(user):
        return Slot.objects.none()
    household = getattr(user.resident, "household", None)
    if household is None:
        return Slot.objects.none()
    now = now or clock.now()
    return (Slot.objects.filter(community_id=household.community_id, state=Slot.State.OPEN, starts_at__gt=now)
            .exclude(counsellor=user).annotate(held=_held()).filter(held=False)
            .select_related("counsellor", "room").order_by("starts_at", "pk"))


def bookable_slot(user, pk):
    found = bookable_slots(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_(SLOT_NOT_FOUND))
    return found


def my_slots(user, *, now=None, upcoming=True):
    """The counsellor's own slots (from today on where `upcoming`), each marked `held`."""
    if not is_counsellor(user):
        return Slot.objects.none()
    qs = Slot.objects.filter(counsellor=user).annotate(held=_held()).select_related("room")
    if upcoming:
        qs = qs.filter(ends_at__gt=(now or clock.now()))
    return qs.order_by("starts_at", "pk")


def my_slot(user, pk):
    found = my_slots(user, upcoming=False).filter(pk=pk).first()
    if found is None:
        raise NotFound(_(SLOT_NOT_FOUND))
    return found


def appointments_for(user):
    """The client's own appointments and the counsellor's clients'; nothing for anyone else."""
    q = Q(pk__in=[])
    if is_resident(user):
        q |= Q(client=user)
    if is_counsellor(user):
        q |= Q(slot__counsellor=user)
    if q == Q(pk__in=[]):
        return Appointment.objects.none()
    return (Appointment.objects.filter(q).select_related("slot", "slot__counsellor", "slot__room", "client")
            .order_by("-slot__starts_at", "-pk"))


def appointment_for(user, pk):
    found = appointments_for(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_(NOT_FOUND))
    return found


def rooms_for(user):
    """The rooms of the counsellor's communities he may open slots in."""
    if not is_counsellor(user):
        return Resource.objects.none()
    return scoped(user, Resource.objects.all(), "counselling.counsel").order_by("name")


def client_name(user, appointment):
    """The client's name for the appointment's counsellor; the client sees his own; else ''."""
    if appointment.slot.counsellor_id == user.pk or appointment.client_id == user.pk:
        return appointment.client.name
    return ""
