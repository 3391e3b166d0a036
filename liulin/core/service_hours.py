"""Service hours told across apps, for the volunteering register to record. Two kinds:
- a team's service (`TeamService`): an app where teams run activities (the culture and sports
  teams' events in `activities`) reports, when one finishes, who was checked in and when it
  ran; the register records the hours of the team's members among them;
- one person's confirmed service (`PersonService`): an in-service party member's 双报到 service
  in `partybuilding`, confirmed there by the person served or a grid worker.
Neither app imports the other.

The register plugs in once per kind, in its AppConfig.ready:

    service_hours.register_recorder(record_team_service)                     # TeamService
    service_hours.register_recorder(record_person_service, kind=PersonService)

and the reporting app reports in the transaction of its own step (a step that rolls back
records nothing):

    service_hours.report(TeamService(origin="activities.activity:12", team_id=..., ...))

`origin` names the served activity or service once and for all; a recorder keeps it, so a
second report of the same one records nothing new.
"""

import datetime
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TeamService:
    origin: str  # "<app>.<model>:<id>": the served activity, the same on every report of it
    team_id: int  # orgs.Organisation that ran it
    community_id: int  # territory.Area where it happened
    title: str
    description: str
    place: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    resident_ids: tuple  # people.Resident ids of everyone checked in; the recorder decides whose hours count
    actor: Any  # the user who finished the activity


@dataclass(frozen=True)
class PersonService:
    origin: str  # "<app>.<model>:<id>": the confirmed service, the same on every report of it
    user_id: int  # who served
    community_id: int  # territory.Area where he served
    org_id: int | None  # orgs.Organisation he served for (his unit), if any
    minutes: int
    served_on: datetime.date
    content: str
    confirmed_by_id: int | None  # the person served or the grid worker who confirmed it
    is_demo: bool = False


_recorders: dict[type, list] = {TeamService: [], PersonService: []}


def register_recorder(recorder, kind=TeamService):
    """`recorder(service)` is called with each service of `kind` reported, inside the reporting transaction."""
    if recorder not in _recorders[kind]:
        _recorders[kind].append(recorder)


def unregister_recorder(recorder, kind=TeamService):
    if recorder in _recorders[kind]:
        _recorders[kind].remove(recorder)


def listening(kind=TeamService):
    """Whether anyone records hours of `kind` (the reporter may skip gathering them otherwise)."""
    return bool(_recorders[kind])


def report(service):
    for recorder in list(_recorders[type(service)]):
        recorder(service)
