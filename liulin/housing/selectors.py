"""Every read of housing, scoped.

- Community staff, secretary and auditors: the rounds, applications, apartments and leases of
  their community (core.permissions scopes by area).
- A resident: the rounds of his own community (a call for applications and its published
  draw are public there), and only his own applications and leases - not his household's.
- Anyone, without logging in: a drawn round's published ranks (ids, groups and lots; no
  names) and its draw file.
"""

import datetime

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils.translation import gettext as _

from liulin.core import calendar, clock
from liulin.core.attachments.models import Attachment
from liulin.core.errors import NotFound
from liulin.core.permissions import can, scoped

from .models import (
    Apartment,
    Application,
    Defect,
    Document,
    Draw,
    Inspection,
    Invoice,
    Lease,
    RenewalRequest,
    Round,
)
from .services import NOT_FOUND, RENEWAL_WINDOW_DAYS, free_apartments

AS = Application.State


def _resident(user):
    return getattr(user, "resident", None) if getattr(user, "is_authenticated", False) else None


def managed_rounds(user):
    """Rounds `user` reaches by his area (staff, secretary, auditor)."""
    if not getattr(user, "is_authenticated", False):
        return Round.objects.none()
    return scoped(user, Round.objects.all(), "housing.view")


def rounds_for(user):
    """Rounds `user` may read: of his area, or of the community he lives in."""
    resident = _resident(user)
    q = Q(pk__in=managed_rounds(user).values("pk"))
    if resident is not None and resident.household_id:
        q |= Q(community_id=resident.household.community_id)
    return Round.objects.filter(q).select_related("community").order_by("-id")


def round_for(user, pk):
    found = rounds_for(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_(NOT_FOUND))
    return found


def communities_for_rounds(user):
    """The communities in which `user` may open a call for applications (staff, secretary)."""
    from liulin.territory.models import Area

    if not getattr(user, "is_authenticated", False):
        return Area.objects.none()
    return scoped(user, Area.objects.filter(kind=Area.Kind.COMMUNITY), "housing.create").order_by("path")


def round_list(user):
    """The rounds `user` may read, with their applications counted (one query)."""
    return rounds_for(user).annotate(applications_count=Count("applications"))


def run_round_ids(user, rounds):
    """The ids among `rounds` that `user` runs (staff, secretary), in one query."""
    if not getattr(user, "is_authenticated", False) or not rounds:
        return set()
    return set(scoped(user, Round.objects.filter(pk__in=[r.pk for r in rounds]), "housing.create").values_list("pk", flat=True))


def manages(user, obj):
    """May `user` run housing (staff, secretary) where `obj` is?"""
    return getattr(user, "is_authenticated", False) and can(user, "housing.create", obj)


def applications_for(user):
    """Applications `user` may read: of his area's rounds, or his own (never a housemate's)."""
    resident = _resident(user)
    q = Q(round__in=managed_rounds(user).values("pk"))
    if resident is not None:
        q |= Q(applicant=resident)
    return Application.objects.filter(q)


def application_for(user, pk):
    found = (applications_for(user).select_related("round", "tier", "applicant", "offered_apartment")
             .prefetch_related(Prefetch("documents", queryset=Document.objects.select_related("rule").order_by("rule_id")))
             .filter(pk=pk).first())
    if found is None:
        raise NotFound(_(NOT_FOUND))
    return found


def my_applications(user):
    resident = _resident(user)
    if resident is None:
        return Application.objects.none()
    return (Application.objects.filter(applicant=resident).select_related("round", "tier", "offered_apartment")
            .order_by("-id"))


def my_application_in(user, round_):
    """The resident's live application in `round_`, or None."""
    from .models import LIVE_APPLICATION

    return my_applications(user).filter(round=round_, state__in=LIVE_APPLICATION).first()


def documents_with_files(application):
    """The checklist lines with the number of files each carries."""
    documents = list(application.documents.all())
    counts = dict(Attachment.objects.filter(owner_type__model="document", owner_type__app_label="housing",
                                            owner_id__in=[d.pk for d in documents])
                  .values_list("owner_id").annotate(n=Count("pk")))
    for document in documents:
        document.files = counts.get(document.pk, 0)
    return documents


def review_queue(round_, state=None):
    """A round's applications for the manager's queue, with tier and checklist in two queries."""
    rows = (Application.objects.filter(round=round_).select_related("tier", "applicant")
            .prefetch_related(Prefetch("documents", queryset=Document.objects.select_related("rule").order_by("rule_id")))
            .order_by("id"))
    if state:
        rows = rows.filter(state=state)
    return rows


def state_counts(round_):
    return dict(Application.objects.filter(round=round_).values_list("state").annotate(n=Count("pk")).order_by())


def current_draw(round_):
    return Draw.objects.filter(round=round_, current=True).first()


def earlier_draws(round_):
    return list(Draw.objects.filter(round=round_, current=False).order_by("id"))


def published_round(pk):
    """A drawn round, for the public ranks page (anyone)."""
    found = Round.objects.filter(pk=pk, state=Round.State.DRAWN).first()
    if found is None:
        raise NotFound(_(NOT_FOUND))
    return found


def offers(round_):
    """The round's offers and answers (offered, accepted, declined, expired, housed)."""
    return (Application.objects.filter(round=round_, offered_apartment__isnull=False).select_related("offered_apartment")
            .order_by("rank"))


def free_count(round_):
    return free_apartments(round_).count()


def leases_for(user):
    """Leases `user` may read: of his area's apartments, or his own as tenant."""
    resident = _resident(user)
    q = Q(apartment__in=scoped(user, Apartment.objects.all(), "housing.view").values("pk")) if getattr(
        user, "is_authenticated", False) else Q(pk__in=[])
    if resident is not None:
        q |= Q(tenant=resident)
    return Lease.objects.filter(q)


def lease_for(user, pk):
    found = leases_for(user).select_related("apartment", "tenant", "application").filter(pk=pk).first()
    if found is None:
        raise NotFound(_(NOT_FOUND))
    return found


def my_leases(user):
    resident = _resident(user)
    if resident is None:
        return Lease.objects.none()
    return (Lease.objects.filter(tenant=resident).select_related("apartment")
            .annotate(unpaid=Count("invoices", filter=Q(invoices__paid_at__isnull=True))).order_by("-id"))


def managed_leases(user):
    """The leases of the apartments of `user`'s area, with the unpaid invoices counted."""
    return (Lease.objects.filter(apartment__in=scoped(user, Apartment.objects.all(), "housing.view").values("pk"))
            .select_related("apartment", "tenant")
            .annotate(unpaid=Count("invoices", filter=Q(invoices__paid_at__isnull=True)))
            .order_by("apartment__number", "-id"))


def invoices(lease):
    return list(Invoice.objects.filter(lease=lease).order_by("-month"))


def inspections(lease):
    return list(Inspection.objects.filter(lease=lease).prefetch_related(
        Prefetch("defects", queryset=Defect.objects.order_by("id"))).order_by("at"))


def invoice_for(user, pk):
    found = Invoice.objects.filter(pk=pk, lease__in=leases_for(user)).select_related("lease").first()
    if found is None:
        raise NotFound(_(NOT_FOUND))
    return found


def overdue_months(lease, now=None):
    """How many of the lease's monthly invoices of past months are unpaid."""
    this_month = calendar.month_start(calendar.local_date(now or clock.now()))
    return Invoice.objects.filter(lease=lease, paid_at__isnull=True, month__lt=this_month).count()


def arrears_for(user, now=None):
    """[(lease, months overdue)] of the running leases (active, or renewed) of `user`'s area
    with unpaid invoices of past months, most months first, counted in one query."""
    this_month = calendar.month_start(calendar.local_date(now or clock.now()))
    leases = (managed_leases(user).filter(state__in=[Lease.State.ACTIVE, Lease.State.RENEWED])
              .annotate(overdue=Count("invoices", filter=Q(invoices__paid_at__isnull=True, invoices__month__lt=this_month)))
              .filter(overdue__gt=0).order_by("-overdue", "apartment__number", "id"))
    return [(lease, lease.overdue) for lease in leases]


def arrears_alerts_sent(lease):
    """[(when, months overdue)] of the arrears alerts the tenant was sent (the lease's chain)."""
    return [(event.at, (event.data or {}).get("months")) for event in lease.events.filter(action="arrears").order_by("seq")]


# --- renewals ---------------------------------------------------------------------------------


def renewal_requests(lease):
    """The lease's renewal requests, newest first (the lease was read through a selector)."""
    return list(RenewalRequest.objects.filter(lease=lease).order_by("-id"))


def renewal_request_for(user, pk):
    """A renewal request of a lease `user` may read (his own as tenant, or his area's)."""
    found = RenewalRequest.objects.filter(pk=pk, lease__in=leases_for(user)).select_related("lease").first()
    if found is None:
        raise NotFound(_(NOT_FOUND))
    return found


def renewals_due(user, today=None):
    """The active leases of `user`'s area in their renewal window, soonest end first, each
    with `requested` (an open renewal request) and `unpaid` invoices counted - one query."""
    today = today or clock.today()
    open_request = RenewalRequest.objects.filter(lease=OuterRef("pk"), state=RenewalRequest.State.REQUESTED)
    return (managed_leases(user).filter(state=Lease.State.ACTIVE, ends_on__gt=today,
                                        ends_on__lte=today + datetime.timedelta(days=RENEWAL_WINDOW_DAYS))
            .annotate(requested=Exists(open_request)).order_by("-requested", "ends_on", "id"))
