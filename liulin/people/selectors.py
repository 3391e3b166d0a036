"""Every read of the resident registry a user triggers, narrowed to what that user may see.

Pages, the API and the xlsx export all start from `residents_for`, so they show exactly the
same rows to the same person.
"""

import re

from django.db.models import BooleanField, ExpressionWrapper, Prefetch, Q, Value
from django.db.models.functions import Concat

from liulin.core import audit
from liulin.core.permissions import NOTHING, can, get_or_404, scope_q, scoped
from liulin.orgs.models import Organisation
from liulin.territory.models import Area, Building

from .models import CareTag, Resident

PHONE_TAIL_RE = re.compile(r"^\d{3,11}$")
PINYIN_RE = re.compile(r"^[a-z]+$")
MAX_TERMS = 5
# The digits of a phone every role sees: the tail of core.masking.mask_phone.
SEEN_PHONE_DIGITS = 4
FULL_PHONE_DIGITS = 11


def _with_relations(user, queryset):
    # One join for the address and the branch, one query for all care tags of the page.
    queryset = queryset.select_related("household__building__estate", "party_branch").prefetch_related(
        Prefetch("care_tags", queryset=CareTag.objects.order_by("sort", "name"))
    )
    return queryset.annotate(id_revealable=_perm_flag(user, "people.reveal_id"))


def _perm_flag(user, perm):
    """A per-row boolean: may `user` `perm` this resident (read in the same query as the row)."""
    q = scope_q(user, perm, Resident)
    if q == NOTHING:
        return Value(False)
    if not q:
        return Value(True)
    return ExpressionWrapper(q, output_field=BooleanField())


def shown_birth_date(resident):
    """The birth date, for those who may reveal the resident's ID number; None for the rest.

    The birth date is digits 7-14 of the ID number: beside the mask it would leave a handful
    of numbers to try, so a role without the reveal sees the age (`Resident.age`) instead.
    Rows come from this module's selectors, which set `id_revealable`."""
    return resident.birth_date if getattr(resident, "id_revealable", False) else None


def residents_for(user, perm="people.view"):
    return scoped(user, Resident.objects.all(), perm)


def phone_q(user, digits):
    """The residents whose mobile ends with `digits` (a full number matches exactly), as far
    as `user` may search them; None when he may not search on these digits at all.

    A match on the last four - what every mask shows - is open to anyone who sees the row. A
    longer match tests hidden digits: answering "any 5-digit tail ending 0124?" one guessed
    digit at a time rebuilds a masked number in a few dozen requests. So it reaches only the
    residents whose phone `user` may reveal, and each such search is written to the access
    log, like a reveal."""
    if len(digits) <= SEEN_PHONE_DIGITS:
        return Q(mobile__endswith=digits)
    revealable = scope_q(user, "people.reveal_phone", Resident)
    if revealable == NOTHING:
        return None
    audit.record_search(actor=user, model=Resident, field="mobile", term=digits)
    match = Q(mobile=digits) if len(digits) == FULL_PHONE_DIGITS else Q(mobile__endswith=digits)
    return match & revealable


def residents_with_phone(user, digits, *, perm="people.view"):
    """Residents `user` may see with this full mobile number or these last four digits (a
    caller's number on the hotline); none for any other length."""
    if len(digits) not in (SEEN_PHONE_DIGITS, FULL_PHONE_DIGITS) or not digits.isdigit():
        return Resident.objects.none()
    q = phone_q(user, digits)
    return Resident.objects.none() if q is None else residents_for(user, perm).filter(q)


def _term_q(user, term):
    """One search word matches a name, pinyin, a phone tail or an address."""
    q = Q(name__contains=term) | Q(address_text__contains=term)
    lowered = term.lower()
    if PINYIN_RE.match(lowered):
        q |= Q(name_initials__startswith=lowered) | Q(name_pinyin__startswith=lowered)
        if len(lowered) >= 2:
            q |= Q(name_initials__contains=lowered) | Q(name_pinyin__contains=lowered)
    if PHONE_TAIL_RE.match(term):
        phone = phone_q(user, term)
        if phone is not None:
            q |= phone
    return q


def search_residents(user, q="", *, perm="people.view"):
    """Residents `user` may see whose name, pinyin (全拼 or 首字母), phone tail or address match `q`.

    Every word of `q` must match, so "中南小苑 zs" narrows to 张三 of 中南小苑. Phone digits
    beyond the last four match only where `user` may reveal the phone, and are logged (`phone_q`).
    """
    residents = _with_relations(user, residents_for(user, perm))
    terms = (q or "").split()[:MAX_TERMS]
    if not terms:
        return residents
    residents = residents.annotate(
        address_text=Concat(
            "household__building__estate__name", "household__building__name", "household__room", Value("室")
        )
    )
    for term in terms:
        residents = residents.filter(_term_q(user, term))
    return residents


def resident_for(user, pk):
    return get_or_404(user, _with_relations(user, Resident.objects.all()), "people.view", pk=pk)


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
