"""Confidential counselling (心理咨询室): a counsellor's slots, a resident's appointment in one,
its chained events and the counsellor's encrypted notes.

Who a client is lives here alone. The room is booked through venues when the counsellor opens
a slot, by the system in the counsellor's name with the neutral purpose “已预约”: the room's
calendar shows a taken hour whether or not anybody booked it, and never whom.

One appointment per slot holds in the database: a partial unique index over the slot for
every appointment that is not cancelled (a cancelled one frees the slot)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from liulin.core.chain import ChainedEvent


class Slot(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("开放")
        WITHDRAWN = "withdrawn", _("已撤下")

    counsellor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("咨询师"))
    community = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    room = models.ForeignKey("venues.Resource", on_delete=models.PROTECT, related_name="+", verbose_name=_("咨询室"))
    # The venue booking holding the room for the slot (booked by the system, purpose “已预约”).
    room_booking = models.ForeignKey("venues.Booking", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField()
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("咨询时段")
        verbose_name_plural = verbose_name
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="counselling_slot_ends_after_start"),
        ]
        indexes = [models.Index(fields=["community", "starts_at"]), models.Index(fields=["counsellor", "starts_at"])]

    def __str__(self):
        return f"{self.starts_at:%Y-%m-%d %H:%M}"


class Appointment(models.Model):
    class State(models.TextChoices):
        BOOKED = "booked", _("已预约")
        ATTENDED = "attended", _("已咨询")
        CANCELLED = "cancelled", _("已取消")
        NO_SHOW = "no_show", _("未到")

    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="appointments")
    client = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("来访者"))
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.BOOKED)
    created_at = models.DateTimeField()
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("咨询预约")
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["slot"], condition=~Q(state="cancelled"), name="counselling_one_appointment_per_slot"),
        ]
        indexes = [models.Index(fields=["client", "state"])]

    def __str__(self):
        return f"#{self.pk}"


class AppointmentEvent(ChainedEvent):
    """The chained record of every step of one appointment: booked, cancelled, attended,
    no-show, a note written (never its text)."""

    subject_field = "appointment"

    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="events")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["appointment", "seq"], name="counselling_appt_event_seq")]
        ordering = ["appointment_id", "seq"]


class Note(models.Model):
    """A counsellor's note, encrypted at rest (core.crypto); read by the appointment's
    counsellor alone, each reading in the access log."""

    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cipher = models.TextField(editable=False)
    written_at = models.DateTimeField()

    class Meta:
        verbose_name = _("咨询记录")
        verbose_name_plural = verbose_name
        ordering = ["written_at", "pk"]

    def __str__(self):
        return f"#{self.pk}"
