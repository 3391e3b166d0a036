"""core.plugins: an app's menu entries and home tiles show for the roles they allow."""

import pytest
from django.urls import reverse

from liulin.accounts.tests.factories import make_user
from liulin.core import plugins
from liulin.core.roles import Role
from liulin.people.tests.factories import ResidentFactory
from liulin.territory.tests.factories import GridFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def extra_entry():
    """An app's entry, as its AppConfig.ready would register it (removed afterwards)."""
    plugins.register_nav("extra", label="额外", url_name="core:home", perm="people.export", order=5)
    plugins.register_tile("extra", template="core/_nav.html", data=lambda user: {"n": 1}, perm="people.export", order=5)
    yield
    plugins._nav.pop("extra")
    plugins._tiles.pop(("home", "extra"))


def _keys(entries):
    return [entry.key for entry in entries]


def test_an_entry_shows_only_for_roles_holding_its_permission(extra_entry):
    community = GridFactory().community
    secretary = make_user(Role.COMMUNITY_SECRETARY, community)  # holds people.export
    worker = make_user(Role.GRID_WORKER, GridFactory(community=community))  # does not
    assert "extra" in _keys(plugins.nav_for(secretary))
    assert "extra" not in _keys(plugins.nav_for(worker))
    assert "extra" in [t["key"] for t in plugins.tiles_for(secretary)]
    assert "extra" not in [t["key"] for t in plugins.tiles_for(worker)]


def test_entries_come_in_their_order(extra_entry):
    secretary = make_user(Role.COMMUNITY_SECRETARY, GridFactory().community)
    keys = _keys(plugins.nav_for(secretary))
    assert keys[0] == "extra"  # order 1
    assert keys.index("people") < keys.index("orgs") < keys.index("whistle")  # 10, 20, 30


def test_the_apps_register_their_menu(client):
    """people, orgs and whistle register their entries; a resident gets the work orders but
    not the registry (a `when` beyond the permission), staff get all three."""
    resident = ResidentFactory()
    client.force_login(make_user(Role.RESIDENT, resident=resident))
    html = client.get(reverse("notifications:inbox")).content.decode()
    assert f'href="{reverse("whistle:home")}" data-nav="whistle"' in html
    assert 'data-nav="people"' not in html and 'data-nav="orgs"' not in html
    client.force_login(make_user(Role.COMMUNITY_SECRETARY, resident.household.community))
    html = client.get(reverse("notifications:inbox")).content.decode()
    assert all(f'data-nav="{key}"' in html for key in ("people", "orgs", "whistle"))


def test_registering_a_key_again_replaces_it(extra_entry):
    plugins.register_nav("extra", label="另一个", url_name="core:home", order=5)
    assert [e.label for e in plugins._nav.values() if e.key == "extra"] == ["另一个"]


def test_a_home_action_shows_for_roles_holding_its_permission():
    plugins.register_home_action("extra", label="额外", url_name="core:home", perm="people.export", order=1)
    try:
        community = GridFactory().community
        secretary = make_user(Role.COMMUNITY_SECRETARY, community)
        worker = make_user(Role.GRID_WORKER, GridFactory(community=community))
        assert _keys(plugins.home_actions_for(secretary))[0] == "extra"
        assert "extra" not in _keys(plugins.home_actions_for(worker))
    finally:
        plugins._home_actions.pop("extra")


def test_a_resident_is_offered_to_report_a_problem_first():
    resident = make_user(Role.RESIDENT, resident=ResidentFactory())
    assert _keys(plugins.home_actions_for(resident))[0] == "whistle"


def test_a_tile_shows_only_on_its_own_page(extra_entry):
    plugins.register_tile("extra", template="core/_nav.html", data=lambda user: {"n": 2}, page="cockpit")
    try:
        secretary = make_user(Role.COMMUNITY_SECRETARY, GridFactory().community)
        home = {t["key"]: t["data"] for t in plugins.tiles_for(secretary)}
        cockpit = {t["key"]: t["data"] for t in plugins.tiles_for(secretary, page="cockpit")}
        assert home["extra"] == {"n": 1} and cockpit["extra"] == {"n": 2}
    finally:
        plugins._tiles.pop(("cockpit", "extra"))
