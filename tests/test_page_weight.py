"""Page weight: what each main page makes the browser load (its <script src> and
<link rel=stylesheet>), gzipped as it travels, stays within the budget - on a phone over a
weak signal, every page of every role. docs/decisions.md, "KPI chart" and "Static files"."""

import gzip
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from liulin.activities.tests.factories import Town
from liulin.whistle.tests.intake_fixtures import make_town

pytestmark = pytest.mark.django_db

BUDGET = 150 * 1024  # bytes of JS + CSS, gzipped, per page

# The main pages of each role (None: not logged in).
PAGES = {
    None: ["accounts:login", "whistle:public", "whistle:kpi_public"],
    "resident_user": ["dashboard:resident_home", "whistle:mine", "whistle:file"],
    "operator": ["whistle:console", "whistle:home"],
    "grid_worker": ["dashboard:staff_home", "whistle:worklist", "whistle:patrol"],
    "property_staff": ["whistle:worklist"],
    "officer": ["whistle:summons"],
    "staff": ["dashboard:staff_home", "dashboard:cockpit", "people:resident_list", "whistle:queue", "whistle:board", "whistle:kpi", "whistle:kpi_ranking"],
    "secretary": ["dashboard:cockpit", "whistle:home", "whistle:whistles", "whistle:ranking", "whistle:kpi", "notifications:inbox"],
}


class Assets(HTMLParser):
    """The URLs of the scripts and style sheets a page makes the browser fetch."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])
        elif tag == "link" and "stylesheet" in (attrs.get("rel") or "").split() and attrs.get("href"):
            self.urls.append(attrs["href"])


def assets_of(html):
    parser = Assets()
    parser.feed(html)
    return parser.urls


def gzipped_size(url):
    prefix = settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL
    assert url.startswith(prefix), f"{url}: every script and style sheet is one of our static files"
    path = finders.find(url[len(prefix):].split("?")[0])
    assert path, f"{url} is not a static file (npm set-up not run?)"
    with open(path, "rb") as f:
        return len(gzip.compress(f.read(), compresslevel=9))


def test_assets_are_read_from_the_page():
    html = '<link rel="stylesheet" href="/static/a.css"><script src="/static/b.js" defer></script><script type="application/json">{}</script>'
    assert assets_of(html) == ["/static/a.css", "/static/b.js"]


def test_every_main_page_of_every_role_loads_at_most_150_kb_of_js_and_css(client):
    town = make_town()
    weights = {}
    for role, names in PAGES.items():
        client.logout()
        if role:
            client.force_login(getattr(town, role))
        for name in names:
            response = client.get(reverse(name), follow=True)  # a role home may send on
            assert response.status_code == 200, (role, name, response.status_code)
            urls = assets_of(response.content.decode())
            assert urls, (role, name)
            weights[(role, name)] = sum(gzipped_size(url) for url in set(urls))
    over = {page: size for page, size in weights.items() if size > BUDGET}
    assert not over, f"pages over {BUDGET} bytes of gzipped JS+CSS: {over}"
    assert weights[("staff", "whistle:kpi")] < 30 * 1024  # the chart is plain SVG (js/kpi.js), no chart library


def test_the_check_in_page_with_its_camera_decoder_stays_within_the_budget(client):
    """The check-in scanner fetches the `qr` decoder (an ES module and the module it imports)
    only on a browser without BarcodeDetector, once the camera is opened; counted here as if
    it were always loaded, the page still fits."""
    town = Town()
    event = town.event()
    client.force_login(town.staff)
    html = client.get(reverse("activities:check_in", args=[event.pk])).content.decode()
    decoder = re.search(r'data-decoder="([^"]+)"', html).group(1)
    module = finders.find(decoder[len("/" + settings.STATIC_URL.lstrip("/")):])
    imported = re.findall(r"""from ['"]\./([\w.-]+\.js)['"]""", open(module, encoding="utf-8").read())
    assert imported == ["index.js"]
    urls = {*assets_of(html), decoder, decoder.rsplit("/", 1)[0] + "/index.js"}
    weight = sum(gzipped_size(url) for url in urls)
    assert weight < BUDGET, weight


def test_the_ticket_page_with_its_map_stays_within_the_budget(client):
    """The ticket page draws its place on the map (Leaflet and its style sheet) for whoever sees it."""
    from liulin.whistle.tests.intake_fixtures import dispatched

    town = make_town()
    ticket = dispatched(town)
    for user in (town.staff, town.resident_user):
        client.force_login(user)
        html = client.get(reverse("whistle:ticket", args=[ticket.pk])).content.decode()
        urls = set(assets_of(html))
        assert any("leaflet" in url for url in urls), "the ticket page should carry its map"
        assert sum(gzipped_size(url) for url in urls) <= BUDGET


def test_every_script_and_style_sheet_a_template_names_fits_one_page_budget_together():
    """An upper bound for every page, listed above or not: all the scripts and style sheets
    the templates name (each page loads some of them), summed."""
    from pathlib import Path

    names = set()
    for template in Path(settings.BASE_DIR, "liulin").rglob("templates/**/*.html"):
        names |= set(re.findall(r"""\{% static ['"]([^'"]+\.(?:js|css))['"] %\}""", template.read_text(encoding="utf-8")))
    assert {"css/liulin.css", "vendor/htmx/htmx.min.js", "vendor/leaflet/leaflet.js"} <= names
    prefix = "/" + settings.STATIC_URL.lstrip("/")
    total = sum(gzipped_size(prefix + name) for name in names)
    assert total <= BUDGET, total
