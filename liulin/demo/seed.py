"""`seed_demo`: the demo Zhongnan community, built in one transaction and idempotent.

Each step creates rows by natural key (area code, grid code, estate and building name,
room, the keyed hash of an ID number, organisation kind and name, a membership's
organisation and resident), and the synthetic people come from seeded generators, so a
second run finds everything present and writes nothing.

Other apps add their own demo data by providing a `demo_seed` module with a
`seed(demo)` function; it receives the `DemoCommunity` below, runs in the same
transaction after the community exists, and must be idempotent too.
"""

from dataclasses import dataclass
from importlib import import_module

from django.apps import apps
from django.db import transaction
from django.utils.module_loading import module_has_submodule

from . import facts, logins, organisations, places, population, residents, roster


@dataclass
class DemoCommunity:
    community: object  # the 中南社区 Area
    areas: dict  # code -> Area
    grids: list  # in order: grids[0] is 第一网格
    buildings: dict  # (estate name, building name) -> Building
    orgs: dict  # name -> Organisation
    people: list  # population.Person, in generation order
    resident_ids: dict  # ID number -> Resident pk
    users: dict  # mobile -> User


def _app_seeders():
    for config in apps.get_app_configs():
        if config.name != __package__ and module_has_submodule(config.module, "demo_seed"):
            yield import_module(f"{config.name}.demo_seed")


@transaction.atomic
def seed_demo():
    areas = places.seed_areas()
    community = areas[facts.COMMUNITY_CODE]
    grids = places.seed_grids(community)
    buildings = places.seed_estates(community, grids)
    households = places.seed_households(buildings, population.household_keys())
    places.seed_facilities(community)
    estates = {b.estate.name: b.estate for b in buildings.values()}
    orgs = organisations.seed_organisations(areas, estates)
    people = population.generate_people()
    seats = roster.build_roster(people)
    resident_ids = residents.seed_residents(people, households, orgs)
    organisations.seed_memberships(seats, people, resident_ids, orgs)
    users = logins.seed_logins(areas=areas, grids=grids, orgs=orgs, people=people, resident_ids=resident_ids)
    demo = DemoCommunity(community, areas, grids, buildings, orgs, people, resident_ids, users)
    for module in _app_seeders():
        module.seed(demo)
    return demo
