"""Every read of the resident registry a user triggers, narrowed to what that user may see.

Pages, the API and the xlsx export all start from `residents_for`, so they show exactly the
same rows to the same person.
"""

import re

from django.db.models import Prefetch, Q, Value
from django.db.models.functions import Concat

from liulin.core.permissions import can, get_or_404, scoped
from liulin.orgs.models import Organisation
from liulin.territory.models import Area, Building

from .models import CareTag, Resident

PHONE_TAIL_RE = re.compile(r"^\d{3,11}$")
PINYIN_RE = re.compile(r"^[a-z]+$")
MAX_TERMS = 5


def _with_relations(queryset):
    # One join for the address and the branch, one query for all care tags of the page.
    return queryset.select_related("household__building__estate", "party_branch").prefetch_related(
        Prefetch("care_tags", queryset=CareTag.objects.order_by("sort", "name"))
    )


def residents_for(user, perm="people.view"):
    return scoped(user, Resident.objects.all(), perm)


def _term_q(term):
    """One search word matches a name, pinyin, a phone tail or an address."""
    q = Q(name__contains=term) | Q(address_text__contains=term)
    lowered = term.lower()
    if PINYIN_RE.match(lowered):
        q |= Q(name_initials__startswith=lowered) | Q(name_pinyin__startswith=lowered)
        if len(lowered) >= 2:
            q |= Q(name_initials__contains=lowered) | Q(name_pinyin__contains=lowered)
    if PHONE_TAIL_RE.match(term):
        q |= Q(mobile__endswith=term)
    return q


def search_residents(user, q="", *, perm="people.view"):
    """Residents `user` may see whose name, pinyin (全拼 or 首字母), phone tail or address match `q`.

    Every word of `q` must match, so "中南小苑 zs" narrows to 张三 of 中南小苑.
    """
    residents = _with_relations(residents_for(user, perm))
    terms = (q or "").split()[:MAX_TERMS]
    if not terms:
        return residents
    residents = residents.annotate(
        address_text=Concat(
            "household__building__estate__name", "household__building__name", "household__room", Value("室")
        )
    )
    for term in terms:
        residents = residents.filter(_term_q(term))
    return residents


def resident_for(user, pk):
    return get_or_404(user, _with_relations(Resident.objects.all()), "people.view", pk=pk)


def household_members(user, resident):
    """The other people of the resident's household that `user` may see."""
    if resident.household_id is None:
        return Resident.objects.none()
    return (
        residents_for(user)
        .filter(household_id=resident.household_id)
        .exclude(pk=resident.pk)
        .order_by("relation", "birth_date")
    )


def reveal_choices(user, resident):
    """Which of the resident's masked fields `user` may reveal: a subset of ("mobile", "id_number")."""
    from .services import REVEALABLE

    return [field for field, perm in REVEALABLE.items() if can(user, perm, resident)]


def buildings_for(user, perm="people.change"):
    """Buildings in which `user` may register residents (the form's building choices)."""
    return scoped(user, Building.objects.select_related("estate"), perm).order_by("estate__name", "name")


def party_branches_for(user, perm="people.change"):
    """Party branches of the communities where `user` may register residents."""
    community_ids = buildings_for(user, perm).values("community_id")
    return Organisation.objects.filter(kind=Organisation.Kind.PARTY_BRANCH, community_id__in=community_ids)


def communities_for(user, perm):
    """Communities in which `user` holds `perm` on some building (imports are per community)."""
    return Area.objects.filter(
        kind=Area.Kind.COMMUNITY, pk__in=scoped(user, Building.objects.all(), perm).values("community_id")
    ).order_by("path")


def care_tags():
    return CareTag.objects.order_by("sort", "name")
