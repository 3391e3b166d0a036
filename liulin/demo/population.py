"""Synthetic residents of the demo community, generated in memory and without the database.

Everything comes from two seeded generators (Python's `random` for structure, Faker zh_CN
for names), so the same code always yields the same people: that is what makes
`seed_demo` idempotent. ID numbers follow GB 11643 (region, birth date, a sequence whose
last digit is odd for men and even for women, check character), and the birth date in
the number is the resident's birth date.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from faker import Faker

from liulin.core.validators import id_check_char

from . import facts

HOME_REGION = "430112"  # 望城区
OTHER_REGIONS = ["430102", "430103", "430104", "430105", "430111", "430121", "430181", "430182", "430381", "431102"]
MOBILE_PREFIXES = ["135", "136", "138", "139", "150", "151", "158", "159", "173", "177", "180", "186", "187", "189"]


@dataclass
class Person:
    household_key: tuple
    composition: str
    relation: str
    gender: str
    birth_date: date
    name: str = ""
    id_number: str = ""
    mobile: str = ""
    care_tags: list = field(default_factory=list)
    is_party_member: bool = False

    @property
    def age(self):
        ref, b = facts.REFERENCE_DATE, self.birth_date
        return ref.year - b.year - ((ref.month, ref.day) < (b.month, b.day))

    @property
    def estate(self):
        return self.household_key[0]


def household_keys():
    """(estate, building, room) of every flat: rooms 101..603 in buildings 1栋..n栋."""
    keys = []
    for estate, _address, buildings, floors in facts.ESTATES:
        for b in range(1, buildings + 1):
            for floor in range(1, floors + 1):
                for room in range(1, facts.ROOMS_PER_FLOOR + 1):
                    keys.append((estate, f"{b}栋", f"{floor}{room:02d}"))
    return keys


# Who lives together, with weights chosen so about a quarter of residents are 60 or older,
# as in an established Changsha neighbourhood.
COMPOSITIONS = [
    ("single_elder", 10),
    ("elder_couple", 16),
    ("couple_kids", 29),
    ("three_generations", 19),
    ("young_couple", 10),
    ("single_adult", 6),
    ("couple_adult_child", 7),
    ("grandparents_grandchild", 3),
]


def _couple(rng, low, high, relation_of_second="spouse"):
    head_gender = "M" if rng.random() < 0.8 else "F"
    age = rng.randint(low, high)
    spouse_age = max(low, min(high + 3, age + rng.randint(-4, 3)))
    return [("head", head_gender, age), (relation_of_second, "F" if head_gender == "M" else "M", spouse_age)]


def _children(rng, count, low, high, relation="child"):
    return [(relation, rng.choice("MF"), rng.randint(low, high)) for _ in range(count)]


def _members(rng, composition):
    """(relation, gender, age) of each member of one household."""
    if composition == "single_elder":
        return [("head", "F" if rng.random() < 0.65 else "M", rng.randint(70, 94))]
    if composition == "elder_couple":
        return _couple(rng, 63, 88)
    if composition == "couple_kids":
        return _couple(rng, 30, 48) + _children(rng, rng.choice([1, 1, 2]), 1, 17)
    if composition == "three_generations":
        parents = _couple(rng, 31, 46)
        elders = [("parent", gender, age + rng.randint(24, 30)) for _relation, gender, age in parents]
        return parents + _children(rng, rng.choice([1, 2]), 1, 15) + elders
    if composition == "young_couple":
        return _couple(rng, 23, 34)
    if composition == "single_adult":
        return [("head", rng.choice("MF"), rng.randint(22, 62))]
    if composition == "couple_adult_child":
        return _couple(rng, 48, 64) + _children(rng, 1, 19, 32)
    # Grandparents raising a grandchild while the parents work elsewhere (留守儿童).
    return _couple(rng, 55, 74) + _children(rng, 1, 5, 15, relation="grandchild")


def _birth_date(rng, age):
    days_after_birthday = rng.randint(0, 364)
    year = facts.REFERENCE_DATE.year - age
    return date(year, facts.REFERENCE_DATE.month, 1) - timedelta(days=days_after_birthday)


class _Identity:
    """Unique ID numbers and mobile numbers from one generator."""

    def __init__(self, rng):
        self.rng = rng
        self.ids = set()
        self.mobiles = set()

    def id_number(self, birth, gender):
        region = HOME_REGION if self.rng.random() < 0.85 else self.rng.choice(OTHER_REGIONS)
        while True:
            seq = self.rng.randrange(0, 500) * 2 + (1 if gender == "M" else 0)
            first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
            if first17 not in self.ids:
                self.ids.add(first17)
                return first17 + id_check_char(first17)

    def mobile(self, age):
        if age < 14 or (age >= 80 and self.rng.random() < 0.5):
            return ""
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.mobiles:
                self.mobiles.add(number)
                return number


def _care_tags(rng, person, composition):
    tags = []
    if person.age >= 80:
        tags.append("advanced-age")
    if composition == "single_elder":
        tags.append("living-alone-elderly")
    if composition == "elder_couple":
        tags.append("empty-nest-elderly")
    if composition == "grandparents_grandchild" and person.relation == "grandchild":
        tags.append("left-behind-child")
    if rng.random() < 0.025:
        tags.append("disability")
    if person.gender == "M" and 45 <= person.age <= 78 and rng.random() < 0.08:
        tags.append("veteran")
    if person.age >= 50 and rng.random() < 0.015:
        tags.append("serious-illness")
    if person.age >= 60 and rng.random() < 0.006:
        tags.append("special-care-recipient")
    return tags


def _household_allowance(rng, people):
    """Minimum living allowance and extreme poverty are household facts; the head carries the tag."""
    roll = rng.random()
    if roll < 0.015:
        people[0].care_tags.append("minimum-living-allowance")
    elif roll < 0.019 and people[0].age >= 60:
        people[0].care_tags.append("extreme-poverty")


def _names(faker, members):
    surname = faker.last_name()
    names = []
    for relation, gender, _age in members:
        # Children and grandchildren carry the head's surname; spouses and elders their own.
        family = surname if relation in ("head", "child", "grandchild") else faker.last_name()
        name = None
        while name is None or name in names:  # no two people of one household share a name
            name = family + (faker.first_name_male() if gender == "M" else faker.first_name_female())
        names.append(name)
    return names


def generate_people():
    """Every demo resident, in a fixed order."""
    rng = random.Random(facts.SEED)
    faker = Faker("zh_CN")
    faker.seed_instance(facts.SEED)
    identity = _Identity(random.Random(facts.SEED + 1))
    compositions, weights = zip(*COMPOSITIONS, strict=True)
    people = []
    for key in household_keys():
        composition = rng.choices(compositions, weights)[0]
        members = _members(rng, composition)
        household = []
        for (relation, gender, age), name in zip(members, _names(faker, members), strict=True):
            birth = _birth_date(rng, age)
            person = Person(household_key=key, composition=composition, relation=relation, gender=gender, birth_date=birth)
            person.name = name
            person.id_number = identity.id_number(birth, gender)
            person.mobile = identity.mobile(person.age)
            person.care_tags = _care_tags(rng, person, composition)
            household.append(person)
        _household_allowance(rng, household)
        people.extend(household)
    return people
