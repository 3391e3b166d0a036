"""Organisations API (/api/v1/orgs): scoped lists with counts from aggregates, rolls without
phone numbers."""

from ninja import Router
from ninja.pagination import paginate
from ninja.responses import Status

from liulin.core.permissions import get_or_404
from liulin.people.models import Resident

from . import selectors, services
from .models import Organisation
from .schemas import MemberIn, MemberOut, OrganisationDetailOut, OrganisationOut

router = Router(tags=["orgs"])


@router.get("/", response=list[OrganisationOut], summary="组织列表（可按类型筛选）")
@paginate
def organisation_list(request, kind: Organisation.Kind | None = None):
    return selectors.organisations_for(request.user, kind=kind)


@router.get("/{int:org_id}", response=OrganisationDetailOut, summary="组织详情与成员")
def organisation_detail(request, org_id: int):
    org = selectors.organisation_for(request.user, org_id)
    org.members = list(selectors.members_of(request.user, org))
    return org


@router.post("/{int:org_id}/members", response={201: MemberOut}, summary="添加成员")
def member_add(request, org_id: int, payload: MemberIn):
    org = selectors.organisation_for(request.user, org_id)
    resident = None
    if payload.resident_id is not None:
        resident = get_or_404(request.user, Resident.objects.all(), "people.view", pk=payload.resident_id)
    membership = services.add_member(
        actor=request.user,
        org=org,
        resident=resident,
        name=payload.name,
        title=payload.title,
        is_party_member=payload.is_party_member,
    )
    return Status(201, membership)


@router.delete("/members/{int:membership_id}", response={204: None}, summary="移除成员")
def member_remove(request, membership_id: int):
    services.remove_member(actor=request.user, membership=selectors.membership_for(request.user, membership_id))
    return Status(204, None)
