"""The demo community's organisations and their members, created by natural key.

Memberships are keyed by (organisation, resident) for residents and (organisation, name)
for outsiders, so a re-run inserts only what is missing.
"""

from liulin.orgs.models import Membership, Organisation

from . import facts
from .roster import estate_branch, owners_committee

Kind = Organisation.Kind


def _org(name, kind, community, **fields):
    org, _ = Organisation.objects.get_or_create(
        kind=kind, name=name, community=community, defaults={"is_demo": True, **fields}
    )
    return org


def _party(community, estates):
    general = _org(facts.PARTY_GENERAL_BRANCH, Kind.PARTY_BRANCH, community,
                   description="中南社区党组织：以“六邻工作法”为依托，党建引领同心治理。")
    orgs = {general.name: general}
    for estate in estates.values():
        branch = _org(estate_branch(estate.name), Kind.PARTY_BRANCH, community, parent=general, estate=estate)
        orgs[branch.name] = branch
    return orgs


def _partners_and_units(community, areas):
    orgs = {}
    for name in facts.PARTNER_UNITS:
        orgs[name] = _org(name, Kind.PARTNER_UNIT, community, description="区域化党建共建单位（演示用虚构名称）。")
    orgs[facts.PROPERTY_COMPANY] = _org(facts.PROPERTY_COMPANY, Kind.PROPERTY_COMPANY, community,
                                        description="经“推强选优”引进的专业物业公司（演示用虚构名称）。")
    for name, level in facts.DEPARTMENTS:
        orgs[name] = _org(name, Kind.DEPARTMENT, areas[level], description="协同治理部门：雷锋哨“吹哨”后报到核单。")
    for name, description in facts.ENTERPRISES:
        orgs[name] = _org(name, Kind.ENTERPRISE, community, description=description)
    return orgs


def _committees(community, estates):
    return {
        owners_committee(estate.name): _org(owners_committee(estate.name), Kind.OWNERS_COMMITTEE, community, estate=estate)
        for estate in estates.values() if estate.name in {name for name, _size, _party in facts.COMMITTEES}
    }


def _culture_and_care(community):
    classes = "、".join(class_name for _course, class_name in facts.ELDERLY_UNIVERSITY_CLASSES)
    courses = "、".join(dict.fromkeys(course for course, _class in facts.ELDERLY_UNIVERSITY_CLASSES))
    orgs = {
        facts.ELDERLY_UNIVERSITY: _org(
            facts.ELDERLY_UNIVERSITY, Kind.SCHOOL, community,
            description=f"老年教育基层教学点。课程：{courses}；班级：{classes}。以“党建带群建”打造民族巧手坊。",
        ),
        facts.VETERAN_VOLUNTEERS: _org(facts.VETERAN_VOLUNTEERS, Kind.VOLUNTEER_TEAM, community,
                                       description="全体成员都是老党员，充分展示“银发力量”。"),
        facts.ELDERLY_ASSOCIATION: _org(facts.ELDERLY_ASSOCIATION, Kind.VOLUNTEER_TEAM, community,
                                        description="依据五老所长组建，帮助居民排忧解难。"),
        facts.YOUTH_CARE_STATION: _org(facts.YOUTH_CARE_STATION, Kind.OTHER, community,
                                       description="在共青团望城区委指导下建设：红色教育、爱心教育、责任教育。"),
    }
    for name, _size, _party_count in facts.CULTURE_TEAMS:
        orgs[name] = _org(name, Kind.CULTURE_TEAM, community, description="以同心广场、舞蹈室等为活动场地。")
    return orgs


def seed_organisations(areas, estates):
    """Every organisation of the demo community, by name."""
    community = areas[facts.COMMUNITY_CODE]
    return {
        **_party(community, estates),
        **_partners_and_units(community, areas),
        **_committees(community, estates),
        **_culture_and_care(community),
    }


def seed_memberships(seats, people, resident_ids, orgs):
    org_ids = [org.pk for org in orgs.values()]
    held = set(
        Membership.objects.filter(org_id__in=org_ids).values_list("org_id", "resident_id", "name")
    )
    by_resident = {(org, resident) for org, resident, _name in held if resident}
    by_name = {(org, name) for org, resident, name in held if not resident}
    missing = []
    for seat in seats:
        org = orgs[seat.org]
        if seat.person is None:
            if (org.pk, seat.name) in by_name:
                continue
            resident_id, name = None, seat.name
        else:
            person = people[seat.person]
            resident_id, name = resident_ids[person.id_number], person.name
            if (org.pk, resident_id) in by_resident:
                continue
        missing.append(
            Membership(org=org, resident_id=resident_id, name=name, title=seat.title,
                       is_party_member=seat.is_party_member, joined_on=seat.joined_on, is_demo=True)
        )
    Membership.objects.bulk_create(missing, batch_size=500)
