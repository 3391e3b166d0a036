"""Public transparency counts (no login; the tickets themselves are read by whistle.publication)."""

from django.db.models import Count, Q

from ..models import State, Ticket


def public_counts():
    """Counts by top-level category and by grid, with how many were settled (closed or verified)."""
    settled = Q(state__in=[State.VERIFIED, State.CLOSED])
    by_category = (
        Ticket.objects.values("category__parent__name", "category__name")
        .annotate(total=Count("id"), settled=Count("id", filter=settled))
        .order_by()
    )
    merged = {}
    for r in by_category:
        name = r["category__parent__name"] or r["category__name"]
        entry = merged.setdefault(name, {"name": name, "total": 0, "settled": 0})
        entry["total"] += r["total"]
        entry["settled"] += r["settled"]
    by_grid = list(
        Ticket.objects.values("community__name", "grid__name")
        .annotate(total=Count("id"), settled=Count("id", filter=settled))
        .order_by("community__name", "grid__name")
    )
    return {
        "by_category": sorted(merged.values(), key=lambda e: (-e["total"], e["name"])),
        "by_grid": by_grid,
        "total": sum(e["total"] for e in merged.values()),
    }
