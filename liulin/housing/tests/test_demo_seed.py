import pytest

from liulin.housing import demo_seed
from liulin.housing.models import Apartment, Round
from liulin.territory.tests.factories import CommunityFactory

pytestmark = pytest.mark.django_db


class Demo:
    def __init__(self):
        self.community = CommunityFactory()


def test_seed_makes_the_55_apartments_once():
    demo = Demo()
    demo_seed.seed(demo)
    demo_seed.seed(demo)
    assert Apartment.objects.filter(community=demo.community, is_demo=True).count() == 55
    assert Round.objects.filter(community=demo.community).count() == 1
