"""Hours a team served, told across apps. An app where teams run activities (the culture and
sports teams' events in `activities`) reports, when one of them finishes, who was checked in
and when it ran; the volunteering register records the hours of the team's members among
them. Neither app imports the other.

The register plugs in once, in its AppConfig.ready:

    service_hours.register_recorder(record_team_service)

and the app that ran the activity reports in the transaction that finishes it (a step that
rolls back records nothing):

    service_hours.report(TeamService(origin="activities.activity:12", team_id=..., ...))

`origin` names the served activity once and for all; a recorder keeps it, so a second report
of the same activity records nothing new.
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


_recorders: list = []


def register_recorder(recorder):
    """`recorder(service)` is called with each TeamService reported, inside the reporting transaction."""
    if recorder not in _recorders:
        _recorders.append(recorder)


def unregister_recorder(recorder):
    if recorder in _recorders:
        _recorders.remove(recorder)


def listening():
    """Whether anyone records team hours (the reporter may skip gathering them otherwise)."""
    return bool(_recorders)


def report(service):
    for recorder in list(_recorders):
        recorder(service)
