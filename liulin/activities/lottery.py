"""The public lottery of an oversubscribed class: fair, reproducible, checkable by anyone.

1. When applications open, the organiser publishes a value nobody controls or knows yet
   at that moment would be better; at least one fixed before the applicant list closes
   and announced (e.g. a lottery number drawn that evening, or the closing figure of a
   published index). It is stored and shown on the class page (`draw_public_value`).
2. At the draw the applicant list is fixed and hashed: SHA-256 over the lines
   "enrolment id:resident id:tier", in enrolment-id order (`draw_applicants_hash`).
3. The seed is SHA-256("<public value>|<applicants hash>") (`draw_seed`). Neither the
   organiser (who cannot choose the public value) nor an applicant (who cannot know it when
   the list is fixed) can steer it.
4. Each applicant's lot is SHA-256("<seed>:<enrolment id>"); applicants are ranked by
   (tier, lot). Tier 0 are students applying for their first class this term, tier 1 for a
   further class, tiers 2 and 3 the same under the no-show restriction.
5. The first `capacity - reserved - taken` ranks get places (confirmed); the rest join the
   waiting list in rank order, ahead of anyone who enrols later.

The same inputs always give the same ranks; `manage.py verify_draw <activity id>` recomputes
them from the stored list and says whether the published result holds.
"""

from django.db.models import F

from liulin.core import clock
from liulin.core.lottery import applicants_hash, ranking, seed_of

from .models import Activity, Enrolment

E = Enrolment.State


def draw(activity, *, actor):
    """Rank the applicants and give out the free places; the activity is held by the caller
    (services.act_on_activity, under its row lock)."""
    from .services import _step

    applied = list(Enrolment.objects.filter(activity=activity, state=E.APPLIED).select_related("resident"))
    rows = [(e.pk, e.resident_id, e.tier) for e in applied]
    list_hash = applicants_hash(rows)
    seed = seed_of(activity.draw_public_value, list_hash)
    order = ranking(seed, rows)
    current = Activity.objects.filter(pk=activity.pk).values("capacity", "reserved", "taken", "arrivals").get()
    free = max(0, current["capacity"] - current["reserved"] - current["taken"])
    by_pk = {e.pk: e for e in applied}
    winners = order[:free]
    # Tickets follow the lottery order, after every earlier arrival, so the waiting list is
    # in rank order and anyone enrolling later queues behind it.
    base = current["arrivals"]
    Activity.objects.filter(pk=activity.pk).update(
        taken=F("taken") + len(winners), arrivals=F("arrivals") + len(order),
        draw_applicants_hash=list_hash, draw_seed=seed, drawn_at=clock.now(),
    )
    # The new numbers lie above every ticket given so far, so the unique (activity, ticket)
    # never meets a half-renumbered list.
    for rank, pk in enumerate(order, start=1):
        Enrolment.objects.filter(pk=pk).update(ticket=base + rank, draw_rank=rank)
    for rank, pk in enumerate(order, start=1):
        enrolment = by_pk[pk]
        enrolment.draw_rank = rank
        _step(enrolment, "allot" if pk in winners else "draw_wait", actor=None, rank=rank, seed=seed)
    activity.draw_seed, activity.draw_applicants_hash = seed, list_hash
    return order


def verify(activity):
    """(holds, expected order, stored order): the draw recomputed from the stored inputs."""
    drawn = list(Enrolment.objects.filter(activity=activity, draw_rank__isnull=False).values_list("pk", "resident_id", "tier", "draw_rank"))
    rows = [(pk, resident, tier) for pk, resident, tier, _rank in drawn]
    list_hash = applicants_hash(rows)
    seed = seed_of(activity.draw_public_value, list_hash)
    expected = ranking(seed, rows)
    stored = [pk for pk, *_rest, rank in sorted(drawn, key=lambda r: r[3])]
    holds = list_hash == activity.draw_applicants_hash and seed == activity.draw_seed and expected == stored
    return holds, expected, stored
