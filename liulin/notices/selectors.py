"""Every read of 公示, scoped: staff by their communities, a resident to the published
notices of his own community and his household's receipts."""

from django.db.models import Count, Max, Q
from django.utils.translation import gettext as _

from liulin.core import calendar, clock, publication
from liulin.core.errors import NotFound
from liulin.core.permissions import NOT_FOUND, has_perm_anywhere, scope_q

from .models import SCHEDULE_MONTHS, CatalogueItem, Notice, NoticeVersion, Objection, Receipt, State
from .workflow import NOTICE

VISIBLE_TO_RESIDENTS = (State.PUBLISHED, State.FINALISED)


def household_of(user):
    resident = getattr(user, "resident", None) if getattr(user, "resident_id", None) else None
    return getattr(resident, "household", None) if resident else None


def resident_q(user):
    household = household_of(user)
    if household is None:
        return None
    return Q(community_id=household.community_id, state__in=VISIBLE_TO_RESIDENTS)


def may_open(user):
    return bool(getattr(user, "is_authenticated", False)) and (
        has_perm_anywhere(user, NOTICE.perm("view")) or household_of(user) is not None)


def notices_for(user):
    q = scope_q(user, NOTICE.perm("view"), Notice)
    resident = resident_q(user)
    if resident is not None:
        q |= resident
    for origin in publication.origins():
        if origin.readers and getattr(user, "is_authenticated", False):  # e.g. an owner on a vote's roll living elsewhere
            q |= Q(origin=origin.code, subject_id__in=origin.readers(user), state__in=VISIBLE_TO_RESIDENTS)
    return (Notice.objects.filter(q).select_related("community", "kind")
            .annotate(open_objections=Count("objections", filter=Q(objections__answered_at__isnull=True)))
            .order_by("-created_at", "-pk"))


def notice_for(user, pk):
    notice = notices_for(user).filter(pk=pk).first()
    if notice is None:
        raise NotFound(_(NOT_FOUND))
    return notice


def current_version(notice):
    return notice.versions.order_by("-number").first()


def versions_of(notice):
    return NoticeVersion.objects.filter(notice=notice).order_by("-number")


def objections_of(user, notice):
    """Staff see every objection of a notice they see; a resident only his own."""
    found = Objection.objects.filter(notice=notice).order_by("raised_at", "pk")
    if scope_q(user, NOTICE.perm("view"), Notice) and notices_for_staff(user).filter(pk=notice.pk).exists():
        return found
    return found.filter(raised_by=user)


def notices_for_staff(user):
    return Notice.objects.filter(scope_q(user, NOTICE.perm("view"), Notice))


def objection_for(user, pk):
    objection = Objection.objects.filter(pk=pk, notice__in=notices_for_staff(user)).select_related("notice").first()
    if objection is None:
        raise NotFound(_(NOT_FOUND))
    return objection


def overdue_objections(user, *, now=None):
    now = now or clock.now()
    return Objection.objects.filter(notice__in=notices_for_staff(user), answered_at__isnull=True, answer_due__lt=now)


def posting_photos(notice):
    """The photos of the paper notice on the board (staff only: the caller has checked)."""
    from liulin.core.attachments.selectors import for_owner

    return for_owner(notice, stage="posting")


def receipts_of(user, notice):
    """Staff: every household's receipts of the notice; a resident: his household's."""
    found = Receipt.objects.filter(notice=notice).select_related("household").order_by("household_id", "channel")
    if notices_for_staff(user).filter(pk=notice.pk).exists():
        return found
    household = household_of(user)
    return found.filter(household=household) if household else found.none()


def receipt_summary(notice):
    """{households, delivered, read}: households of the community reached by any channel, and
    households of which someone read it — counted from the receipts."""
    rows = Receipt.objects.filter(notice=notice)
    return {
        "delivered": rows.values("household").distinct().count(),
        "read": rows.filter(read_at__isnull=False).values("household").distinct().count(),
    }


# --- 居务公开目录 ------------------------------------------------------------------------


def catalogue_for(user):
    return CatalogueItem.objects.filter(scope_q(user, NOTICE.perm("view"), CatalogueItem)).select_related("kind", "community")


def schedule(user, *, today=None):
    """[(item, last published date or None, next due date, overdue)] for the user's catalogue:
    an item is due one schedule interval after its last publication (or its start), and overdue
    when that day has passed with nothing published."""
    today = today or clock.today()
    items = list(catalogue_for(user).annotate(last=Max("notices__published_at", filter=Q(notices__state__in=VISIBLE_TO_RESIDENTS))))
    rows = []
    for item in items:
        last = calendar.local_date(item.last) if item.last else None
        due = calendar.add_months(last or item.since, SCHEDULE_MONTHS[item.schedule])
        rows.append((item, last, due, due < today))
    return rows


def communities_for_publishing(user):
    """The communities under the areas where `user` may create notices."""
    from liulin.core.permissions import active_assignments, roles_with
    from liulin.territory.models import Area

    queryset = Area.objects.filter(kind=Area.Kind.COMMUNITY).order_by("path")
    if getattr(user, "is_superuser", False):
        return queryset
    roles = roles_with(NOTICE.perm("create"))
    q = Q(pk__in=[])
    for a in active_assignments(user):
        if a.role in roles and a.area_id:
            q |= Q(path__startswith=a.area.path)
    return queryset.filter(q)


def kinds():
    from .models import NoticeKind

    return NoticeKind.objects.order_by("code")


def public_notices(community_id):
    """The published notices of a community, as anyone may see them (no login)."""
    return Notice.objects.filter(community_id=community_id, state__in=VISIBLE_TO_RESIDENTS)


def public_notices_any():
    """Published notices of any community, for the public page of one of them."""
    return Notice.objects.filter(state__in=VISIBLE_TO_RESIDENTS)
