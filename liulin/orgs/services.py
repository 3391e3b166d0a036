"""Every write to organisations and their rolls. Keyword-only, acting user first, one
transaction, an audit row per change.

`actor=None` means the system (a management command or the demo seed); pages and endpoints
always pass the logged-in user, checked with `orgs.change` on the organisation itself.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from liulin.core import audit, clock
from liulin.core.errors import Conflict, Invalid, NotPermitted
from liulin.core.permissions import authorise, can

from .models import Membership, Organisation

CHANGE = "orgs.change"


def _require_change(actor, org):
    if actor is None:
        return
    authorise(actor, CHANGE, org, not_found=N_("找不到该组织，或您无权查看。"), message="您的角色不能修改该组织。")


def _clean(obj, *, exclude=None):
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as e:
        field, messages = next(iter(e.message_dict.items()))
        raise Invalid(messages[0], field=None if field == "__all__" else field) from None


def _place(*, kind, community, estate):
    """An owners' committee belongs to one estate; an estate fixes the community."""
    if kind == Organisation.Kind.OWNERS_COMMITTEE and estate is None:
        raise Invalid(_("业主委员会必须属于一个小区。"), code="estate_required", field="estate")
    if estate is not None:
        if community is not None and community.pk != estate.community_id:
            raise Invalid(f"小区“{estate.name}”不在所选社区内。", field="estate")
        community = estate.community
    return community


@transaction.atomic
def create_organisation(
    *, actor, name, kind, community=None, estate=None, parent=None, contact_phone="", description="", is_demo=False
):
    if kind not in Organisation.Kind.values:
        raise Invalid(f"未知的组织类型：{kind}", field="kind")
    org = Organisation(
        name=(name or "").strip(),
        kind=kind,
        community=_place(kind=kind, community=community, estate=estate),
        estate=estate,
        parent=parent,
        contact_phone=(contact_phone or "").strip(),
        description=description or "",
        is_demo=is_demo,
    )
    _clean(org)
    try:
        with transaction.atomic():
            org.save()
    except IntegrityError:
        raise Conflict(f"该区域已有同名的{org.get_kind_display()}“{org.name}”。", code="duplicate_org") from None
    # Decided on the saved row, so the one permission layer answers with the org's own scope;
    # a refusal rolls the insert back.
    if actor is not None and not can(actor, CHANGE, org):
        raise NotPermitted(_("您不能在该区域新建组织。"))
    audit.record(actor=actor, action="org.create", target=org, kind=kind, name=org.name)
    return org


@transaction.atomic
def add_member(
    *, actor, org, resident=None, user=None, name="", title="成员", is_party_member=None, joined_on=None, is_demo=False
):
    """Put a person on an organisation's roll: a resident of the registry, an account, or just a
    name (members from outside the community, such as a partner unit's staff)."""
    _require_change(actor, org)
    name = (name or "").strip() or (resident.name if resident else "") or (user.name if user else "")
    if not name:
        raise Invalid(_("请填写成员姓名，或选择一位居民。"), field="name")
    if is_party_member is None:
        is_party_member = bool(resident and resident.is_party_member)
    if resident is not None and Membership.objects.filter(org=org, resident=resident).exists():
        raise Conflict(f"{resident.name}已是“{org.name}”的成员。", code="already_member", field="resident")
    membership = Membership(
        org=org,
        resident=resident,
        user=user,
        name=name,
        title=(title or "").strip() or "成员",
        is_party_member=is_party_member,
        joined_on=joined_on or clock.today(),
        is_demo=is_demo,
    )
    _clean(membership, exclude=["org", "resident", "user"])
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:
        raise Conflict(f"{name}已是“{org.name}”的成员。", code="already_member", field="resident") from None
    audit.record(actor=actor, action="org.member_add", target=org, member=name, title=membership.title)
    return membership


@transaction.atomic
def remove_member(*, actor, membership):
    org = membership.org
    _require_change(actor, org)
    audit.record(actor=actor, action="org.member_remove", target=org, member=membership.name, title=membership.title)
    membership.delete()
