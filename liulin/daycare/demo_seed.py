"""Demo day care at the 雷锋驿站 (`manage.py seed_demo`).

From the article: the 雷锋驿站 beside 同心公园 has a 日间照料中心. The number of places (20 a
weekday), the elders enrolled (residents of the demo roll living alone, aged 75 and over),
their weekly days and the care notes are invented for the demo and marked `is_demo`. The
demo elder living alone (account 19900000014) is enrolled with the demo family account
(19900000015) as her consented family contact; community worker 刘静 (19900000002) is on
the centre's care staff.

Idempotent: the centre is found by its name, an elder's enrolment by (centre, elder).
"""

from liulin.core import chain, clock, crypto
from liulin.people.models import Resident

from .models import Centre, DayPlace, Enrolment, EnrolmentEvent, FamilyContact

CENTRE = "雷锋驿站日间照料中心"
CAPACITY = 20
ELDERS = 12
CARER = "19900000002"
ELDER_ACCOUNT, FAMILY_ACCOUNT = "19900000014", "19900000015"
PLANS = ["01234", "024", "13", "0123", "24"]


def seed(demo):
    community = demo.community
    centre, created = Centre.objects.get_or_create(
        community=community, name=CENTRE, defaults={"address": "同心公园旁雷锋驿站", "is_demo": True})
    if created:
        DayPlace.objects.bulk_create([DayPlace(centre=centre, weekday=d, capacity=CAPACITY) for d in range(5)])
    carer = demo.users.get(CARER)
    if carer is not None:
        centre.staff.add(carer)
    if Enrolment.objects.filter(centre=centre).exists():
        return
    elder_user, family = demo.users.get(ELDER_ACCOUNT), demo.users.get(FAMILY_ACCOUNT)
    today = clock.today()
    chosen = [demo.resident_ids[p.id_number] for p in demo.people
              if "living-alone-elderly" in p.care_tags and (today - p.birth_date).days >= 75 * 365][:ELDERS]
    first = getattr(elder_user, "resident_id", None) if elder_user else None
    if first and first not in chosen:
        chosen = [first, *chosen[: ELDERS - 1]]
    elif first:
        chosen = [first, *[c for c in chosen if c != first]]
    rows = [Enrolment(centre=centre, elder_id=pk, state=Enrolment.State.ACTIVE, days=PLANS[i % len(PLANS)],
                      care_tags="独居,高龄（演示）", care_plan="午餐、午休、每日量血压、下午手工或健身操（演示）",
                      health_cipher=crypto.encrypt("高血压，按时服药（演示）"), enrolled_by=carer, is_demo=True)
             for i, pk in enumerate(chosen)]
    Enrolment.objects.bulk_create(rows)
    made = list(Enrolment.objects.filter(centre=centre).order_by("pk"))
    taken = {d: sum(str(d) in e.days for e in made) for d in range(5)}
    for d, n in taken.items():
        DayPlace.objects.filter(centre=centre, weekday=d).update(taken=n)
    names = dict(Resident.objects.filter(pk__in=chosen).values_list("pk", "name"))
    contacts = [FamilyContact(enrolment=e, name=f"{names.get(e.elder_id, '')}家属（演示）"[:32], relation="子女",
                              phone_cipher=crypto.encrypt("13900000000"),
                              user=family if (family and e.elder_id == first) else None,
                              consented_at=clock.now() if (family and e.elder_id == first) else None)
                for e in made]
    FamilyContact.objects.bulk_create(contacts)
    chain.append_many(EnrolmentEvent, [(e, {"actor": carer, "action": "enrol", "data": {"state": "active", "demo": True}})
                                       for e in made])
