"""A small world for volunteering tests: a community, a team with its leader, community
staff, and volunteers who are active members with points accounts."""

import datetime
from dataclasses import dataclass, field

from liulin.accounts.tests.factories import UserFactory, make_user
from liulin.core import clock
from liulin.core.roles import Role
from liulin.orgs.models import Organisation
from liulin.orgs.tests.factories import OrganisationFactory
from liulin.territory.tests.factories import CommunityFactory
from liulin.volunteering.models import TeamMember
from liulin.volunteering.services import activities, ledger, shop, teams


@dataclass
class World:
    community: object
    team: object
    leader: object
    staff: object
    other_team: object = None
    other_leader: object = None
    volunteers: list = field(default_factory=list)


def make_world(volunteers=2):
    community = CommunityFactory()
    team = OrganisationFactory(community=community, kind=Organisation.Kind.VOLUNTEER_TEAM, name="银发生辉志愿服务队")
    other = OrganisationFactory(community=community, kind=Organisation.Kind.VOLUNTEER_TEAM, name="老年人协会")
    world = World(community, team, make_user(Role.VOLUNTEER_LEADER, team), make_user(Role.COMMUNITY_STAFF, community),
                  other, make_user(Role.VOLUNTEER_LEADER, other))
    for _ in range(volunteers):
        world.volunteers.append(join(team, world.leader))
    return world


def join(team, leader, user=None):
    """A user (a resident by default) who applied and was accepted: his volunteer record."""
    user = user or make_user(Role.RESIDENT)
    member = teams.apply_to_team(actor=user, team=team)
    teams.decide_member(actor=leader, member=member, accept=True)
    return TeamMember.objects.get(pk=member.pk).volunteer


def make_activity(world, *, hours=2, starts_at=None, capacity=10, **extra):
    starts_at = starts_at or clock.now() - datetime.timedelta(minutes=10)
    return activities.create_activity(
        actor=world.leader, team=world.team, title="陪伴独居老人", content="上门陪伴、读报、测血压", place="中南社区",
        starts_at=starts_at, ends_at=starts_at + datetime.timedelta(hours=hours), posts=[("陪伴", capacity)], **extra)


def give_points(world, volunteer, points, key=None):
    """Credit `volunteer` with `points` through a good deed posting (staff, capped by rules)."""
    book = ledger.ledger_for(world.community)
    issued = ledger.community_account(book, ledger.Kind.ISSUED)
    posting, _ = ledger.post(ledger=book, key=key or f"test-credit:{volunteer.pk}:{points}", kind="deed",
                             actor=world.staff, entries=[(ledger.account_of(volunteer), points), (issued, -points)])
    return posting


def stocked_good(world, *, name="肥皂", price=5, stock=10):
    good = shop.add_good(actor=world.staff, community=world.community, name=name, price_points=price)
    if stock:
        shop.restock(actor=world.staff, good=good, quantity=stock, key=f"restock:{good.pk}")
    good.refresh_from_db()
    return good


__all__ = ["UserFactory", "make_user"]
