"""Factories for the kernel's configuration rows."""

import factory
from factory.django import DjangoModelFactory

from liulin.core.models import WorkCalendar


class WorkCalendarFactory(DjangoModelFactory):
    """A calendar with the standard hours (08:30–12:00, 14:00–17:30), not the default."""

    class Meta:
        model = WorkCalendar

    name = factory.Sequence(lambda n: f"测试日历{n}")
    is_default = False
