import factory
from factory.django import DjangoModelFactory

from liulin.orgs.models import Membership, Organisation
from liulin.territory.tests.factories import CommunityFactory


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"测试组织{n}")
    kind = Organisation.Kind.PROPERTY_COMPANY
    community = factory.SubFactory(CommunityFactory)


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    org = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"成员{n}")
