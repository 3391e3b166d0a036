"""Who belongs to which organisation in the demo community, decided without the database.

The party members are chosen first; every membership then takes its party flag from the
resident, so "77 of the 273 students are party members" is true of the residents as well
as of the membership rows. Choices come from a seeded generator over the fixed list of
people, so the roster is the same on every run.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta

from faker import Faker

from . import facts

PARTY_ELDERS = 170  # party members aged 60 and over: veterans of the community
PARTY_WORKING_AGE = 110  # party members aged 25 to 59


@dataclass(frozen=True)
class Seat:
    """One membership: a resident (by index into the people list) or a named outsider."""

    org: str
    title: str
    is_party_member: bool
    joined_on: date
    person: int | None = None
    name: str = ""


def estate_branch(estate):
    return f"{estate}党支部"


def owners_committee(estate):
    return f"{estate}业主委员会"


def _joined(rng, since_year):
    start = date(since_year, 1, 1)
    return start + timedelta(days=rng.randrange((facts.REFERENCE_DATE - start).days))


def _pick(rng, pool, count, taken=()):
    candidates = [i for i in pool if i not in taken]
    if len(candidates) < count:
        raise ValueError(f"the demo population has only {len(candidates)} candidates for {count} seats")
    return sorted(rng.sample(candidates, count))


def choose_party_members(people, rng):
    elders = [i for i, p in enumerate(people) if p.age >= 60]
    working = [i for i, p in enumerate(people) if 25 <= p.age < 60]
    chosen = _pick(rng, elders, PARTY_ELDERS) + _pick(rng, working, PARTY_WORKING_AGE)
    for i in chosen:
        people[i].is_party_member = True


class _Roster:
    def __init__(self, people, rng):
        self.people, self.rng, self.seats = people, rng, []

    def add(self, org, indexes, titles, since_year):
        """Seat residents in `org`; the first ones take `titles` in order, the rest the last title."""
        for n, i in enumerate(indexes):
            title = titles[min(n, len(titles) - 1)]
            self.seats.append(Seat(org, title, self.people[i].is_party_member, _joined(self.rng, since_year), person=i))

    def where(self, test):
        return [i for i, p in enumerate(self.people) if test(p)]


def _party_organisation(r):
    party = r.where(lambda p: p.is_party_member)
    officers = _pick(r.rng, r.where(lambda p: p.is_party_member and 35 <= p.age <= 62), 5)
    r.add(facts.PARTY_GENERAL_BRANCH, officers, ["书记", "副书记", "组织委员", "宣传委员", "纪检委员"], 2012)
    by_estate = {}
    for i in party:
        by_estate.setdefault(r.people[i].estate, []).append(i)
    return by_estate


def _owners_committees(r, party_by_estate):
    """The estates with a committee (facts.COMMITTEES) have it chaired by a party member, who
    also leads the estate's branch; elsewhere a party member of working age leads the branch."""
    sizes = {estate: (size, party) for estate, size, party in facts.COMMITTEES}
    for estate, *_ in facts.ESTATES:
        eligible = r.where(lambda p, e=estate: p.estate == e and 35 <= p.age <= 75)
        if estate in sizes:
            size, party_count = sizes[estate]
            party = _pick(r.rng, [i for i in eligible if r.people[i].is_party_member], party_count)
            others = _pick(r.rng, [i for i in eligible if not r.people[i].is_party_member], size - party_count)
            r.add(owners_committee(estate), party + others, facts.COMMITTEE_TITLES, 2019)
            chair = party[0]
        else:
            chair = _pick(r.rng, [i for i in eligible if r.people[i].is_party_member], 1)[0]
        rest = [i for i in party_by_estate[estate] if i != chair]
        r.add(estate_branch(estate), [chair, *rest], ["支部书记", "党员"], 2005)


def _elderly_university(r):
    older = r.where(lambda p: p.age >= 55)
    party = _pick(r.rng, [i for i in older if r.people[i].is_party_member], facts.ELDERLY_UNIVERSITY_PARTY)
    others = _pick(r.rng, [i for i in older if not r.people[i].is_party_member],
                   facts.ELDERLY_UNIVERSITY_STUDENTS - facts.ELDERLY_UNIVERSITY_PARTY)
    r.add(facts.ELDERLY_UNIVERSITY, sorted(party + others), ["学员"], 2019)


def _culture_teams(r):
    """17 teams with no one in two teams, so the ~320 members are 320 different people."""
    eligible = r.where(lambda p: 14 <= p.age <= 78)
    taken = set()
    for name, size, party_count in facts.CULTURE_TEAMS:
        party = _pick(r.rng, [i for i in eligible if r.people[i].is_party_member], party_count, taken)
        others = _pick(r.rng, [i for i in eligible if not r.people[i].is_party_member], size - party_count, taken)
        taken.update(party, others)
        r.add(name, party + others, ["队长", "队员"], 2015)


def _volunteers(r):
    veterans = _pick(r.rng, r.where(lambda p: p.is_party_member and p.age >= 65), facts.VETERAN_VOLUNTEER_COUNT)
    r.add(facts.VETERAN_VOLUNTEERS, veterans, ["队长", "队员"], 2018)
    association = _pick(r.rng, r.where(lambda p: p.age >= 60), facts.ELDERLY_ASSOCIATION_COUNT)
    r.add(facts.ELDERLY_ASSOCIATION, association, ["会长", "副会长", "会员"], 2016)
    youth_care = _pick(r.rng, r.where(lambda p: 18 <= p.age <= 70), facts.YOUTH_CARE_VOLUNTEERS)
    r.add(facts.YOUTH_CARE_STATION, youth_care, ["站长", "志愿者"], 2020)


def _outsiders(rng):
    """Staff of units outside the residents' roll: partner units, the property company, departments."""
    faker = Faker("zh_CN")
    faker.seed_instance(facts.SEED + 2)
    seats = [Seat(unit, "共建联络员", True, _joined(rng, 2022), name=faker.name()) for unit in facts.PARTNER_UNITS]
    for title in ("项目经理", "客服主管", "维修班长"):
        seats.append(Seat(facts.PROPERTY_COMPANY, title, False, _joined(rng, 2020), name=faker.name()))
    for department, _level in facts.DEPARTMENTS:
        seats.append(Seat(department, "联络员", False, _joined(rng, 2021), name=faker.name()))
    for enterprise, _description in facts.ENTERPRISES:
        seats.append(Seat(enterprise, "负责人", False, _joined(rng, 2020), name=faker.name()))
    return seats


def build_roster(people):
    """Mark the party members among `people` and return every membership seat."""
    rng = random.Random(facts.SEED + 3)
    choose_party_members(people, rng)
    r = _Roster(people, rng)
    party_by_estate = _party_organisation(r)
    _owners_committees(r, party_by_estate)
    _elderly_university(r)
    _culture_teams(r)
    _volunteers(r)
    return r.seats + _outsiders(rng)
