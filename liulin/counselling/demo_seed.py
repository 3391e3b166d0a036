"""Demo counselling in the 中南社区公共服务中心's 心理咨询室 (`manage.py seed_demo`).

The article names the 心理咨询室; the counsellor (account 19900000017, 何静宜), her hours and
the two appointments are invented for the demo and marked `is_demo`. She opens 50-minute
slots on the next five days the room is open (each books the room through venues as
“已预约”); the demo elder living alone (19900000014) and the demo family account
(19900000015) hold one each, the first with a note of hers (encrypted like any other).

Idempotent: nothing is added once the community has demo slots."""

import datetime

from liulin.core import calendar, clock
from liulin.core.errors import Conflict, Invalid
from liulin.venues.models import Resource

from . import services
from .models import Slot

ROOM = "心理咨询室"
COUNSELLOR = "19900000017"
CLIENTS = ("19900000014", "19900000015")
TIMES = (datetime.time(9), datetime.time(10), datetime.time(14, 30), datetime.time(15, 30))
DAYS = 5
NOTE = "初次来访：近来睡眠不好，愿意每周来谈一次。（演示）"


def seed(demo):
    counsellor = demo.users.get(COUNSELLOR)
    room = Resource.objects.filter(community=demo.community, name=ROOM).first()
    if counsellor is None or room is None or Slot.objects.filter(community=demo.community, is_demo=True).exists():
        return
    now = clock.now()
    zone = calendar.local_zone()
    day = calendar.local_date(now)
    slots = []
    while len({s.starts_at.date() for s in slots}) < DAYS and day < calendar.local_date(now) + datetime.timedelta(days=30):
        day += datetime.timedelta(days=1)
        for at in TIMES:
            try:  # a day the room is closed (a holiday) is skipped
                slots.append(services.open_slot(actor=counsellor, room=room, start=datetime.datetime.combine(day, at, tzinfo=zone),
                                                minutes=50, now=now, is_demo=True))
            except (Invalid, Conflict):
                continue
    for slot, mobile in zip(slots, CLIENTS, strict=False):
        client = demo.users.get(mobile)
        if client is None:
            continue
        appointment = services.book(actor=client, slot=slot, now=now, is_demo=True)
        if mobile == CLIENTS[0]:
            services.write_note(actor=counsellor, appointment=appointment, text=NOTE, now=now)
