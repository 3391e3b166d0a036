"""A small estate with an owners' register, its committee and clerks, and votes driven into
any state through the services (so every state is reached the way production reaches it)."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from liulin.accounts.tests.factories import UserFactory, make_user
from liulin.core.roles import Role
from liulin.orgs.models import Organisation
from liulin.orgs.tests.factories import OrganisationFactory
from liulin.territory.tests.factories import EstateFactory
from liulin.votes import services
from liulin.votes.models import Owner, State, Unit
from liulin.votes.rules import Matter

T0 = timezone.make_aware(timezone.datetime(2026, 3, 2, 9, 0))
OPENS = T0 + timedelta(days=16)
CLOSES = OPENS + timedelta(days=10)
AFTER = CLOSES + timedelta(hours=1)


@dataclass
class World:
    estate: object
    committee: object
    chair: object  # committee member
    clerks: list  # community staff of the estate's community
    owners: list = field(default_factory=list)
    units: list = field(default_factory=list)

    def user_of(self, owner):
        return owner.user


def make_world(areas=((9000, 0), (11000, 1), (8000, 2), (10000, 3)), *, developer_areas=(), clerks=3):
    """`areas`: [(area in cm², owners' index…)]: units with their owner number; owners numbered
    from 0 and each gets a bound account. `developer_areas`: unsold units of the developer."""
    estate = EstateFactory()
    committee = OrganisationFactory(kind=Organisation.Kind.OWNERS_COMMITTEE, community=estate.community, estate=estate,
                                    name=f"{estate.name}业主委员会")
    world = World(estate, committee, make_user(Role.COMMITTEE_MEMBER, committee),
                  [make_user(Role.COMMUNITY_STAFF, estate.community) for _ in range(clerks)])
    by_key = {}
    for i, (area, key) in enumerate(areas):
        if key not in by_key:
            by_key[key] = Owner.objects.create(estate=estate, name=f"业主{key}", user=UserFactory())
            world.owners.append(by_key[key])
        world.units.append(Unit.objects.create(estate=estate, label=f"1栋{101 + i}", area_cm2=area, owner=by_key[key]))
    if developer_areas:
        developer = Owner.objects.create(estate=estate, name="开发商", kind=Owner.Kind.DEVELOPER)
        world.owners.append(developer)
        for i, area in enumerate(developer_areas):
            world.units.append(Unit.objects.create(estate=estate, label=f"9栋{101 + i}", area_cm2=area, owner=developer))
    return world


def owners_world(n_owners, area=10000):
    return make_world([(area, i) for i in range(n_owners)])


def new_vote(world, matter=Matter.PROPERTY_SERVICE, **kw):
    return services.create_vote(actor=world.chair, committee=world.committee, title=kw.pop("title", "选聘物业服务企业"),
                                matter=matter, opens_at=kw.pop("opens_at", OPENS), closes_at=kw.pop("closes_at", CLOSES), **kw)


def drive(world, vote, to, *, ballots=()):
    """Take `vote` from draft to state `to`; `ballots` [(owner, choice)] are cast online once open."""
    path = [("publish_notice", T0, State.NOTICED), ("open", OPENS, State.OPEN), ("close", CLOSES, State.CLOSED),
            ("count", AFTER, State.COUNTED), ("publish_result", AFTER, State.PUBLISHED)]
    if to == State.CANCELLED:
        services.act(actor=world.chair, vote=vote, action="cancel", reason="议题撤回", now=T0)
        return vote
    from liulin.votes.workflow import WORKFLOW

    for action, when, reached in path:
        if vote.state == to:
            break
        if vote.state not in WORKFLOW.transitions[action].sources:
            continue  # already past this step
        services.act(actor=world.chair, vote=vote, action=action, now=when)
        if reached == State.OPEN:
            for owner, choice in ballots:
                services.cast_online(actor=owner.user, vote=vote, choice=choice, now=OPENS + timedelta(hours=1))
    return vote


def vote_in_state(world, state, **kw):
    return drive(world, new_vote(world, **kw), state)
