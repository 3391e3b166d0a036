"""Hours a team served at an activity another app ran (a culture or sports team's
performance or stewarding in `activities`), reported through core.service_hours when that
activity finished. The register records them as it records its own:

- whose hours: the people checked in who are members of the team (on the organisation's roll,
  or active members of a volunteer team); the audience and other participants get none;
- how long: the activity's length (that app checks people in, not out); an activity longer
  than one day's service (12 h, as for the register's own activities) is left to the
  organiser, who knows who served when;
- where: an activity of the register made for the served one and named by its origin, the
  team's, finished, organised by whoever finished it;
- as what: a pending record per member (source "team_event"), on its own chain, confirmed
  (and earning points) or voided by the team's leader or community staff like any other;
- once: a second report of the same activity finds its activity of the register, and a member
  who already has a record there (in any state: a voided record is not brought back) gets
  no other.
"""

from django.db import IntegrityError, transaction
from django.db.models import Q

from liulin.core import audit
from liulin.orgs.models import Membership, Organisation
from liulin.people.models import Resident

from ..models import Activity, ServiceRecord, TeamMember, Volunteer
from . import ledger, records
from .activities import MAX_LENGTH


def record_team_service(service):
    """Record `service` (a core.service_hours.TeamService); returns the new records."""
    minutes = int((service.ends_at - service.starts_at).total_seconds() // 60)
    if service.actor is None or not 1 <= minutes <= MAX_LENGTH.total_seconds() // 60:
        return []
    team = Organisation.objects.filter(pk=service.team_id, is_active=True).first()
    members = _members_among(team, service.resident_ids) if team is not None else []
    if not members:
        return []
    activity = _activity_for(service, team)
    already = set(ServiceRecord.objects.filter(activity=activity).values_list("volunteer_id", flat=True))
    made = []
    for resident in members:
        volunteer = _volunteer_for(resident, service.community_id)
        if volunteer.pk in already:
            continue
        made.append(records.record_team_event(activity=activity, volunteer=volunteer, minutes=minutes,
                                              actor=service.actor, origin=service.origin))
    if made:
        audit.record(actor=service.actor, action="volunteering.record_team_service", target=activity,
                     origin=service.origin, records=len(made))
    return made


def _members_among(team, resident_ids):
    """The residents of `resident_ids` who belong to `team`, in id order."""
    on_roll = Membership.objects.filter(org=team, resident_id__in=resident_ids).values("resident_id")
    volunteers = TeamMember.objects.filter(team=team, state=TeamMember.State.ACTIVE,
                                           volunteer__resident_id__in=resident_ids).values("volunteer__resident_id")
    return list(Resident.objects.filter(Q(pk__in=on_roll) | Q(pk__in=volunteers)).order_by("pk"))


def _activity_for(service, team):
    """The register's activity for the served one: found by its origin, or made once."""
    found = Activity.objects.filter(origin=service.origin).first()
    if found is not None:
        return found
    title = service.title.strip()[:64] or service.origin
    try:
        with transaction.atomic():
            return Activity.objects.create(
                team=team, community_id=service.community_id, title=title,
                content=(service.description.strip() or title)[:2000], place=(service.place.strip() or title)[:64],
                starts_at=service.starts_at, ends_at=service.ends_at, organiser=service.actor,
                state=Activity.State.FINISHED, origin=service.origin)
    except IntegrityError:  # reported twice at once: the other report made it
        return Activity.objects.get(origin=service.origin)


def _volunteer_for(resident, community_id):
    """The resident's volunteer record (his own, or the one his account registered), made
    without an account when he has none yet: registering later makes it his
    (teams.register_volunteer), as for an elder his team enrolled."""
    volunteer = Volunteer.objects.filter(Q(resident=resident) | Q(user__resident=resident)).order_by("pk").first()
    if volunteer is None:
        volunteer = Volunteer.objects.create(resident=resident, name=resident.name, community_id=community_id)
        ledger.account_of(volunteer)
    return volunteer
