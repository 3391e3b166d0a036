"""How the permission layer reaches tickets: by the ticket's own columns where it can (a
community's id, the buildings behind a multi-valued relation, read once per request), so
lists read the ticket's indexes (core.permissions `_term`, `_area_term`)."""

import pytest
from django.db.models import Q

from liulin.accounts.tests.factories import make_user
from liulin.core.permissions import scope_terms, scoped
from liulin.core.roles import Role
from liulin.orgs.models import Organisation
from liulin.orgs.tests.factories import OrganisationFactory
from liulin.territory.tests.factories import BuildingFactory, EstateFactory
from liulin.whistle.models import Ticket
from liulin.whistle.tests.intake_fixtures import dispatched

pytestmark = pytest.mark.django_db


def test_a_community_role_reaches_tickets_by_the_communitys_id_and_wider_roles_by_path(town):
    district = town.community.parent.parent
    staff = make_user(Role.COMMUNITY_STAFF, district)
    assert scope_terms(town.secretary, "whistle.view", Ticket) == [Q(community=town.community.pk)]
    assert scope_terms(staff, "whistle.view", Ticket) == [Q(community__path__startswith=district.path)]
    ticket = dispatched(town)
    assert list(scoped(town.secretary, Ticket.objects.all(), "whistle.view")) == [ticket]
    assert list(scoped(staff, Ticket.objects.all(), "whistle.view")) == [ticket]


def test_the_estate_committee_reaches_tickets_by_the_estates_buildings(town):
    committee = OrganisationFactory(kind=Organisation.Kind.OWNERS_COMMITTEE, community=town.community, estate=town.estate)
    member = make_user(Role.COMMITTEE_MEMBER, committee)
    elsewhere = BuildingFactory(grid=town.grid1, estate=EstateFactory(community=town.community))
    buildings = sorted(b.pk for b in (town.b1, town.b2, town.b3))
    assert Q(building__in=buildings) in scope_terms(member, "whistle.view", Ticket)
    mine, other = dispatched(town), dispatched(town, building=elsewhere)
    seen = scoped(member, Ticket.objects.all(), "whistle.view")
    assert mine in seen and other not in seen


def test_a_unit_that_serves_no_estate_gets_no_estate_term(town):
    terms = scope_terms(town.officer, "whistle.view", Ticket)
    assert not any("building" in str(term) for term in terms)
    assert len(terms) == 3  # handling unit, verifying unit, summoned by a whistle


def test_the_ids_behind_a_term_are_read_once_per_request(town, django_assert_num_queries):
    scope_terms(town.property_staff, "whistle.view", Ticket)
    with django_assert_num_queries(0):
        scope_terms(town.property_staff, "whistle.view", Ticket)
        scope_terms(town.property_staff, "whistle.urge", Ticket)
