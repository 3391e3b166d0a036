"""The demo residents in the database: built through the people service (so ID numbers are
validated and encrypted exactly as in production) and inserted in bulk."""

from liulin.core import crypto
from liulin.people.models import CareTag, Resident
from liulin.people.services import build_resident

from .roster import estate_branch

# The same codes and names as the people app's default care tags; created here only when
# a database lacks them.
CARE_TAG_NAMES = {
    "living-alone-elderly": "独居老人",
    "empty-nest-elderly": "空巢老人",
    "advanced-age": "高龄",
    "disability": "残疾",
    "minimum-living-allowance": "低保",
    "extreme-poverty": "特困",
    "left-behind-child": "留守儿童",
    "veteran": "退役军人",
    "serious-illness": "重病",
    "special-care-recipient": "优抚对象",
}


def _care_tags():
    return {
        code: CareTag.objects.get_or_create(code=code, defaults={"name": name, "sort": 50 + n})[0]
        for n, (code, name) in enumerate(CARE_TAG_NAMES.items())
    }


def _build(person, household, orgs):
    branch = orgs[estate_branch(person.estate)] if person.is_party_member else None
    return build_resident(
        id_number=person.id_number,
        name=person.name,
        gender=person.gender,
        birth_date=person.birth_date,
        mobile=person.mobile,
        household=household,
        relation=person.relation,
        is_party_member=person.is_party_member,
        party_branch=branch,
        is_demo=True,
    )


def seed_residents(people, households, orgs):
    """Insert the residents not yet present (matched by the keyed hash of the ID number);
    returns {ID number: resident pk} for every demo person."""
    hashes = {person.id_number: crypto.keyed_hash(person.id_number) for person in people}
    present = dict(Resident.objects.filter(id_hash__in=list(hashes.values())).values_list("id_hash", "pk"))
    missing = [
        _build(person, households[person.household_key], orgs) for person in people if hashes[person.id_number] not in present
    ]
    Resident.objects.bulk_create(missing, batch_size=500)
    if missing:
        present = dict(Resident.objects.filter(id_hash__in=list(hashes.values())).values_list("id_hash", "pk"))
    resident_ids = {number: present[digest] for number, digest in hashes.items()}
    _seed_care_tags(people, resident_ids)
    return resident_ids


def _seed_care_tags(people, resident_ids):
    tags = _care_tags()
    Through = Resident.care_tags.through
    present = set(
        Through.objects.filter(resident_id__in=list(resident_ids.values())).values_list("resident_id", "caretag_id")
    )
    wanted = {(resident_ids[p.id_number], tags[code].pk) for p in people for code in p.care_tags}
    Through.objects.bulk_create(
        [Through(resident_id=r, caretag_id=t) for r, t in sorted(wanted - present)], batch_size=1000
    )
