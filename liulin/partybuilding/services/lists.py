"""The three lists: needs raised (by residents, grid workers, staff, or from a 雷锋哨 work
order), resources offered by partner units, and projects that match one with the other,
by two-way claiming: a unit claims a need, or the community assigns a resource to it.

One live project per need: the claim changes the need with a conditional update from
"open", and a unique constraint over live projects backs it. A resource serves at most its
capacity: `used` grows by a conditional update `WHERE used < capacity` (and a check
constraint)."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from liulin.core import audit, chain, clock
from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted
from liulin.core.permissions import can, has_perm_anywhere, permitting
from liulin.core.roles import Role
from liulin.core.workflow import IllegalTransition

from ..models import Category, Need, NeedEvent, Project, ProjectEvent, Resource
from ..workflow import NEED, PROJECT, PROJECT_DUTIES
from ._common import SYSTEM, authorise, day, first_event, follow, lock, move, perm, refuse_second_duty, text

SOURCE_OF_ROLE = {Role.RESIDENT: Need.Source.RESIDENT, Role.GRID_WORKER: Need.Source.GRID}


def _category(value):
    if value not in Category.values:
        raise Invalid(_("请选择类别。"), code="invalid_category", field="category")
    return value


@transaction.atomic
def raise_need(*, actor, community, title, description="", category=Category.CARE, grid=None, beneficiary=None,
               source=None, source_ticket_id=None, is_demo=False):
    """Put a need on the community's list. The actor must be allowed to raise one there: a
    resident for himself, a grid worker in his grid, staff in their community."""
    if grid is not None and grid.community_id != community.pk:
        raise Invalid(_("网格不在该社区。"), code="grid_outside_community", field="grid")
    need = Need.objects.create(
        community=community, grid=grid, title=text(title, field="title", required=True, max_length=100, label=_("需求")),
        description=text(description, field="description", max_length=4000), category=_category(category),
        source=source or Need.Source.STAFF, source_ticket_id=source_ticket_id, beneficiary=beneficiary,
        raised_by=actor, is_demo=is_demo,
    )
    role = SYSTEM
    if actor is not None:
        found = permitting(actor, perm("need_raise"), need)
        if found is None:
            raise NotPermitted(_("您不能在该社区登记需求。"))
        role = found[0]
        if source is None:
            need.source = SOURCE_OF_ROLE.get(role, Need.Source.STAFF)
            Need.objects.filter(pk=need.pk).update(source=need.source)
    first_event(NeedEvent, need, actor=actor, action="raise", role=role, to_state=need.state,
                data={"source": need.source, "ticket": source_ticket_id})
    return need


@transaction.atomic
def raise_need_from_ticket(*, actor, ticket, title="", category=Category.CARE):
    """A 雷锋哨 work order that is really a need for help becomes a need; the need keeps the
    order's id (one need per order) and its requester as beneficiary."""
    if actor is None or not can(actor, "whistle.view", ticket):
        raise NotFound(_("找不到该工单，或您无权查看。"))
    if Need.objects.filter(source_ticket_id=ticket.pk).exists():
        raise Conflict(_("该工单已登记为需求。"), code="already_raised")
    try:
        with transaction.atomic():
            return raise_need(
                actor=actor, community=ticket.community, grid=ticket.grid, title=title or ticket.description[:100],
                description=ticket.description, category=category, beneficiary=ticket.requester,
                source=Need.Source.TICKET, source_ticket_id=ticket.pk,
            )
    except IntegrityError:
        raise Conflict(_("该工单已登记为需求。"), code="already_raised") from None


@transaction.atomic
def withdraw_need(*, actor, need, reason):
    role, _unit = authorise(actor, "need_withdraw", need)
    locked = lock(Need, need)
    move(Need, NeedEvent, locked, NEED, "need_withdraw", actor=actor, role=role, reason=text(reason, field="reason"))
    return locked


@transaction.atomic
def offer_resource(*, actor, org, community, kind, title, description="", capacity=1, is_demo=False):
    """A partner unit (its contact, or the community's staff for it) puts a resource on the list."""
    if kind not in Resource.Kind.values:
        raise Invalid(_("请选择资源类型。"), code="invalid_kind", field="kind")
    if capacity is None or not 1 <= int(capacity) <= 10000:
        raise Invalid(_("可服务次数须在 1 到 10000 之间。"), code="invalid_capacity", field="capacity")
    if not org.partnerships.filter(community=community).exists():
        raise Invalid(_("该单位尚未向本社区报到。"), code="not_a_partner", field="org")
    resource = Resource.objects.create(
        org=org, community=community, kind=kind, title=text(title, field="title", required=True, max_length=100, label=_("资源")),
        description=text(description, field="description", max_length=4000), capacity=int(capacity), is_demo=is_demo,
    )
    if actor is not None and not can(actor, perm("manage"), resource):
        raise NotPermitted(_("您不能为该单位登记资源。"))
    audit.record(actor=actor, action="partybuilding.resource_offer", target=resource, capacity=resource.capacity)
    return resource


MAX_VOLUNTEERS = 50


def _plan(owner_name, plan, starts_on, ends_on, volunteers_needed=0):
    starts_on, ends_on = day(starts_on, field="starts_on"), day(ends_on, field="ends_on")
    if ends_on < starts_on:
        raise Invalid(_("计划完成日期不能早于开始日期。"), code="dates_order", field="ends_on")
    if volunteers_needed is None or not 0 <= int(volunteers_needed) <= MAX_VOLUNTEERS:
        raise Invalid(_("需要的党员人数须在 0 到 %(n)s 之间。") % {"n": MAX_VOLUNTEERS}, code="invalid_volunteers",
                      field="volunteers_needed")
    return {
        "volunteers_needed": int(volunteers_needed),
        "owner_name": text(owner_name, field="owner_name", required=True, max_length=32, label=_("负责人")),
        "plan": text(plan, field="plan", max_length=4000), "starts_on": starts_on, "ends_on": ends_on,
    }


def _open_project(locked_need, *, actor, role, org, resource, origin, fields, is_demo):
    try:
        with transaction.atomic():
            project = Project.objects.create(need=locked_need, org=org, resource=resource, community_id=locked_need.community_id,
                                             origin=origin, is_demo=is_demo, **fields)
    except IntegrityError:
        raise Conflict(_("该需求已被认领。"), code="already_claimed") from None
    first_event(ProjectEvent, project, actor=actor, action=origin, role=role, to_state=project.state,
                data={"org": org.pk, "resource": resource.pk if resource else None})
    return project


@transaction.atomic
def claim_need(*, actor, need, owner_name, plan="", starts_on=None, ends_on=None, volunteers_needed=0, is_demo=False):
    """A partner unit claims an open need: it becomes the unit's project. Of units claiming
    at once, one wins; the others get Conflict `already_claimed`."""
    role, unit = authorise(actor, "need_claim", need)
    if unit is None:
        raise NotPermitted(_("只有共建单位可以认领需求。"))
    fields = _plan(owner_name, plan, starts_on or clock.today(), ends_on or starts_on or clock.today(), volunteers_needed)
    locked = lock(Need, need)
    if locked.state == Need.State.MATCHED:
        raise IllegalTransition(_("该需求已被认领。"), code="already_claimed")
    move(Need, NeedEvent, locked, NEED, "need_claim", actor=actor, role=role, data={"org": unit})
    from liulin.orgs.models import Organisation

    return _open_project(locked, actor=actor, role=role, org=Organisation.objects.get(pk=unit), resource=None,
                         origin=Project.Origin.CLAIMED, fields=fields, is_demo=is_demo)


@transaction.atomic
def assign_resource(*, actor, need, resource, owner_name, plan="", starts_on=None, ends_on=None, volunteers_needed=0,
                    is_demo=False):
    """The community assigns a partner's resource to an open need: one place of the
    resource's capacity is taken, and the resource's unit runs the project."""
    role, _unit = authorise(actor, "need_assign", need, system_may=True)
    if actor is not None and not can(actor, perm("view"), resource):
        raise NotFound(_("找不到该资源，或您无权查看。"))
    if resource.community_id != need.community_id or not resource.is_active:
        raise Invalid(_("只能派给本社区有效的资源。"), code="resource_invalid", field="resource")
    fields = _plan(owner_name, plan, starts_on or clock.today(), ends_on or starts_on or clock.today(), volunteers_needed)
    locked = lock(Need, need)
    if locked.state == Need.State.MATCHED:
        raise IllegalTransition(_("该需求已被认领。"), code="already_claimed")
    move(Need, NeedEvent, locked, NEED, "need_assign", actor=actor, role=role, data={"resource": resource.pk})
    if not Resource.objects.filter(pk=resource.pk, used__lt=F("capacity")).update(used=F("used") + 1):
        raise Conflict(_("该资源的可服务次数已用完。"), code="resource_full")
    return _open_project(locked, actor=actor, role=role, org=resource.org, resource=resource,
                         origin=Project.Origin.ASSIGNED, fields=fields, is_demo=is_demo)


@transaction.atomic
def project_step(*, actor, project, action, reason="", now=None):
    """start / deliver / confirm / return / cancel a project. Whoever reported it done never
    confirms it; confirming meets the need, cancelling reopens it and frees the resource."""
    now = now or clock.now()
    if action not in PROJECT.transitions:
        raise Invalid(_("未知的操作。"), code="unknown_action", field="action")
    role, _unit = authorise(actor, action, project)
    refuse_second_duty(PROJECT_DUTIES, ProjectEvent, project, actor, action, PROJECT_DUTIES.labels)
    locked = lock(Project, project)
    changes = {}
    if action == "project_deliver":
        changes["result"] = text(reason, field="reason")
    if action == "project_confirm":
        changes["completed_at"] = now
    move(Project, ProjectEvent, locked, PROJECT, action, actor=actor, role=role, reason=text(reason, field="reason"), changes=changes)
    if action == "project_confirm":
        follow(Need, NeedEvent, locked.need, from_state=Need.State.MATCHED, to_state=Need.State.MET, action="met", actor=actor)
    elif action == "project_cancel":
        follow(Need, NeedEvent, locked.need, from_state=Need.State.MATCHED, to_state=Need.State.OPEN, action="reopen", actor=actor,
               reason=reason)
        if locked.resource_id:
            Resource.objects.filter(pk=locked.resource_id, used__gt=0).update(used=F("used") - 1)
    return locked


@transaction.atomic
def join_project(*, actor, project, now=None, is_demo=False):
    """A registered, confirmed member of the project's community takes a task on it (认领任务):
    once per member, never beyond `volunteers_needed` (a conditional update and a check
    constraint), only while the project is planned or in progress."""
    from ..models import ProjectMember, Registration

    if actor is None or not has_perm_anywhere(actor, perm("project_join")):
        raise NotPermitted(_("您的角色不能认领项目任务。"))
    registration = Registration.objects.filter(user=actor, community_id=project.community_id,
                                               state=Registration.State.CONFIRMED).first()
    if registration is None:
        raise NotPermitted(_("向本社区报到并经单位确认的党员才能认领任务。"), code="not_registered")
    locked = lock(Project, project)
    if locked.state not in (Project.State.PLANNED, Project.State.IN_PROGRESS):
        raise Conflict(_("该项目已不在实施中。"), code="project_closed")
    if ProjectMember.objects.filter(project=locked, registration=registration).exists():
        raise Conflict(_("您已认领该项目的任务。"), code="already_joined")
    if not Project.objects.filter(pk=locked.pk, volunteers__lt=F("volunteers_needed")).update(volunteers=F("volunteers") + 1):
        raise Conflict(_("该项目需要的党员已满。"), code="project_full")
    try:
        with transaction.atomic():
            ProjectMember.objects.create(project=locked, registration=registration, joined_at=now or clock.now(), is_demo=is_demo)
    except IntegrityError:
        raise Conflict(_("您已认领该项目的任务。"), code="already_joined") from None
    chain.append(ProjectEvent, locked, actor=actor, actor_role=Role.RESIDENT, action="project_join", from_state=locked.state,
                 to_state=locked.state, data={"registration": registration.pk, "org": registration.org_id})
    return locked
