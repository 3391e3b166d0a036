"""A deterministic city for the benchmarks: districts > subdistricts > communities > grids >
estates > buildings, property companies, departments and community offices, staff users with
their scoped roles, and N work orders with their hash-chained events, callbacks and KPI rollups.

Everything comes from one seed (``random.Random``), so the same parameters give the same
city, byte for byte. Loading: COPY on PostgreSQL (psycopg3 ``cursor.copy``), ``executemany``
on SQLite, with the plain indexes of the big tables dropped during the load and rebuilt
after. The KPI rollups are then computed by one aggregate INSERT ... SELECT over the
generated events, not by replaying events in Python (the tests check that both agree).

A marker table (``bench_marker``) records the parameters; ``ensure()`` skips generation
when they match what is already loaded.

Ticket life cycles (two years of history before ``now``):
- history: ~86% closed after a callback (some urged, some late and escalated, some
  unsatisfied or not rated), then merged, withdrawn and forwarded (from submitted) and
  closed as unresolvable (from in progress);
- open (the most recent ``open`` tickets, filed in the 30 days before ``now``): submitted,
  dispatched, accepted, in progress, suspended, resolved and verified, with overdue flags,
  escalations and reminders exactly as the sweep would have left them at ``now``.
"""

import bisect
import dataclasses
import datetime
import hashlib
import itertools
import json
import os
import random
import time
from zoneinfo import ZoneInfo

from django.db import connection, transaction

LOCAL = ZoneInfo("Asia/Shanghai")
UTC = datetime.UTC
LOCAL_OFFSET = 8 * 3600  # Asia/Shanghai has no daylight saving
DAY = 86400
GENESIS = "0" * 64
MARKER_TABLE = "bench_marker"
CODE = "BC"  # the bench city's area code; every generated code starts with it


@dataclasses.dataclass(frozen=True)
class Params:
    tickets: int = 1_000_000
    open: int = 250_000
    seed: int = 20260101
    districts: int = 8
    subdistricts: int = 6  # per district
    communities: int = 8  # per subdistrict
    grids: int = 8  # per community
    buildings: int = 4  # per grid
    now: str = "2026-11-03T10:00:00+08:00"  # a Tuesday morning: deadlines fall all the time

    @property
    def now_ts(self):
        return int(datetime.datetime.fromisoformat(self.now).timestamp())

    def as_json(self):
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @classmethod
    def from_env(cls, **defaults):
        values = dict(defaults)
        for f in dataclasses.fields(cls):
            raw = os.environ.get(f"BENCH_{f.name.upper()}")
            if raw:
                values[f.name] = raw if f.type == "str" or f.type is str else int(raw.replace("_", ""))
        params = cls(**values)
        if params.open > params.tickets:
            params = dataclasses.replace(params, open=params.tickets // 4)
        return params


# --- marker -------------------------------------------------------------------------------


def marker():
    """The parameters the database was generated with (a dict), or None."""
    with connection.cursor() as cursor:
        if MARKER_TABLE not in connection.introspection.table_names(cursor):
            return None
        cursor.execute(f"SELECT params, stats FROM {MARKER_TABLE} WHERE name = 'city'")
        row = cursor.fetchone()
    return {"params": json.loads(row[0]), "stats": json.loads(row[1])} if row else None


def _write_marker(params, stats):
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (name varchar(32) PRIMARY KEY, params text, stats text)")
        cursor.execute(f"DELETE FROM {MARKER_TABLE} WHERE name = 'city'")
        cursor.execute(f"INSERT INTO {MARKER_TABLE} (name, params, stats) VALUES ('city', %s, %s)", [params.as_json(), json.dumps(stats)])


def ensure(params, *, keep_events=True, log=print):
    """Generate the city unless the database already holds one made with `params`. Returns stats.
    `keep_events=False`: count each chunk's events into the rollups, then drop them (see
    `generate`)."""
    found = marker()
    if found is not None and found["params"] == json.loads(params.as_json()):
        if keep_events and not found["stats"].get("events_kept", True):
            raise RuntimeError("the database holds this city without its events (a KPI-only load); reset it first")
        log(f"data: reusing the generated city ({found['stats'].get('tickets')} tickets, {found['stats'].get('events')} events)")
        return found["stats"]
    if found is not None:
        raise RuntimeError("the database holds a city generated with other parameters; reset it first")
    return generate(params, keep_events=keep_events, log=log)


# --- working time (the default calendar, preloaded: the generator cannot query per ticket) ---


class WorkTime:
    """`core.calendar.add_working_time` on epoch seconds, with the calendar read once."""

    def __init__(self):
        from liulin.core.calendar import default_calendar, is_workday, sessions

        calendar = default_calendar()
        self.sessions = [(s.hour * 3600 + s.minute * 60, e.hour * 3600 + e.minute * 60) for s, e in sessions(calendar)]
        self._is_workday = lambda ordinal: is_workday(datetime.date.fromordinal(ordinal), calendar)
        self.workdays = {}  # ordinal -> worked (statutory calendar and overrides, asked once per day)

    def _workday(self, ordinal):
        found = self.workdays.get(ordinal)
        if found is None:
            found = self.workdays[ordinal] = self._is_workday(ordinal)
        return found

    def add(self, ts, minutes):
        local = ts + LOCAL_OFFSET
        day_index, second = divmod(local, DAY)
        ordinal = day_index + 719163  # date(1970, 1, 1).toordinal()
        remaining = minutes * 60
        for _ in range(3660):
            if self._workday(ordinal):
                for start, end in self.sessions:
                    begin = max(start, second)
                    if begin >= end:
                        continue
                    if remaining <= end - begin:
                        return (ordinal - 719163) * DAY + begin + remaining - LOCAL_OFFSET
                    remaining -= end - begin
            ordinal += 1
            second = 0
        raise RuntimeError("calendar without working days")


# --- hashing (the same canonical form as whistle.events.compute_hash) ----------------------


def _iso(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)) + ".000000+00:00"


def _json_dt(ts):
    """A deadline as DjangoJSONEncoder writes an aware UTC datetime into event data."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


_JS = {}


def _js(value):
    """JSON of a short string or None, memoised (the generator repeats a few hundred)."""
    found = _JS.get(value)
    if found is None:
        found = _JS[value] = json.dumps(value, ensure_ascii=False)
    return found


def canonical_data(data):
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")) if data else "{}"


def fast_hash(ticket_id, seq, ts, actor_id, actor_role, action, from_state, to_state, reason, data_json, internal, prev_hash):
    """`event_hash` with the canonical JSON put together by hand (keys in sorted order)."""
    canonical = (
        f'{{"action":{_js(action)},"actor_id":{"null" if actor_id is None else actor_id},"actor_role":{_js(actor_role)},'
        f'"at":"{_iso(ts)}","data":{data_json},"from_state":{_js(from_state)},"internal":{"true" if internal else "false"},'
        f'"prev_hash":"{prev_hash}","reason":{_js(reason)},"seq":{seq},"ticket_id":{ticket_id},"to_state":{_js(to_state)}}}'
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def event_hash(ticket_id, seq, ts, actor_id, actor_role, action, from_state, to_state, reason, data, internal, prev_hash):
    canonical = json.dumps(
        {
            "ticket_id": ticket_id,
            "seq": seq,
            "at": _iso(ts),
            "actor_id": actor_id,
            "actor_role": actor_role,
            "action": action,
            "from_state": from_state,
            "to_state": to_state,
            "reason": reason,
            "data": data,
            "internal": internal,
            "prev_hash": prev_hash,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --- the territory, organisations and staff ---------------------------------------------------

DEPARTMENTS = [("城管执法局", "illegal-building"), ("市政市容委", "municipal"), ("住建委", None), ("市场监管局", None)]
DESCRIPTIONS = {
    "property-elevator": ["{b}电梯停运，老人上下楼困难", "{b}电梯门异响，请尽快检修", "{b}电梯困人，已自行脱困，请排查"],
    "property-corridor": ["{b}楼道堆放杂物，影响通行", "{b}楼道垃圾多日未清扫"],
    "property-leak": ["{b}楼上漏水，天花板渗水", "{b}水管破裂漏水"],
    "property-access": ["{b}门禁坏了，外来人员随意进出", "小区道闸故障，车辆进出排队"],
    "property-greening": ["{b}旁树木需要修剪，遮挡采光", "草坪枯黄无人养护"],
    "municipal-streetlight": ["{b}附近路灯不亮，夜间出行不便", "小区门口路灯闪烁"],
    "municipal-manhole": ["{b}门口井盖破损，存在安全隐患", "人行道窨井盖缺失"],
    "municipal-road": ["小区外道路坑洼，雨天积水", "人行道破损，老人易摔倒"],
    "utilities-water": ["{b}停水一天，没有通知", "{b}自来水水压太低"],
    "utilities-power": ["{b}突然停电，电表跳闸", "{b}经常停电"],
    "utilities-gas": ["{b}楼道有燃气味道，疑似漏气", "燃气表故障"],
    "utilities-heating": ["{b}暖气不热，室温偏低", "供暖管道漏水"],
    "sanitation": ["{b}垃圾桶满溢，异味严重", "垃圾清运不及时"],
    "noise": ["夜间广场舞噪音扰民", "{b}装修施工噪音，周末早上七点开工"],
    "dispute": ["{b}邻里因漏水发生纠纷，请社区调解", "楼上楼下因噪音吵架"],
    "illegal-building": ["{b}顶楼私搭乱建", "一楼住户占用公共绿地搭建"],
    "safety": ["{b}楼道电动车充电飞线", "消防通道被占用"],
    "help-elderly-disabled": ["独居老人行动不便，需要助餐服务", "残疾人家庭需要上门帮扶"],
    "help-other": ["求助：孩子入学咨询", "求助：办理居住证"],
}


def _bulk(model, objs, batch=2000):
    return model.objects.bulk_create(objs, batch_size=batch)


def build_city(params, rng, log):
    """Areas, grids, estates, buildings, organisations, users and role assignments."""
    from liulin.accounts.models import RoleAssignment, User
    from liulin.orgs.models import Organisation
    from liulin.territory.models import Area, Building, Estate, Grid
    from liulin.whistle.models import Category, RoutingRule
    from liulin.whistle.routing import COMMUNITY_OFFICE_SUFFIX

    city = Area(kind="city", code=CODE, name="六邻市", path=f"/{CODE}/")
    city.save()
    districts = _bulk(
        Area, [Area(kind="district", code=f"{CODE}{d:02d}", name=f"第{d + 1}区", parent=city, path=f"/{CODE}/{CODE}{d:02d}/")
               for d in range(params.districts)]
    )
    subs = _bulk(
        Area,
        [Area(kind="subdistrict", code=f"{d.code}{s:02d}", name=f"{d.name}{s + 1}街道", parent=d, path=f"{d.path}{d.code}{s:02d}/")
         for d in districts for s in range(params.subdistricts)],
    )
    communities = _bulk(
        Area,
        [Area(kind="community", code=f"{s.code}{c:02d}", name=f"{s.name}{c + 1}社区", parent=s, path=f"{s.path}{s.code}{c:02d}/")
         for s in subs for c in range(params.communities)],
    )
    side = 0.004
    grid_objs, n = [], 0
    for community in communities:
        for g in range(params.grids):
            lon, lat = 116.0 + (n % 200) * side, 39.4 + (n // 200) * side
            ring = [[lon, lat], [lon + side, lat], [lon + side, lat + side], [lon, lat + side], [lon, lat]]
            grid_objs.append(
                Grid(community=community, code=f"{community.code}G{g:02d}", name=f"{community.name}{g + 1}网格",
                     boundary={"type": "Polygon", "coordinates": [ring]})
            )
            n += 1
    grids = _bulk(Grid, grid_objs)
    estates = _bulk(Estate, [Estate(community=c, name=f"{c.name}{e + 1}号小区") for c in communities for e in range(2)])
    estates_of = {}
    for e in estates:
        estates_of.setdefault(e.community_id, []).append(e)
    building_objs = []
    for grid in grids:
        lon, lat = grid.boundary["coordinates"][0][0]
        for b in range(params.buildings):
            estate = estates_of[grid.community_id][b % 2]
            building_objs.append(
                Building(estate=estate, grid=grid, community_id=grid.community_id, name=f"{grid.code[-3:]}-{b + 1}号楼",
                         lon=lon + side * (b + 1) / (params.buildings + 1), lat=lat + side / 2)
            )
    buildings = _bulk(Building, building_objs)

    # Organisations: a property company per estate, a community office per community, four
    # departments per district (two of them named by routing rules for their categories).
    companies = _bulk(
        Organisation,
        [Organisation(kind="property_company", name=f"{e.name}物业服务有限公司", community_id=e.community_id, estate=e) for e in estates],
    )
    offices = _bulk(
        Organisation,
        [Organisation(kind="other", name=f"{c.name}{COMMUNITY_OFFICE_SUFFIX}", community=c, description="社区自办事项的承办单位")
         for c in communities],
    )
    departments = _bulk(
        Organisation, [Organisation(kind="department", name=f"{d.name}{name}", community=d) for d in districts for name, _ in DEPARTMENTS]
    )
    dept_by_district_category = {}
    rules = []
    categories = {c.code: c for c in Category.objects.all()}
    district_of = {}
    for s in subs:
        for c in communities:
            if c.parent_id == s.pk:
                district_of[c.pk] = s.parent_id
    for i, d in enumerate(districts):
        for j, (_, category_code) in enumerate(DEPARTMENTS):
            dept = departments[i * len(DEPARTMENTS) + j]
            if category_code:
                dept_by_district_category[(d.pk, category_code)] = dept
    for c in communities:
        for _, category_code in DEPARTMENTS:
            if category_code and category_code in categories:
                rules.append(RoutingRule(category=categories[category_code], community=c,
                                         org=dept_by_district_category[(district_of[c.pk], category_code)], priority=50))
    _bulk(RoutingRule, rules)

    # Staff: one login per handling unit, grid and community, and a city-wide operator.
    users, assignments = [], []
    seq = [0]

    def user(name):
        seq[0] += 1
        u = User(mobile=f"199{seq[0]:08d}", name=name, password="!bench-unusable")
        users.append(u)
        return u

    org_users = {}
    for org in companies:
        org_users[org.pk] = (user(f"{org.name[:8]}物业员"), "property_staff")
    for org in departments:
        org_users[org.pk] = (user(f"{org.name[:8]}干部"), "department_officer")
    for org in offices:
        org_users[org.pk] = (user(f"{org.name[:8]}工作人员"), "community_staff")
    grid_users = {g.pk: user(f"{g.name[:10]}网格员") for g in grids}
    community_users = {c.pk: user(f"{c.name[:10]}书记") for c in communities}
    district_users = {d.pk: user(f"{d.name}督办") for d in districts}
    operator = user("市热线接线员")
    _bulk(User, users)
    office_community = {o.pk: o.community_id for o in offices}
    for org_id, (u, role) in org_users.items():
        if role == "community_staff":  # a community office's worker holds the community
            assignments.append(RoleAssignment(user=u, role=role, area_id=office_community[org_id]))
        else:
            assignments.append(RoleAssignment(user=u, role=role, org_id=org_id))
    for grid_id, u in grid_users.items():
        assignments.append(RoleAssignment(user=u, role="grid_worker", grid_id=grid_id))
    for community_id, u in community_users.items():
        assignments.append(RoleAssignment(user=u, role="community_secretary", area_id=community_id))
    for district_id, u in district_users.items():
        assignments.append(RoleAssignment(user=u, role="community_staff", area_id=district_id))
    assignments.append(RoleAssignment(user=operator, role="hotline_operator", area=city))
    _bulk(RoleAssignment, assignments)
    log(f"city: {len(districts)} districts, {len(subs)} subdistricts, {len(communities)} communities, {len(grids)} grids, "
        f"{len(buildings)} buildings, {len(companies) + len(offices) + len(departments)} organisations, {len(users)} users")
    return {
        "city": city,
        "districts": districts,
        "district_of": district_of,
        "communities": communities,
        "grids": grids,
        "buildings": buildings,
        "companies": companies,
        "company_by_estate": {c.estate_id: c for c in companies},
        "office_by_community": {o.community_id: o for o in offices},
        "dept": dept_by_district_category,
        "org_users": org_users,
        "grid_users": grid_users,
        "community_users": community_users,
        "district_users": district_users,
        "operator": operator,
    }


# --- tickets ------------------------------------------------------------------------------

TICKET_COLUMNS = (
    "id", "number", "client_request_id", "channel", "category_id", "urgency", "description", "requester_id",
    "requester_user_id", "contact_name", "contact_phone", "filed_by_id", "call_started_at", "call_ended_at", "household_id",
    "building_id", "lon", "lat", "address", "grid_id", "community_id", "handling_org_id", "forwarded_to", "tier", "state",
    "state_before_suspension", "suspension_requested", "parent_id", "policy_id", "accept_due", "resolve_due", "suspended_at",
    "accept_overdue", "resolve_overdue", "reminded", "created_at", "dispatched_at", "accepted_at", "resolved_at",
    "verified_at", "closed_at", "updated_at", "urge_count", "reopen_count", "cosign_count", "solved", "satisfaction", "is_demo", "verify_org_id",
    "publish_description", "needs_location", "accept_escalated",
)
EVENT_COLUMNS = ("id", "ticket_id", "seq", "at", "actor_id", "actor_role", "action", "from_state", "to_state", "reason", "data",
                 "internal", "prev_hash", "hash")
CALLBACK_COLUMNS = ("id", "ticket_id", "round", "method", "solved", "satisfaction", "comment", "by_id", "at")

HISTORY_ENDS = [("closed", 86), ("merged", 4), ("withdrawn", 3), ("forwarded", 3), ("unresolvable", 2), ("closed", 2)]
OPEN_STATES = [("submitted", 5), ("dispatched", 20), ("accepted", 15), ("in_progress", 40), ("suspended", 5),
               ("resolved", 10), ("verified", 5)]
CHANNELS = [("hotline", 55), ("self_service", 25), ("grid_patrol", 15), ("api", 5)]
URGENCIES = [("normal", 85), ("emergency", 8), ("complex", 7)]
RATINGS = [("satisfied", 85), ("basic", 8), ("unsatisfied", 3), ("not_rated", 4)]
CATEGORY_WEIGHTS = {
    "property-elevator": 8, "property-corridor": 8, "property-leak": 10, "property-access": 9, "property-greening": 4,
    "municipal-streetlight": 5, "municipal-manhole": 2, "municipal-road": 4, "utilities-water": 5, "utilities-power": 3,
    "utilities-gas": 2, "utilities-heating": 6, "sanitation": 9, "noise": 8, "dispute": 4, "illegal-building": 4,
    "safety": 5, "help-elderly-disabled": 2, "help-other": 2,
}


def _picker(pairs):
    values = [v for v, _ in pairs]
    cumulative, total = [], 0
    for _, w in pairs:
        total += w
        cumulative.append(total)

    def pick(rng):
        return values[bisect.bisect_right(cumulative, rng.random() * total)]

    return pick


class Generator:
    """Builds ticket, event and callback rows for one city; rows come out in id order."""

    def __init__(self, params, city, rng, *, first_ticket_id, first_event_id, first_callback_id):
        from liulin.whistle import sla
        from liulin.whistle.models import Category, Urgency

        self.p, self.city, self.rng = params, city, rng
        self.now = params.now_ts
        self.work = WorkTime()
        self.ticket_id, self.event_id, self.callback_id = first_ticket_id, first_event_id, first_callback_id
        leaves = {c.code: c for c in Category.objects.select_related("parent__parent").filter(children__isnull=True, is_active=True)}
        self.categories = {code: leaves[code] for code in CATEGORY_WEIGHTS if code in leaves}
        self.pick_category = _picker([(code, w) for code, w in CATEGORY_WEIGHTS.items() if code in self.categories])
        self.policy = {}
        for code, category in self.categories.items():
            for urgency in Urgency.values:
                self.policy[(code, urgency)] = sla.policy_for(category, urgency)
        self.kind = {}
        for code, category in self.categories.items():
            node, kind = category, ""
            while node is not None and not kind:
                kind, node = node.responsible_kind, node.parent
            self.kind[code] = kind
        self.pick_end = _picker(HISTORY_ENDS)
        self.pick_open = _picker(OPEN_STATES)
        self.pick_channel = _picker(CHANNELS)
        self.pick_urgency = _picker(URGENCIES)
        self.pick_rating = _picker(RATINGS)
        # Busier and quieter buildings: a few streets file most of the requests.
        buildings = city["buildings"]
        self.pick_building = _picker([(b, 1 + (i * 7919) % 5) for i, b in enumerate(buildings)])
        self.last_in_community = {}
        self.numbers = {}
        self.operator_id = city["operator"].pk
        self.org_users = {org_id: (u.pk, role) for org_id, (u, role) in city["org_users"].items()}
        self.grid_users = {g: u.pk for g, u in city["grid_users"].items()}
        self.community_users = {c: u.pk for c, u in city["community_users"].items()}
        self.checked = 0
        self.stats = {"tickets": 0, "events": 0, "callbacks": 0, "open": 0, "states": {}}

    # -- helpers --

    def _number(self, ts):
        day = time.strftime("%Y%m%d", time.gmtime(ts + LOCAL_OFFSET))
        seq = self.numbers.get(day, 0) + 1
        self.numbers[day] = seq
        return f"LF{day}{seq:05d}"

    def _due(self, policy, start, minutes):
        if policy.working_time:
            return self.work.add(start, minutes)
        return start + minutes * 60

    def _org_for(self, code, building):
        kind = self.kind[code]
        if code in ("municipal-streetlight", "municipal-manhole", "municipal-road"):
            return self.city["dept"][(self.city["district_of"][building.community_id], "municipal")]
        if code == "illegal-building":
            return self.city["dept"][(self.city["district_of"][building.community_id], "illegal-building")]
        if kind == "property_company":
            return self.city["company_by_estate"][building.estate_id]
        return self.city["office_by_community"][building.community_id]

    # -- one ticket --

    def ticket(self, created, *, open_ticket):
        rng = self.rng
        tid = self.ticket_id
        self.ticket_id += 1
        building = self.pick_building(rng)
        code = self.pick_category(rng)
        category = self.categories[code]
        urgency = self.pick_urgency(rng)
        policy = self.policy[(code, urgency)]
        org = self._org_for(code, building)
        channel = self.pick_channel(rng)
        text = rng.choice(DESCRIPTIONS.get(code, ["{b}需要处理"])).format(b=building.name)
        filer = self.grid_users[building.grid_id] if channel == "grid_patrol" else self.operator_id
        t = {
            "id": tid, "number": self._number(created), "channel": channel, "category_id": category.pk, "urgency": urgency,
            "description": text, "contact_name": "", "contact_phone": "", "filed_by_id": filer, "building_id": building.pk,
            "address": f"{building.estate.name}{building.name}", "grid_id": building.grid_id,
            "community_id": building.community_id, "handling_org_id": None, "forwarded_to": "", "tier": 1, "state": "submitted",
            "state_before_suspension": "", "suspension_requested": False, "parent_id": None, "policy_id": policy.pk,
            "accept_due": None, "resolve_due": None, "suspended_at": None, "accept_overdue": False, "resolve_overdue": False,
            "reminded": False, "created_at": created, "dispatched_at": None, "accepted_at": None, "resolved_at": None,
            "verified_at": None, "closed_at": None, "updated_at": created, "urge_count": 0, "solved": None, "satisfaction": "",
        }
        events = []  # (ts, order, actor_id, actor_role, action, from, to, reason, data, internal)
        order = [0]

        def ev(ts, actor, role, action, frm, to, reason="", data=None, internal=False):
            order[0] += 1
            events.append((ts, order[0], actor, role, action, frm, to, reason, data or {}, internal))

        ev(created, filer, "grid_worker" if channel == "grid_patrol" else "hotline_operator", "file", "", "submitted",
           data={"channel": channel, "client_request_id": None, "route": "bench"})
        end = self.pick_open(rng) if open_ticket else self.pick_end(rng)
        community_id = building.community_id
        parent = self.last_in_community.get(community_id)
        if end == "merged" and parent is None:
            end = "withdrawn"
        self.last_in_community[community_id] = tid
        limit = self.now if open_ticket else None
        callback = None

        if end in ("merged", "withdrawn", "forwarded"):
            at = created + rng.randint(600, 2 * DAY)
            staff = self.community_users[community_id]
            if end == "merged":
                t.update(state="merged", parent_id=parent)
                ev(at, staff, "community_secretary", "merge", "submitted", "merged", "重复诉求", {"parent": parent, "parent_number": ""})
            elif end == "withdrawn":
                t["state"] = "withdrawn"
                ev(at, filer, "hotline_operator", "withdraw", "submitted", "withdrawn", "居民来电撤回")
            else:
                t.update(state="forwarded", forwarded_to="区燃气集团")
                ev(at, staff, "community_secretary", "forward", "submitted", "forwarded", "非本辖区职责", {"forwarded_to": "区燃气集团"})
            t["updated_at"] = at
            return self._finish(t, events, callback)
        if end == "submitted":
            return self._finish(t, events, callback)

        # dispatched at intake (automatic routing)
        handler, handler_role = self.org_users[org.pk]
        accept_due = self._due(policy, created, policy.accept_minutes)
        resolve_due = self._due(policy, created, policy.resolve_minutes)
        t.update(state="dispatched", handling_org_id=org.pk, dispatched_at=created, accept_due=accept_due, resolve_due=resolve_due)
        ev(created, None, "", "dispatch", "submitted", "dispatched", "bench 自动派单",
           {"auto": True, "org": org.pk, "org_name": org.name, "accept_due": _json_dt(accept_due), "resolve_due": _json_dt(resolve_due)})
        steps = {"dispatched": 0, "accepted": 1, "in_progress": 2, "suspended": 3, "resolved": 3, "verified": 4,
                 "closed": 5, "unresolvable": 3}[end]
        # Moments of the steps taken.
        if open_ticket:
            span = max(limit - created, 60)
            marks = sorted(created + int(span * rng.random()) for _ in range(steps))
            late_resolve = False
        else:
            marks = []
            late_accept = rng.random() < 0.07
            accept_at = (accept_due + rng.randint(60, 7200)) if late_accept else created + int((accept_due - created) * rng.uniform(0.05, 0.9))
            marks.append(accept_at)
            start_at = accept_at + rng.randint(60, 3600)
            marks.append(start_at)
            late_resolve = rng.random() < 0.06
            if late_resolve:
                resolve_at = max(resolve_due, start_at) + rng.randint(3600, 3 * DAY)
            else:
                resolve_at = start_at + int(max(resolve_due - start_at, 3600) * rng.uniform(0.1, 0.95))
            marks.append(resolve_at)
            verify_at = resolve_at + rng.randint(3600, 2 * DAY)
            marks.append(verify_at)
            marks.append(verify_at + rng.randint(3600, 3 * DAY))
        state = "dispatched"
        staff = self.community_users[community_id]
        if steps >= 1:
            at = marks[0]
            ev(at, handler, handler_role, "accept", "dispatched", "accepted")
            t.update(accepted_at=at, state="accepted")
            state = "accepted"
            if at > accept_due:
                t["accept_overdue"] = True
                ev(accept_due + 30, None, "", "overdue", "dispatched", "dispatched", "超过接单时限",
                   {"deadline": "accept", "due": _json_dt(accept_due)})
        if steps >= 2:
            ev(marks[1], handler, handler_role, "start", "accepted", "in_progress")
            state = "in_progress"
            t["state"] = state
            if not open_ticket and rng.random() < 0.1:
                urge_at = marks[1] + (marks[2] - marks[1]) // 2
                ev(urge_at, staff, "community_secretary", "urge", "in_progress", "in_progress", "请尽快办理")
                t["urge_count"] = 1
        if end == "unresolvable":
            at = marks[2]
            ev(at, staff, "community_secretary", "close_unresolvable", "in_progress", "unresolvable", "涉及产权纠纷，无法办理")
            t.update(state="unresolvable", updated_at=at)
            return self._finish(t, events, callback)
        if end == "suspended":
            ev(marks[2], handler, handler_role, "request_suspension", "in_progress", "in_progress", "等待配件")
            ev(marks[2], staff, "community_secretary", "suspend", "in_progress", "suspended", "等待配件，批准挂起")
            t.update(state="suspended", state_before_suspension="in_progress", suspended_at=marks[2])
            state = "suspended"
        if steps >= 3 and end != "suspended":
            at = marks[2]
            if at > resolve_due and not t["resolve_overdue"]:
                self._breach(t, ev, resolve_due, "in_progress")
            ev(at, handler, handler_role, "resolve", "in_progress", "resolved", "已处理完毕")
            t.update(resolved_at=at, state="resolved")
            state = "resolved"
        if steps >= 4:
            verifier = staff
            ev(marks[3], verifier, "community_secretary", "verify", "resolved", "verified")
            t.update(verified_at=marks[3], state="verified")
            state = "verified"
        if steps >= 5:
            rating = self.pick_rating(rng)
            at = marks[4]
            if rating == "not_rated":
                solved, method = None, "timeout"
                at = marks[3] + 7 * DAY
            else:
                solved, method = rating != "unsatisfied" or rng.random() < 0.3, "phone"
            ev(at, None if method == "timeout" else self.operator_id, "" if method == "timeout" else "hotline_operator",
               "callback", "verified", "closed", "",
               {"solved": solved, "satisfaction": rating, "method": method, "round": 1})
            t.update(closed_at=at, state="closed", solved=solved, satisfaction=rating)
            callback = (self.callback_id, tid, 1, method, solved, rating, "", None if method == "timeout" else self.operator_id, at)
            self.callback_id += 1
        if open_ticket:
            self._open_flags(t, ev, policy, state)
        t["updated_at"] = max(e[0] for e in events)
        return self._finish(t, events, callback)

    def _breach(self, t, ev, resolve_due, state):
        """What the sweep did when the resolve limit ran out: overdue, and one tier up."""
        t["resolve_overdue"] = True
        ev(resolve_due + 30, None, "", "overdue", state, state, "超过办结时限", {"deadline": "resolve", "due": _json_dt(resolve_due)})
        if t["tier"] < 3:
            ev(resolve_due + 30, None, "", "escalate", state, state, "超过办结时限，自动升级",
               {"automatic": True, "from_tier": t["tier"], "to_tier": t["tier"] + 1})
            t["tier"] += 1

    def _open_flags(self, t, ev, policy, state):
        """Flags and system events of an open ticket as the sweep leaves them at `now`."""
        now = self.now
        if state == "dispatched":
            if t["accept_due"] <= now:
                t["accept_overdue"] = True
                ev(t["accept_due"] + 30, None, "", "overdue", state, state, "超过接单时限", {"deadline": "accept", "due": _json_dt(t["accept_due"])})
            elif t["accept_due"] - policy.remind_before_minutes * 60 <= now:
                t["reminded"] = True
                ev(t["accept_due"] - policy.remind_before_minutes * 60, None, "", "remind", state, state, "",
                   {"deadline": "accept", "due": _json_dt(t["accept_due"])}, internal=True)
        if state in ("dispatched", "accepted", "in_progress") and not t["resolve_overdue"]:
            if t["resolve_due"] <= now:
                self._breach(t, ev, t["resolve_due"], state)
            elif state != "dispatched" and t["resolve_due"] - policy.remind_before_minutes * 60 <= now:
                t["reminded"] = True
                ev(t["resolve_due"] - policy.remind_before_minutes * 60, None, "", "remind", state, state, "",
                   {"deadline": "resolve", "due": _json_dt(t["resolve_due"])}, internal=True)

    def _finish(self, t, events, callback):
        """Order the events in time, chain them, and count."""
        events.sort(key=lambda e: (e[0], e[1]))
        rows, prev, tid = [], GENESIS, t["id"]
        # A system event stamped at a deadline may fall after the next human step only by
        # the order above; make `at` never decrease along seq.
        for seq, (ts, _, actor, role, action, frm, to, reason, data, internal) in enumerate(events, start=1):
            data_json = canonical_data(data)
            digest = fast_hash(tid, seq, ts, actor, role, action, frm, to, reason, data_json, internal, prev)
            if self.checked < 50:  # the hand-made canonical form must stay the one events.py hashes
                self.checked += 1
                assert digest == event_hash(tid, seq, ts, actor, role, action, frm, to, reason, data, internal, prev)
            rows.append((self.event_id, tid, seq, ts, actor, role, action, frm, to, reason, data_json, internal, prev, digest))
            self.event_id += 1
            prev = digest
        self.stats["tickets"] += 1
        self.stats["events"] += len(rows)
        self.stats["callbacks"] += 1 if callback else 0
        self.stats["states"][t["state"]] = self.stats["states"].get(t["state"], 0) + 1
        return t, rows, callback

    def all(self):
        """Yield (ticket dict, event rows, callback row or None) for every ticket, in id order."""
        p = self.p
        history = p.tickets - p.open
        start, history_end = self.now - 730 * DAY, self.now - 45 * DAY
        for i in range(history):
            created = start + int((i + self.rng.random()) * (history_end - start) / max(history, 1))
            yield self.ticket(created, open_ticket=False)
        open_start, open_end = self.now - 30 * DAY, self.now - 600
        for i in range(p.open):
            created = open_start + int((i + self.rng.random()) * (open_end - open_start) / max(p.open, 1))
            self.stats["open"] += 1
            yield self.ticket(created, open_ticket=True)


# --- loading ------------------------------------------------------------------------------


def _is_pg():
    return connection.vendor == "postgresql"


def _dt_pg(ts):
    return None if ts is None else datetime.datetime.fromtimestamp(ts, UTC)


def _dt_sqlite(ts):
    return None if ts is None else time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ts))


DT_TICKET = {"call_started_at", "call_ended_at", "accept_due", "resolve_due", "suspended_at", "created_at", "dispatched_at",
             "accepted_at", "resolved_at", "verified_at", "closed_at", "updated_at"}


def _ticket_row(t, dt):
    defaults = {"client_request_id": None, "requester_id": None, "requester_user_id": None, "call_started_at": None,
                "call_ended_at": None, "household_id": None, "lon": None, "lat": None, "reopen_count": 0, "cosign_count": 0,
                "is_demo": False, "verify_org_id": None, "publish_description": False, "needs_location": False,
                "accept_escalated": False}
    return tuple(dt(t.get(c)) if c in DT_TICKET else t.get(c, defaults.get(c)) for c in TICKET_COLUMNS)


def _event_row(e, dt):
    return (e[0], e[1], e[2], dt(e[3]), *e[4:])


def _callback_row(c, dt):
    return (*c[:8], dt(c[8]))


def _check_columns():
    from liulin.whistle.models import Callback, Ticket, TicketEvent

    for model, columns in ((Ticket, TICKET_COLUMNS), (TicketEvent, EVENT_COLUMNS), (Callback, CALLBACK_COLUMNS)):
        actual = {f.column for f in model._meta.concrete_fields}
        if actual != set(columns):
            raise RuntimeError(f"{model.__name__} columns changed: {sorted(actual ^ set(columns))}; update bench/generate.py")


def _plain_indexes(tables):
    """(name, definition) of the indexes on `tables` that back no constraint. On SQLite those
    are the ones with SQL of their own (a UNIQUE column's index has none)."""
    with connection.cursor() as cursor:
        if not _is_pg():
            marks = ", ".join(["%s"] * len(tables))
            cursor.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks})",
                           list(tables))
            return cursor.fetchall()
        cursor.execute(
            """
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.tablename = ANY(%s) AND i.schemaname = current_schema()
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)
            """,
            [list(tables)],
        )
        return cursor.fetchall()


def _next_id(table):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
        return cursor.fetchone()[0]


class _Loader:
    """Streams rows into the three tables: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, batch=20000):
        self.pg = _is_pg()
        self.dt = _dt_pg if self.pg else _dt_sqlite
        self.batch = batch
        self.buffers = {"whistle_ticket": [], "whistle_ticketevent": [], "whistle_callback": []}
        self.columns = {"whistle_ticket": TICKET_COLUMNS, "whistle_ticketevent": EVENT_COLUMNS, "whistle_callback": CALLBACK_COLUMNS}

    def add(self, t, events, callback):
        self.buffers["whistle_ticket"].append(_ticket_row(t, self.dt))
        self.buffers["whistle_ticketevent"].extend(_event_row(e, self.dt) for e in events)
        if callback:
            self.buffers["whistle_callback"].append(_callback_row(callback, self.dt))
        if len(self.buffers["whistle_ticket"]) >= self.batch:
            self.flush()

    def flush(self):
        with connection.cursor() as cursor:
            for table in ("whistle_ticket", "whistle_ticketevent", "whistle_callback"):
                rows = self.buffers[table]
                if not rows:
                    continue
                columns = ", ".join(f'"{c}"' for c in self.columns[table])
                if self.pg:
                    with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                else:
                    marks = ", ".join(["%s"] * len(self.columns[table]))
                    cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
                rows.clear()


CHUNK = 500_000  # tickets loaded per transaction


def generate(params, *, log=print, manage_indexes=None, keep_events=True):
    """Generate and load the city; returns stats. `manage_indexes`: drop and rebuild the big
    tables' plain indexes around the load (default: when the tables are empty; keeping them
    up row by row made a SQLite load slow down as it grew, to under 2,000 tickets a second).

    `keep_events=False` is for the KPI benchmark at sizes whose events the disk cannot hold
    (20 million tickets make 130 million events, about 50 GB): each chunk's events are added
    into the rollups by the same aggregate SQL, then deleted. The KPI queries read only the
    rollups, which come out the same either way (tested)."""
    from liulin.whistle.models import Ticket

    _check_columns()
    started = time.monotonic()
    rng = random.Random(params.seed)
    pg = _is_pg()
    if manage_indexes is None:
        manage_indexes = not Ticket.objects.exists()
    if not keep_events and Ticket.objects.exists():
        raise RuntimeError("a load that keeps no events needs empty ticket tables")
    with transaction.atomic():
        city = build_city(params, rng, log)
    gen = Generator(params, city, rng, first_ticket_id=_next_id("whistle_ticket"), first_event_id=_next_id("whistle_ticketevent"),
                    first_callback_id=_next_id("whistle_callback"))
    first_ticket = gen.ticket_id
    dropped = []
    if manage_indexes:
        dropped = _plain_indexes(["whistle_ticket", "whistle_ticketevent", "whistle_callback"])
        with connection.cursor() as cursor:
            for name, _ in dropped:
                cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    loader = _Loader()
    made = iter(gen.all())
    last_log = time.monotonic()
    while True:
        # A transaction per chunk: when the events are not kept, deleting them frees their
        # space at each commit.
        first_in_chunk = gen.ticket_id
        with transaction.atomic():
            if pg:
                with connection.cursor() as cursor:
                    # The generator makes every reference consistent (the tests check a
                    # sample), so the per-row foreign-key triggers are skipped during the load.
                    cursor.execute("SET LOCAL session_replication_role = replica")
            for t, events, callback in itertools.islice(made, CHUNK):
                loader.add(t, events, callback)
                if time.monotonic() - last_log > 30:
                    last_log = time.monotonic()
                    log(f"  ... {gen.stats['tickets']:,} tickets, {gen.stats['events']:,} events ({time.monotonic() - started:.0f} s)")
            loader.flush()
            if not keep_events and gen.ticket_id > first_in_chunk:
                _count_and_drop_events(first_in_chunk, gen.ticket_id - 1)
        if gen.ticket_id - first_in_chunk < CHUNK:
            break
    loaded = time.monotonic()
    log(f"tickets: {gen.stats['tickets']:,} tickets, {gen.stats['events']:,} events, {gen.stats['callbacks']:,} callbacks "
        f"loaded in {loaded - started:.0f} s")
    with connection.cursor() as cursor:
        if dropped:
            if pg:
                cursor.execute("SET maintenance_work_mem = '1GB'")
            for _name, definition in dropped:
                cursor.execute(definition)
            log(f"indexes: {len(dropped)} rebuilt in {time.monotonic() - loaded:.0f} s")
        if pg:
            for table in ("whistle_ticket", "whistle_ticketevent", "whistle_callback"):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
    before_rollups = time.monotonic()
    if keep_events:
        load_rollups(first_ticket, gen.ticket_id - 1)
    rows = _rollup_rows()
    log(f"rollups: {rows:,} rows by aggregate SQL in {time.monotonic() - before_rollups:.0f} s")
    if pg:
        with connection.cursor() as cursor:
            for table in ("whistle_ticket", "whistle_ticketevent", "whistle_callback", "whistle_kpirollup"):
                if connection.in_atomic_block:
                    cursor.execute(f"ANALYZE {table}")
                else:
                    cursor.execute(f"VACUUM (ANALYZE) {table}")
            # And the city's tables: without statistics (autovacuum may be off, or not yet
            # round) the planner guesses that a district's path prefix matches one area, and
            # reads a deep worklist page community by community (300 ms instead of 1 ms).
            cursor.execute("ANALYZE")
    stats = {**gen.stats, "events_kept": keep_events, "rollup_rows": rows, "first_ticket": first_ticket, "last_ticket": gen.ticket_id - 1,
             "seconds": round(time.monotonic() - started, 1), "communities": len(city["communities"]), "grids": len(city["grids"]),
             "city_path": city["city"].path}
    _write_marker(params, stats)
    log(f"data: generated in {stats['seconds']} s")
    return stats


# --- KPI rollups by aggregate SQL ---------------------------------------------------------------

ROLLUP_ACTIONS = ("file", "dispatch", "accept", "verify", "callback", "urge", "escalate", "merge", "withdraw", "forward",
                  "close_unresolvable")


def _month(expr):
    if _is_pg():
        return f"(date_trunc('month', {expr} AT TIME ZONE 'Asia/Shanghai'))::date"
    return f"strftime('%Y-%m-01', {expr}, '+8 hours')"


def _minutes(later, earlier):
    if _is_pg():
        return f"FLOOR(EXTRACT(EPOCH FROM ({later} - {earlier})) / 60)::bigint"
    return f"((CAST(strftime('%s', {later}) AS INTEGER) - CAST(strftime('%s', {earlier}) AS INTEGER)) / 60)"


def rollup_select(first_ticket, last_ticket):
    """SQL: one row of counter contributions per counted event of the generated tickets.

    The generated life cycles have one dispatch round each (no reassign, return or reopen),
    and the excluded ends start from "submitted", so each counter reads off one event and
    its ticket: the accept counts in the month of the dispatch, the verify carries the
    resolve time, the callback the verdict and the tier the ticket ended at (docs/kpi.md)."""

    def flag(cond):
        return f"CASE WHEN {cond} THEN 1 ELSE 0 END"

    rated = "t.satisfaction IN ('satisfied', 'basic', 'unsatisfied')"
    cb = "e.action = 'callback'"
    columns = {
        "filed": flag("e.action = 'file'"),
        "dispatched": flag("e.action = 'dispatch'"),
        "accepted": flag("e.action = 'accept'"),
        "accepted_in_time": flag("e.action = 'accept' AND e.at <= t.accept_due"),
        "accept_minutes_sum": f"CASE WHEN e.action = 'accept' THEN {_minutes('e.at', 't.dispatched_at')} ELSE 0 END",
        "resolved": flag("e.action = 'verify'"),
        "resolved_in_time": flag("e.action = 'verify' AND t.resolved_at <= t.resolve_due"),
        "resolve_minutes_sum": f"CASE WHEN e.action = 'verify' THEN {_minutes('t.resolved_at', 't.dispatched_at')} ELSE 0 END",
        "callbacks": flag(cb),
        "callbacks_valid": flag(f"{cb} AND {rated}"),
        "callbacks_solved": flag(f"{cb} AND {rated} AND t.solved"),
        "rated": flag(f"{cb} AND {rated}"),
        "satisfied": flag(f"{cb} AND t.satisfaction = 'satisfied'"),
        "basic": flag(f"{cb} AND t.satisfaction = 'basic'"),
        "unsatisfied": flag(f"{cb} AND t.satisfaction = 'unsatisfied'"),
        "urges": flag("e.action = 'urge'"),
        "reopens": "0",
        "escalations": flag("e.action = 'escalate'"),
        "closed_grid": flag(f"{cb} AND t.tier = 1"),
        "closed_community": flag(f"{cb} AND t.tier = 2"),
        "closed_whistle": flag(f"{cb} AND t.tier >= 3"),
        "merged": flag("e.action = 'merge'"),
        "withdrawn": flag("e.action = 'withdraw'"),
        "forwarded": flag("e.action = 'forward'"),
        "unresolvable": flag("e.action = 'close_unresolvable'"),
    }
    month = f"CASE WHEN e.action = 'accept' THEN {_month('t.dispatched_at')} ELSE {_month('e.at')} END"
    org = "CASE WHEN e.action IN ('file', 'merge', 'withdraw', 'forward') THEN 0 ELSE COALESCE(t.handling_org_id, 0) END"
    actions = ", ".join(f"'{a}'" for a in ROLLUP_ACTIONS)
    body = ", ".join(f"{sql} AS {name}" for name, sql in columns.items())
    return (
        f"SELECT {month} AS month, t.community_id AS community_key, t.grid_id AS grid_key, t.category_id AS category_key, "
        f"{org} AS org_key, {body} FROM whistle_ticketevent e JOIN whistle_ticket t ON t.id = e.ticket_id "
        f"WHERE e.action IN ({actions}) AND t.id BETWEEN {int(first_ticket)} AND {int(last_ticket)}"
    ), list(columns)


def _count_and_drop_events(first_ticket, last_ticket):
    """Add the events of tickets first..last into the rollups, then delete every event (the
    load that keeps no events starts from empty tables)."""
    load_rollups(first_ticket, last_ticket, add=True)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM whistle_ticketevent" if not _is_pg() else "TRUNCATE whistle_ticketevent")


def _rollup_rows():
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM whistle_kpirollup")
        return cursor.fetchone()[0]


def load_rollups(first_ticket, last_ticket, *, add=False):
    """Insert the rollup rows of the generated tickets (every grain); returns the row count.
    `add`: add to rows already there (the events are counted chunk by chunk)."""
    from liulin.whistle.rollups import COUNTERS, KEY_FIELDS

    select, names = rollup_select(first_ticket, last_ticket)
    assert set(names) == set(COUNTERS), "rollup counters changed; update bench/generate.py"
    sums = ", ".join(f"SUM(c.{n})" for n in COUNTERS)
    counters = ", ".join(COUNTERS)
    total = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_contrib")
        cursor.execute(f"CREATE TEMP TABLE bench_contrib AS {select}")
        # (grain, its grid, category and unit keys): the same cells as rollups.cells().
        grains = (("grid", "c.grid_key", "c.category_key", "c.org_key"), ("community", "0", "c.category_key", "c.org_key"),
                  ("area", "0", "0", "0"))
        for grain, grid, category, org in grains:
            group = "".join(f", {key}" for key in (grid, category, org) if key != "0")
            cursor.execute(
                f"INSERT INTO whistle_kpirollup (grain, month, area_path, community_key, grid_key, category_key, org_key, {counters}) "
                f"SELECT '{grain}', c.month, a.path, c.community_key, {grid}, {category}, {org}, {sums} "
                f"FROM bench_contrib c JOIN territory_area a ON a.id = c.community_key "
                f"GROUP BY c.month, a.path, c.community_key{group}"
                + (f" ON CONFLICT ({', '.join(KEY_FIELDS)}) DO UPDATE SET "
                   + ", ".join(f"{n} = whistle_kpirollup.{n} + excluded.{n}" for n in COUNTERS) if add else "")
            )
            total += cursor.rowcount
        cursor.execute("DROP TABLE bench_contrib")
    return total
