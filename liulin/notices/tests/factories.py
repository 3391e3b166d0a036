"""A small world for 公示 tests: a community with two households (each with a resident who
has an account), its staff, and notices driven to any state through the services."""

import datetime
from dataclasses import dataclass

from liulin.accounts.tests.factories import make_user
from liulin.core import calendar, clock
from liulin.core.roles import Role
from liulin.people.tests.factories import ResidentFactory
from liulin.territory.tests.factories import BuildingFactory, HouseholdFactory

from .. import services
from ..defaults import ensure_kinds
from ..models import NoticeKind, State


@dataclass
class World:
    community: object
    building: object
    staff: object
    households: list
    residents: list


def resident_user(building):
    resident = ResidentFactory(household=HouseholdFactory(building=building))
    return make_user(Role.RESIDENT, resident=resident)


def make_world():
    ensure_kinds(NoticeKind)  # a data migration's rows, which browser tests' flushes remove
    building = BuildingFactory()
    residents = [resident_user(building), resident_user(building)]
    return World(building.community, building, make_user(Role.COMMUNITY_STAFF, building.community),
                 [r.resident.household for r in residents], residents)


def kind(code="dibao"):
    ensure_kinds(NoticeKind)
    return NoticeKind.objects.get(code=code)


def at(day, hour=10):
    """An aware moment at `hour` local time on `day`."""
    return calendar.start_of_day(day) + datetime.timedelta(hours=hour)


def draft(world, *, code="dibao", now=None, title="2024年第三季度低保审核确认名单", body="拟新增低保 2 户。"):
    return services.create_notice(actor=world.staff, community=world.community, kind=kind(code), title=title, body=body, now=now)


def notice_in_state(world, state, *, code="dibao"):
    notice = draft(world, code=code)
    if state == State.DISCARDED:
        services.act(actor=world.staff, notice=notice, action="discard", reason="重复")
    if state in (State.PUBLISHED, State.FINALISED):
        services.act(actor=world.staff, notice=notice, action="publish")
    if state == State.FINALISED:
        services.act(actor=world.staff, notice=notice, action="finalise", now=notice.ends_at)
    return notice


def after_period(notice):
    return (notice.ends_at or clock.now()) + datetime.timedelta(minutes=1)
