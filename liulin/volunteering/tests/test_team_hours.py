"""A team's hours from an activity run in `activities` (a culture team's performance), reported
through core.service_hours when it finishes: the team's members who were checked in get a
pending record of its length in the register, once; the audience and absent members get none."""

import datetime

import pytest

from liulin.accounts.tests.factories import make_user
from liulin.activities import services as events
from liulin.activities.tests.factories import Town
from liulin.core import service_hours
from liulin.core.roles import Role
from liulin.orgs.models import Membership, Organisation
from liulin.volunteering.models import Activity, ServiceRecord, Volunteer
from liulin.volunteering.services import ledger, records, team_hours, teams

pytestmark = pytest.mark.django_db


class Performance:
    """A culture team, its leader, members on its roll and a resident in the audience, all
    enrolled in the team's event (three hours, tomorrow); `check_in` admits people."""

    def __init__(self, hours=3):
        self.town = Town()
        self.team = Organisation.objects.create(name="银燕腰鼓队", kind=Organisation.Kind.CULTURE_TEAM,
                                                community=self.town.community)
        self.leader = make_user(Role.VOLUNTEER_LEADER, self.team)
        self.event = self.town.event(organiser=self.team, title="重阳敬老腰鼓表演", starts_in=datetime.timedelta(hours=1))
        if hours != 3:
            self.event.ends_at = self.event.starts_at + datetime.timedelta(hours=hours)
            self.event.save(update_fields=["ends_at"])
        self.members = [self.town.resident(name=name) for name in ("张秀兰", "刘凤英", "陈玉梅")]
        for member in self.members:
            Membership.objects.create(org=self.team, resident=member, name=member.name)
        self.audience = self.town.resident(name="赵大爷")
        self.enrolments = {person.pk: events.enrol(actor=person.user, activity=self.event, resident=person)
                           for person in [*self.members, self.audience]}

    def check_in(self, *people):
        for person in people:
            events.check_in(actor=self.leader, activity=self.event, code=events.checkin_code(self.enrolments[person.pk]))

    def finish(self):
        """Finish the event as its team leader; returns what it reported through the kernel."""
        reported = []
        service_hours.register_recorder(reported.append)
        try:
            events.act_on_activity(actor=self.leader, activity=self.event, action="finish")
        finally:
            service_hours.unregister_recorder(reported.append)
        return reported


def test_the_volunteering_register_listens_for_team_and_person_service():
    assert team_hours.record_team_service in service_hours._recorders[service_hours.TeamService]
    assert records.record_person_service in service_hours._recorders[service_hours.PersonService]


def test_a_teams_served_event_records_the_hours_of_its_members_who_came_once():
    show = Performance()
    came, came_too, absent = show.members
    # One of them registered as a volunteer with his account before: his record is used.
    own = teams.register_volunteer(actor=came_too.user, community=show.town.community)
    show.check_in(came, came_too, show.audience)
    [service] = show.finish()

    served = Activity.objects.get(origin=f"activities.activity:{show.event.pk}")
    assert (served.team, served.community, served.title, served.state) == (
        show.team, show.town.community, "重阳敬老腰鼓表演", Activity.State.FINISHED)
    assert (served.starts_at, served.ends_at, served.organiser) == (show.event.starts_at, show.event.ends_at, show.leader)
    found = ServiceRecord.objects.filter(activity=served).select_related("volunteer").order_by("volunteer__resident_id")
    assert [(r.volunteer.resident_id, r.minutes, r.state, r.source, r.team_id, r.recorded_by_id) for r in found] == [
        (came.pk, 180, "pending", "team_event", show.team.pk, show.leader.pk),
        (came_too.pk, 180, "pending", "team_event", show.team.pk, show.leader.pk),
    ]
    assert found[1].volunteer == own
    assert not Volunteer.objects.filter(resident__in=[absent, show.audience]).exists()
    assert all(records.verify_record(r) is None for r in found)
    assert found[0].events.get().data["origin"] == service.origin

    # The same report again (a retry, a replay) records nothing new, even for a voided record.
    records.act(actor=show.leader, record=found[0], action="void", reason="当天未上场")
    assert team_hours.record_team_service(service) == []
    assert Activity.objects.filter(origin=service.origin).count() == 1
    assert ServiceRecord.objects.filter(activity=served).count() == 2


def test_team_hours_are_confirmed_like_any_other_and_earn_points():
    show = Performance()
    member = show.members[0]
    show.check_in(member)
    show.finish()
    record = ServiceRecord.objects.get(volunteer__resident=member)
    records.act(actor=show.town.staff, record=record, action="confirm")
    assert ServiceRecord.objects.get(pk=record.pk).state == "confirmed"
    assert ledger.account_of(record.volunteer).balance == 30  # three hours at the default 10 points an hour


def test_nothing_is_recorded_when_no_member_came():
    show = Performance()
    show.check_in(show.audience)
    [service] = show.finish()
    assert service.resident_ids == (show.audience.pk,)
    assert not Activity.objects.filter(origin=service.origin).exists()
    assert not ServiceRecord.objects.exists()


def test_an_event_longer_than_a_days_service_is_left_to_the_organiser():
    show = Performance(hours=13)
    show.check_in(show.members[0])
    show.finish()
    assert not ServiceRecord.objects.exists()
