"""Registering as a volunteer and joining a team: the volunteer applies, the team decides."""

from django.db import transaction
from django.utils.translation import gettext as _

from liulin.core import audit, clock
from liulin.core.errors import Conflict, Invalid
from liulin.core.permissions import authorise
from liulin.orgs.models import Organisation

from ..models import TeamMember, Volunteer
from . import ledger

TEAM_KINDS = (Organisation.Kind.VOLUNTEER_TEAM,)


def is_team(org):
    return org.kind in TEAM_KINDS and org.is_active


def register_volunteer(*, actor, community):
    """The actor's volunteer record (志愿者注册) and points account, made once."""
    with transaction.atomic():
        resident = getattr(actor, "resident", None)
        volunteer = Volunteer.objects.filter(user=actor).first()
        if volunteer is None and resident is not None:
            # Enrolled by his team before he had an account: the record becomes his.
            volunteer = Volunteer.objects.filter(resident=resident, user__isnull=True).first()
            if volunteer is not None:
                Volunteer.objects.filter(pk=volunteer.pk, user__isnull=True).update(user=actor)
                volunteer.user = actor
        created = volunteer is None
        if created:
            volunteer = Volunteer.objects.create(user=actor, resident=resident, name=actor.name, community=community)
        if created:
            ledger.account_of(volunteer)
            audit.record(actor=actor, action="volunteering.register", target=volunteer)
    return volunteer


def enrol_resident(*, actor, team, resident):
    """The team's leader or community staff enrol a resident without a phone (an elder): his
    volunteer record is made from his resident record and he joins at once, decided by the
    one who enrolled him."""
    if not is_team(team):
        raise Invalid(_("该组织不是志愿服务队伍。"), code="not_a_team")
    if resident.household.community_id != team.community_id:
        raise Invalid(_("只能登记本社区的居民。"), code="other_community")
    with transaction.atomic():
        volunteer = Volunteer.objects.filter(resident=resident).first()
        if volunteer is None:
            volunteer = Volunteer.objects.create(resident=resident, name=resident.name, community_id=team.community_id)
            ledger.account_of(volunteer)
        member, created = TeamMember.objects.get_or_create(
            team=team, volunteer=volunteer,
            defaults={"state": TeamMember.State.ACTIVE, "decided_at": clock.now(), "decided_by": actor})
        if not created:
            raise Conflict(_("该居民已在队伍名单中。"), code="already_member")
        authorise(actor, "volunteering.decide_member", member)  # a refusal rolls both rows back
        audit.record(actor=actor, action="volunteering.enrol", target=member)
    return member


def apply_to_team(*, actor, team):
    """The actor applies to join `team`; his volunteer record is made on the way."""
    if not is_team(team):
        raise Invalid(_("该组织不是志愿服务队伍。"), code="not_a_team")
    with transaction.atomic():
        volunteer = register_volunteer(actor=actor, community=team.community)
        member, created = TeamMember.objects.get_or_create(team=team, volunteer=volunteer)
        if not created:
            if member.state in (TeamMember.State.APPLIED, TeamMember.State.ACTIVE):
                raise Conflict(_("您已申请或已在该队伍中。"), code="already_member")
            TeamMember.objects.filter(pk=member.pk, state=member.state).update(
                state=TeamMember.State.APPLIED, applied_at=clock.now(), decided_at=None, decided_by=None)
            member.refresh_from_db()
        audit.record(actor=actor, action="volunteering.apply", target=member)
    return member


def decide_member(*, actor, member, accept, reason=""):
    """The team's leader or community staff accept or refuse an application."""
    authorise(actor, "volunteering.decide_member", member)
    if not accept and not reason.strip():
        raise Invalid(_("不通过须说明理由。"), code="reason_required", field="reason")
    if member.volunteer.user_id == actor.pk:
        raise Conflict(_("不能审核自己的入队申请。"), code="own_application")
    target = TeamMember.State.ACTIVE if accept else TeamMember.State.REJECTED
    with transaction.atomic():
        changed = TeamMember.objects.filter(pk=member.pk, state=TeamMember.State.APPLIED).update(
            state=target, decided_at=clock.now(), decided_by=actor)
        if not changed:
            raise Conflict(_("该申请已处理。"), code="state_changed")
        audit.record(actor=actor, action="volunteering.decide_member", target=member, state=target, reason=reason.strip())
    member.refresh_from_db()
    return member


def leave_team(*, actor, member):
    if member.volunteer.user_id != actor.pk:
        authorise(actor, "volunteering.decide_member", member)
    with transaction.atomic():
        if not TeamMember.objects.filter(pk=member.pk, state=TeamMember.State.ACTIVE).update(
                state=TeamMember.State.LEFT, decided_at=clock.now(), decided_by=actor):
            raise Conflict(_("不在队中。"), code="state_changed")
        audit.record(actor=actor, action="volunteering.leave", target=member)
    member.refresh_from_db()
    return member
