"""Where an app plugs into the shell: its entries in the top navigation, its tiles on the
staff home page and its buttons at the top of a resident's home. Core's templates know no
app by name: each app registers what it shows in its `AppConfig.ready()`, with the
permission that shows it and an order, and the menu and the home pages show what the
user's roles allow (docs/architecture.md, "How an app plugs in").

    register_nav("orgs", label=_("组织"), url_name="orgs:list", perm="orgs.view", order=20)
    register_tile("orgs", template="dashboard/tiles/orgs.html", data=org_figures, order=20)
    register_landing(Role.GRID_WORKER, url_name="whistle:worklist", order=30)
    register_home_action("whistle", label=_("我要反映"), url_name="whistle:file", perm="whistle.file", order=10)
    register_unit_figure("property", label=_("业主满意度（年度测评）"), figures=satisfaction_beside_units, order=10)

A unit figure is a public column shown beside each unit's 三率 on the public page: `figures(org_ids)`
returns {org id: text} for the units it has a figure for (a property company's published
owners' satisfaction), so the page that lists the units needs to know no app by name.

`perm` is held anywhere (`has_perm_anywhere`); `when(user)` narrows further (the resident
registry is not offered to someone who is only a resident). A tile's `data(user)` returns
what its template reads as `tile`; it must count only what the user may see (`scoped`).
"""

from dataclasses import dataclass
from typing import Any

from .permissions import has_perm_anywhere


@dataclass(frozen=True)
class NavEntry:
    key: str
    label: Any  # a lazy translation, resolved when the menu is drawn
    url_name: str
    perm: str | None = None
    order: int = 100
    when: Any = None


@dataclass(frozen=True)
class Tile:
    key: str
    template: str
    data: Any  # data(user) -> dict, the tile's context
    perm: str | None = None
    order: int = 100
    when: Any = None
    page: str = "home"  # "home": the staff home page; "cockpit": the 数据驾驶舱


_nav: dict[str, NavEntry] = {}
_tiles: dict[str, Tile] = {}
_landings: dict[str, tuple[int, str]] = {}
_home_actions: dict[str, NavEntry] = {}
_unit_figures: dict[str, tuple] = {}


def register_nav(key, *, label, url_name, perm=None, order=100, when=None):
    """Offer a menu entry; registering a key again replaces it (an app's ready may run twice)."""
    _nav[key] = NavEntry(key, label, url_name, perm, order, when)


def register_tile(key, *, template, data, perm=None, order=100, when=None, page="home"):
    """Offer a tile on a page of figures: the staff home (`page="home"`) or the 数据驾驶舱
    (`page="cockpit"`). Keys are per page, so one app may offer a tile on each."""
    _tiles[(page, key)] = Tile(key, template, data, perm, order, when, page)


def register_landing(role, *, url_name, order=100):
    """Where a user holding `role` lands after login and at `/`: the page of his own work.
    Of the roles a user holds, the landing with the lowest `order` wins."""
    _landings[str(role)] = (order, url_name)


def register_home_action(key, *, label, url_name, perm=None, order=100, when=None):
    """Offer a big button at the top of a resident's home page (the first thing he came to do)."""
    _home_actions[key] = NavEntry(key, label, url_name, perm, order, when)


def register_unit_figure(key, *, label, figures, order=100):
    """Offer a column beside each unit's 三率: `figures(org_ids)` -> {org id: text}. The
    figures are public (the page needs no login): only published, unit-level numbers."""
    _unit_figures[key] = (order, label, figures)


def unit_figures(org_ids):
    """[(label, {org id: text})] of every registered unit figure, in order."""
    org_ids = list(org_ids)
    return [(label, figures(org_ids)) for _order, label, figures in sorted(_unit_figures.values(), key=lambda f: f[0])]


def landing_for(roles):
    """The url name the holder of `roles` lands on, or None when no app claimed any of them."""
    claimed = sorted(_landings[str(role)] for role in roles if str(role) in _landings)
    return claimed[0][1] if claimed else None


def _shown(item, user):
    if item.perm is not None and not has_perm_anywhere(user, item.perm):
        return False
    return item.when is None or item.when(user)


def nav_for(user):
    """The menu entries `user` is offered, in order."""
    return [entry for entry in sorted(_nav.values(), key=lambda e: (e.order, e.key)) if _shown(entry, user)]


def home_actions_for(user):
    """The home-page buttons `user` is offered, in order."""
    return [a for a in sorted(_home_actions.values(), key=lambda a: (a.order, a.key)) if _shown(a, user)]


def tiles_for(user, page="home"):
    """The tiles `user` sees on `page`, in order, each as {"key", "template", "data"}."""
    tiles = sorted((t for t in _tiles.values() if t.page == page), key=lambda t: (t.order, t.key))
    return [{"key": t.key, "template": t.template, "data": t.data(user)} for t in tiles if _shown(t, user)]
