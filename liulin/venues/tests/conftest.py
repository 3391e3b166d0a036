import datetime

import pytest

from liulin.venues.tests.factories import World, at


@pytest.fixture
def world(community):
    return World(community)


# A Wednesday that is no holiday, 06:30 local: everything below is booked from here.
DAY = datetime.date(2026, 12, 9)


@pytest.fixture
def now():
    return at(DAY, 6, 30)
