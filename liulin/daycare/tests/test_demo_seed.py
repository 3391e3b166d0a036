"""The demo centre at the 雷锋驿站: places counted from enrolments, the demo family account a
consented proxy of the demo elder, and a second run writes nothing."""

import pytest

from liulin.core import chain
from liulin.daycare import demo_seed, selectors
from liulin.daycare.models import Centre, DayPlace, Enrolment, EnrolmentEvent
from liulin.demo.tests.fixtures import demo  # noqa: F401

pytestmark = pytest.mark.django_db


def test_demo_centre(demo):  # noqa: F811
    centre = Centre.objects.get(name=demo_seed.CENTRE)
    assert centre.is_demo and centre.staff.filter(mobile=demo_seed.CARER).exists()
    enrolments = list(Enrolment.objects.filter(centre=centre))
    assert 1 <= len(enrolments) <= demo_seed.ELDERS and all(e.is_demo for e in enrolments)
    for place in DayPlace.objects.filter(centre=centre):
        assert place.taken == sum(str(place.weekday) in e.days for e in enrolments) <= place.capacity
    family = demo.users[demo_seed.FAMILY_ACCOUNT]
    mine = list(selectors.family_enrolments(family))
    assert [e.elder_id for e in mine] == [demo.users[demo_seed.ELDER_ACCOUNT].resident_id]
    assert chain.verify(EnrolmentEvent, enrolments[0]) is None
    before = Enrolment.objects.count()
    demo_seed.seed(demo)
    assert Enrolment.objects.count() == before
