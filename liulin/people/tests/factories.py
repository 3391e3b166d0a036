import datetime
import random

import factory

from liulin.core.validators import id_check_char
from liulin.people import services
from liulin.people.models import Resident
from liulin.territory.tests.factories import HouseholdFactory


def make_id_number(birth=datetime.date(1960, 5, 17), region="430112", seq=None):
    seq = random.randint(0, 999) if seq is None else seq
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_char(first17)


class ResidentFactory(factory.Factory):
    """Residents are created through the service, so ID numbers are encrypted as in production."""

    class Meta:
        model = Resident

    name = factory.Sequence(lambda n: f"居民{n}")
    gender = Resident.Gender.FEMALE
    birth_date = datetime.date(1960, 5, 17)
    mobile = factory.Sequence(lambda n: f"139{n:08d}")
    id_number = factory.Sequence(lambda n: make_id_number(seq=n % 1000, region=f"43{n // 1000 % 10000:04d}"))
    household = factory.SubFactory(HouseholdFactory)
    relation = Resident.Relation.HEAD

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.create_resident(actor=None, **kwargs)
