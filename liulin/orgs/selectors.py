"""Every organisation read a user triggers, narrowed with `orgs.view`. Member and party-member
counts are aggregates over the roll, never stored figures."""

from django.db.models import Count, Q

from liulin.core.permissions import get_or_404, scoped

from .models import Membership, Organisation

VIEW = "orgs.view"


def _with_counts(qs):
    return qs.annotate(
        member_count=Count("memberships", distinct=True),
        party_member_count=Count("memberships", filter=Q(memberships__is_party_member=True), distinct=True),
    )


def organisations_for(user, *, kind=None):
    qs = scoped(user, Organisation.objects.filter(is_active=True).select_related("community", "estate"), VIEW)
    if kind:
        qs = qs.filter(kind=kind)
    return _with_counts(qs).order_by("kind", "name", "id")


def organisations_by_kind(user):
    """[(kind label, [organisations])] in the order of Organisation.Kind, empty kinds left out."""
    groups = {}
    for org in organisations_for(user):
        groups.setdefault(org.kind, []).append(org)
    return [(label, groups[value]) for value, label in Organisation.Kind.choices if value in groups]


def organisation_for(user, org_id):
    return get_or_404(user, _with_counts(Organisation.objects.select_related("community", "estate", "parent")), VIEW, pk=org_id)


def members_of(user, org):
    qs = Membership.objects.filter(org=org).select_related("resident").order_by("-is_party_member", "id")
    return scoped(user, qs, VIEW)


def membership_for(user, membership_id, perm=VIEW):
    return get_or_404(user, Membership.objects.select_related("org"), perm, pk=membership_id)
