"""Where a request belongs and who should handle it; possible duplicates at intake.

Place → grid and community: a household's or building's own grid, else the grid whose
polygon holds the point (territory.geo).

A free-text address (a hotline caller's "同心公园旁", Open311's address_string) is located
by `locate_address`, the one rule for every channel: the longest place name found in the
text, by precedence — an estate and one of its buildings (the building); a landmark with a
grid (同心公园: its grid); an estate whose buildings all stand in one grid (that grid); then
a landmark without a grid (a road), a facility, an estate spread over grids or a community's
name (the community only). Places in the filer's own communities are preferred, so a common
estate name elsewhere does not win; elsewhere only a building, a grid or a community's name
counts (and is refused as out of scope by intake), not a generic facility name. Nothing found: None, and intake files the request to the
community tier as 待定位 (never refused: a hotline cannot turn a caller away for a vague
address).

Responsible unit, first match wins:
1. RoutingRule rows in priority order. A rule matches when its community is empty or the
   ticket's, its category is empty or the ticket's category or one of its ancestors, and
   its keywords are empty or one of them appears in the description (a plain substring:
   what a dispatcher writing "漏水 渗水" means, and no word segmentation on the intake path).
2. The category (walking up the tree): the nearest node naming a `responsible_org` gives
   that unit; the nearest node naming a `responsible_kind` decides by kind:
   - property_company: the active property company serving the community; one tied to the
     building's estate is preferred over a community-wide one;
   - community: the community's own office — the Organisation of kind "other" named
     "<社区名>居委会" in that community, created on first need so every community has one;
   - department: only a named `responsible_org` up the tree; otherwise no unit.
3. No unit: the ticket stays submitted for a dispatcher to route by hand.

Duplicates: open tickets of the same community and category tree, in the same building or
within the rule's radius, scored by distance, age, category and wording (`DuplicateRule`,
settings.LIULIN_WHISTLE_DUPLICATES, docs/duplicates.md). Place, category and time weigh more
than words: short complaints about one fault share few of them (text similarity 0.2–0.25),
and a wording threshold alone missed the same streetlight reported 50 m away 3 minutes
earlier.
"""

import functools
import math
import re
import threading
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from liulin.core.errors import Invalid
from liulin.core.memo import memoized
from liulin.orgs.models import Organisation
from liulin.territory import geo
from liulin.territory.models import Area, Building, Estate, Facility, Grid

from .models import Category, Landmark, RoutingRule, Ticket
from .workflow import OPEN_STATES

EARTH_RADIUS_M = 6_371_000
COMMUNITY_OFFICE_SUFFIX = "居委会"
TERMS_FILE = Path(__file__).with_name("community_terms.txt")

# Particles and fillers that make two unrelated complaints look alike.
STOPWORDS = frozenset("的 了 又 是 在 有 和 与 也 就 都 很 还 我 我们 你 他 她 它 这 那 这个 那个 请 吗 呢 啊 吧 一直 已经".split())
_PUNCT = re.compile(r"^[\W_]+$")
_SPLIT = re.compile(r"[\s,，、;；]+")


@dataclass(frozen=True)
class Route:
    grid: object
    community: object
    org: object | None
    reason: str
    verify_org: object | None = None  # the department that checks the result (核单)


# --- text -----------------------------------------------------------------------------

_jieba = None
_jieba_lock = threading.Lock()


def _segmenter():
    """jieba with the community terms loaded, once per process (loading costs ~1 s)."""
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                import jieba

                jieba.setLogLevel(60)
                jieba.load_userdict(str(TERMS_FILE))
                _jieba = jieba
    return _jieba


def tokens(text):
    """The meaningful jieba tokens of `text` (search mode, so 消防通道 also yields 通道)."""
    words = _segmenter().lcut_for_search(text or "")
    return {w.lower() for w in (w.strip() for w in words) if w and w not in STOPWORDS and not _PUNCT.match(w)}


def keyword_set(keywords):
    return {k.strip().lower() for k in _SPLIT.split(keywords or "") if k.strip()}


def jaccard(a, b):
    return len(a & b) / len(a | b) if a and b else 0.0


# --- place ----------------------------------------------------------------------------


def check_point(lon, lat):
    """(lon, lat) as floats, or Invalid "invalid_location" when missing half, not a number or out of range."""
    if (lon is None) != (lat is None):
        raise Invalid(_("经度和纬度须同时填写。"), code="invalid_location", field="location")
    try:
        lon, lat = float(lon), float(lat)
    except (TypeError, ValueError):
        raise Invalid(_("经纬度应为数字。"), code="invalid_location", field="location") from None
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise Invalid(_("经纬度超出范围。"), code="invalid_location", field="location")
    return lon, lat


def locate(*, household=None, building=None, lon=None, lat=None):
    """(grid, community) of the place: household → building → point-in-grid."""
    if household is not None:
        return household.grid, household.community
    if building is not None:
        return building.grid, building.community
    if lon is None and lat is None:
        raise Invalid(_("请选择楼栋/房号，或在地图上标出位置。"), code="place_required", field="location")
    lon, lat = check_point(lon, lat)
    grid = geo.grid_for_point(lon, lat)
    if grid is None:
        raise Invalid(_("该位置不在任何网格内，请确认地点。"), code="outside_grids", field="location")
    return grid, grid.community


# --- free-text addresses --------------------------------------------------------------

# Precedence of what a name found in the text places the request at (lower wins).
BUILDING, LANDMARK_IN_GRID, ESTATE_IN_GRID, COMMUNITY_ONLY = range(4)


@dataclass(frozen=True)
class PlaceName:
    name: str
    kind: str  # "estate", "landmark", "facility", "community"
    pk: int
    community_id: int
    grid_id: int | None = None  # a landmark's grid, or the one grid of an estate's buildings
    lon: float | None = None
    lat: float | None = None


@dataclass(frozen=True)
class Spot:
    """Where a free-text address was located: a building, a grid or only a community."""

    community: object
    grid: object | None = None
    building: object | None = None
    lon: float | None = None
    lat: float | None = None
    via: str = ""  # what was recognised, for the ticket's history


@memoized(Estate, Building, Landmark, Facility, Area, Grid)
def _place_names():
    """Every name a caller may use for a place, longest first (so 同心公园 wins over 同心)."""
    names = []
    estate_grids = defaultdict(set)
    for estate_id, grid_id in Building.objects.values_list("estate_id", "grid_id"):
        estate_grids[estate_id].add(grid_id)
    for pk, name, community_id in Estate.objects.values_list("pk", "name", "community_id"):
        grids = estate_grids.get(pk, set())
        names.append(PlaceName(name, "estate", pk, community_id, next(iter(grids)) if len(grids) == 1 else None))
    for landmark in Landmark.objects.all():
        for name in landmark.names():
            names.append(PlaceName(name, "landmark", landmark.pk, landmark.community_id, landmark.grid_id, landmark.lon, landmark.lat))
    for pk, name, community_id in Facility.objects.values_list("pk", "name", "community_id"):
        names.append(PlaceName(name, "facility", pk, community_id))
    for pk, name in Area.objects.filter(kind=Area.Kind.COMMUNITY).values_list("pk", "name"):
        names.append(PlaceName(name, "community", pk, pk))
    names.sort(key=lambda n: -len(n.name))
    return names


def _building_in(estate_id, text_after):
    """The estate's building whose name appears after the estate's name ("同心家园3栋")."""
    found = [b for b in Building.objects.filter(estate_id=estate_id).select_related("estate", "grid", "community") if b.name in text_after]
    found.sort(key=lambda b: -len(b.name))  # "13栋" before "3栋"
    return found[0] if found else None


def _rank(hit, text):
    if hit.kind == "estate" and _building_in(hit.pk, text.split(hit.name, 1)[1]) is not None:
        return BUILDING
    if hit.kind == "landmark" and hit.grid_id is not None:
        return LANDMARK_IN_GRID
    if hit.kind == "estate" and hit.grid_id is not None:
        return ESTATE_IN_GRID
    return COMMUNITY_ONLY


def locate_address(text, *, communities=()):
    """The Spot a free-text address names, or None when no known place is in it. Names in
    `communities` (the filer's) are preferred; a place elsewhere is still returned, for the
    caller to refuse as out of scope."""
    text = re.sub(r"\s+", "", text or "")
    if not text:
        return None
    hits = [n for n in _place_names() if n.name in text]
    # Elsewhere only a precise place (or a community named outright) counts: a generic
    # facility name another community has (服务大厅) must not make a vague address refused.
    hits = [n for n in hits if n.community_id in communities] or [
        n for n in hits if n.kind == "community" or _rank(n, text) < COMMUNITY_ONLY
    ]
    if not hits:
        return None
    best = min(hits, key=lambda n: (_rank(n, text), -len(n.name)))  # stable: longest name first within a rank
    rank = _rank(best, text)
    community = Area.objects.get(pk=best.community_id)
    if rank == BUILDING:
        building = _building_in(best.pk, text.split(best.name, 1)[1])
        return Spot(community, building.grid, building, via=str(building))
    if rank in (LANDMARK_IN_GRID, ESTATE_IN_GRID):
        return Spot(community, Grid.objects.get(pk=best.grid_id), lon=best.lon, lat=best.lat, via=best.name)
    return Spot(community, via=best.name)


def stand_in_grid(community):
    """The grid a request located only to its community is filed on until a dispatcher
    places it: the community's first grid by code (a ticket always has a grid)."""
    grid = Grid.objects.filter(community=community).order_by("code").first()
    if grid is None:
        raise Invalid(_("该社区尚未划分网格，无法受理。"), code="no_grid", field="location")
    return grid


# --- unit -----------------------------------------------------------------------------


@memoized(RoutingRule, Organisation, Category)
def _rules_for(community_id):
    """The active units' routing rules that may apply in this community, in priority order."""
    return list(
        RoutingRule.objects.filter(Q(community__isnull=True) | Q(community_id=community_id))
        .filter(org__is_active=True)
        .select_related("org")
        .order_by("priority", "id")
    )


def _matching_rule(category, community, description):
    chain_ids = {c.pk for c in category.lineage()}
    text = (description or "").lower()
    for rule in _rules_for(community.pk):
        if rule.category_id is not None and rule.category_id not in chain_ids:
            continue
        wanted = keyword_set(rule.keywords)
        if not wanted:
            return rule, ""
        hit = {word for word in wanted if word in text}
        if hit:
            return rule, "、".join(sorted(hit))
    return None, ""


def property_company_for(community, building=None):
    return _property_company(community.pk, building.estate_id if building is not None else None)


@memoized(Organisation)
def _property_company(community_id, estate_id):
    companies = Organisation.objects.filter(kind=Organisation.Kind.PROPERTY_COMPANY, community_id=community_id, is_active=True)
    if estate_id:
        own = companies.filter(estate_id=estate_id).order_by("id").first()
        if own is not None:
            return own
    return companies.filter(estate__isnull=True).order_by("id").first() or companies.order_by("id").first()


# Community offices created by a transaction that has not committed yet. Only that
# transaction sees such an office, so the memory shared between threads must not hold it:
# another thread's filing would be handed a unit it cannot see, and fail on its foreign key
# should the creating transaction roll back. (An id stays here if it does: its row is gone.)
_uncommitted_offices = set()


def community_office(community):
    """The community's own office (居委会), created the first time a ticket needs it."""
    office = _community_office(community.pk, community.name)
    if office is None:
        office, created = Organisation.objects.get_or_create(
            kind=Organisation.Kind.OTHER,
            name=f"{community.name}{COMMUNITY_OFFICE_SUFFIX}",
            community=community,
            defaults={"description": "社区自办事项的承办单位（派单自动创建）", "is_demo": community.is_demo},
        )
        if created:
            _uncommitted_offices.add(office.pk)
            transaction.on_commit(functools.partial(_office_committed, office.pk))
    return office


def _office_committed(pk):
    _uncommitted_offices.discard(pk)
    _community_office.forget()  # the "none yet" other threads may have remembered meanwhile


@memoized(Organisation)
def _community_office(community_id, community_name):
    office = Organisation.objects.filter(
        kind=Organisation.Kind.OTHER, name=f"{community_name}{COMMUNITY_OFFICE_SUFFIX}", community_id=community_id
    ).first()
    return None if office is not None and office.pk in _uncommitted_offices else office


def _unit_by_category(category, community, building):
    kind = None
    for node in category.lineage():
        if node.responsible_org_id and node.responsible_org.is_active:
            return node.responsible_org, f"类别“{node.name}”指定责任单位"
        if kind is None and node.responsible_kind:
            kind = node.responsible_kind
            if kind == "property_company":
                org = property_company_for(community, building)
                return org, ("服务该社区的物业公司" if org else "该社区没有登记物业公司")
            if kind == "community":
                return community_office(community), "社区自办"
            # A department needs a named unit: keep walking up for one.
    return None, "未找到责任单位，待人工派单"


UNLOCATED_REASON = "地点待定位，由社区调度员定位后派单"


def route(*, category, household=None, building=None, lon=None, lat=None, description="", spot=None):
    """The Route of a request at its place. `spot`: a free-text address located by
    `locate_address`; one without a grid (community only, or nothing found) is routed to no
    unit, so it waits in the community's dispatch queue as 待定位."""
    if spot is not None and building is None and household is None:
        verifier = verify_org_for(category)
        if spot.grid is None:
            return Route(stand_in_grid(spot.community), spot.community, None, UNLOCATED_REASON, verifier)
        return _route_in(category, spot.grid, spot.community, None, description, verifier)
    grid, community = locate(household=household, building=building, lon=lon, lat=lat)
    building = building or (household.building if household is not None else None)
    return _route_in(category, grid, community, building, description, verify_org_for(category))


def _route_in(category, grid, community, building, description, verifier):
    rule, hit = _matching_rule(category, community, description)
    if rule is not None:
        reason = f"派单规则#{rule.pk}" + (f"（关键词：{hit}）" if hit else "")
        return Route(grid, community, rule.org, reason, verifier)
    org, reason = _unit_by_category(category, community, building)
    return Route(grid, community, org, reason, verifier)


def verify_org_for(category):
    """The collaborating department that verifies (核单) this category's tickets: the nearest
    one named up the tree; None leaves verification to the community."""
    for node in category.lineage():
        if node.verify_org_id and node.verify_org.is_active:
            return node.verify_org
    return None


# --- duplicates -----------------------------------------------------------------------


@dataclass(frozen=True)
class DuplicateRule:
    """How alike two open tickets must be to be offered as the same problem (a scored rule).

    Hard limits first: the same community, open, a category of the same tree, and either the
    same building or within `radius_m`. Then each signal scores 0–1 and the weighted sum must
    reach `threshold`:
      distance  1 − metres / radius_m (the same building without coordinates: 1);
      time      1 − age / window_hours (older: 0);
      category  1 the same category, `related_category` a parent, child or sibling;
      text      the Jaccard similarity of the jieba tokens.
    The weights put place, category and time before wording: short complaints about one
    fault share few words ("路灯不亮" and "这边路灯坏了一直黑着" score 0.2), while a report of
    the same category 50 m away 3 minutes earlier is the same streetlight whatever its words."""

    radius_m: float = 250
    window_hours: float = 168
    related_category: float = 0.5
    threshold: float = 0.6
    max_results: int = 5
    weights: tuple = (("distance", 0.3), ("time", 0.25), ("category", 0.25), ("text", 0.2))

    @classmethod
    def from_settings(cls):
        """The rule as configured (settings.LIULIN_WHISTLE_DUPLICATES overrides any field;
        "weights" is a dict and may name only some signals)."""
        configured = dict(getattr(settings, "LIULIN_WHISTLE_DUPLICATES", None) or {})
        weights = {**dict(cls.weights), **configured.pop("weights", {})}
        fields = set(cls.__dataclass_fields__) - {"weights"}
        unknown = (set(configured) - fields) | (set(weights) - set(dict(cls.weights)))
        if unknown:
            raise ImproperlyConfigured(f"LIULIN_WHISTLE_DUPLICATES: unknown keys {sorted(unknown)}")
        return cls(**configured, weights=tuple(weights.items()))

    def score(self, *, distance_m, age_hours, category, text):
        """(total, {signal: its 0–1 score}) for one candidate."""
        parts = {
            "distance": 1.0 if distance_m is None else max(0.0, 1 - distance_m / self.radius_m),
            "time": max(0.0, 1 - max(age_hours, 0.0) / self.window_hours),
            "category": category,
            "text": text,
        }
        return sum(weight * parts[name] for name, weight in self.weights), parts


def duplicate_rule():
    return DuplicateRule.from_settings()


def haversine_m(lon1, lat1, lon2, lat2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def _bbox(lon, lat, radius_m):
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    dlon = dlat / max(math.cos(math.radians(lat)), 1e-6)
    return (lon - dlon, lon + dlon), (lat - dlat, lat + dlat)


def _point_of(ticket):
    if ticket.lon is not None and ticket.lat is not None:
        return ticket.lon, ticket.lat
    if ticket.building_id and ticket.building.lon is not None and ticket.building.lat is not None:
        return ticket.building.lon, ticket.building.lat
    return None


def _nearby_q(building, point, radius_m):
    q = Q(pk__in=[])
    if building is not None:
        q |= Q(building=building)
    if point is not None:
        lon_range, lat_range = _bbox(*point, radius_m)
        q |= Q(lon__range=lon_range, lat__range=lat_range)
        q |= Q(lon__isnull=True, building__lon__range=lon_range, building__lat__range=lat_range)
    return q


@memoized(Category)
def _category_parents():
    """{category id: parent id} of the whole tree (a small table, read by every check)."""
    return dict(Category.objects.values_list("pk", "parent_id"))


def _root(parents, pk):
    seen = 0
    while parents.get(pk) is not None and seen < 16:
        pk, seen = parents[pk], seen + 1
    return pk


def _category_closeness(parents, wanted, other, related):
    if other == wanted:
        return 1.0
    if parents.get(other) == wanted or parents.get(wanted) == other or (parents.get(other) is not None and parents.get(other) == parents.get(wanted)):
        return related
    return related / 2  # further apart in the same tree


def suggest_duplicates(
    *, category, grid=None, community=None, building=None, lon=None, lat=None, description, now, exclude=None, exclude_requester=None, rule=None
):
    """Up to `rule.max_results` open tickets that may report the same problem, likeliest
    first. Each carries `.score` (0–1, the rule's weighted sum), `.signals` (each signal's
    0–1 score), `.similarity` (the text's) and `.distance_m` (None when matched by
    building only). The community is the grid's, or `community` when no grid is known yet
    (a resident still filling in the form)."""
    rule = rule or duplicate_rule()
    point = (float(lon), float(lat)) if lon is not None and lat is not None else None
    if point is None and building is not None and building.lon is not None:
        point = (building.lon, building.lat)
    if building is None and point is None:
        return []
    parents = _category_parents()
    root = _root(parents, category.pk)
    family = [pk for pk in parents if _root(parents, pk) == root]
    candidates = (
        Ticket.objects.filter(category__in=family, community_id=grid.community_id if grid is not None else community.pk, state__in=OPEN_STATES, created_at__lte=now)
        .filter(_nearby_q(building, point, rule.radius_m))
        .select_related("building", "grid", "category__parent")
        .order_by("-created_at", "-id")
    )
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude.pk)
    if exclude_requester is not None:  # a resident is not offered his own tickets to join
        candidates = candidates.exclude(requester_user=exclude_requester)
    wanted = tokens(description)
    found = []
    for ticket in candidates[:200]:
        other = _point_of(ticket)
        distance = haversine_m(*point, *other) if point and other else None
        same_building = building is not None and ticket.building_id == building.pk
        if not same_building and (distance is None or distance > rule.radius_m):
            continue
        similarity = jaccard(wanted, tokens(ticket.description))
        score, signals = rule.score(
            distance_m=distance,
            age_hours=(now - ticket.created_at).total_seconds() / 3600,
            category=_category_closeness(parents, category.pk, ticket.category_id, rule.related_category),
            text=similarity,
        )
        if score < rule.threshold:
            continue
        ticket.score, ticket.signals, ticket.similarity, ticket.distance_m = score, signals, similarity, distance
        found.append(ticket)
    found.sort(key=lambda t: (-t.score, t.distance_m if t.distance_m is not None else 0, -t.pk))
    return found[: rule.max_results]


def active_category(value):
    """A Category from an instance, id or code; Invalid "unknown_category" if missing or inactive."""
    if isinstance(value, Category):
        value = value.pk  # re-read: an instance held by a form may be stale
    by_code = isinstance(value, str) and not value.isdigit()
    try:
        category = _category(value if by_code else int(value), by_code)
    except (TypeError, ValueError):
        category = None
    if category is None or not category.is_active or not all(c.is_active for c in category.lineage()):
        raise Invalid(_("请选择有效的诉求类别。"), code="unknown_category", field="category")
    return category


@memoized(Category, Organisation)
def _category(key, by_code):
    """The category by code or id with its whole chain of parents, and the units they name,
    loaded: routing walks the chain on every intake."""
    category = Category.objects.select_related("parent").filter(Q(code=key) if by_code else Q(pk=key)).first()
    for node in category.lineage() if category is not None else []:
        if node.responsible_org_id:
            node.responsible_org  # noqa: B018 - loads the related unit into the remembered chain
        if node.verify_org_id:
            node.verify_org  # noqa: B018
    return category
