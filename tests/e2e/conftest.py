"""Browser tests: Playwright for Python driving Debian's chromium against the live server.

Run with `make e2e` (never `playwright install`: the browser comes from apt). Screenshots
go to test-output/ in the repository, which CI keeps as an artifact.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the
# test body are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("LIULIN_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output"
# axe-core (npm, package.json) checks a page for accessibility faults; it is injected into
# the page under test only, never served by the application.
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_WIDTHS = (390, 1280)
AXE_IMPACTS = ("critical", "serious")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
    # The English crawl loads the whole demo community, which needs the rows data migrations
    # leave (categories, policies, care tags, link kinds); every transaction=True browser test
    # flushes them when it ends. So the crawl runs first, on the database `migrate` left.
    items.sort(key=lambda item: "test_english_crawl" not in item.nodeid)


@pytest.fixture(autouse=True)
def _fresh_content_types():
    """A test after a serialized-rollback test starts on a flush that sent no post_migrate, so
    the content types it made are gone while Django's cache still holds their ids (an audit
    row then points at a missing one). Forget them; they are made again when asked for."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"chromium not found at {CHROMIUM}: run `make e2e`, which installs Debian's chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A phone-sized page (360×740, like a cheap Android phone) on the live server."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    yield page
    context.close()
    assert not violations, f"the strict CSP refused something on a page: {violations[:3]}"


@pytest.fixture
def screenshot():
    OUTPUT.mkdir(exist_ok=True)

    def take(page, name):
        path = OUTPUT / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def log_in(page, mobile, password):
    page.goto("/accounts/login/")
    page.fill("#id_username", mobile)
    page.fill("#id_password", password)
    page.click("[data-testid=login-submit]")
    page.wait_for_load_state("networkidle")


def axe_violations(page):
    """axe-core's critical and serious violations on the page as it is now, as
    ["rule-id: selector, ..."] (WCAG 2.x A and AA rules and axe's best practices)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        if not AXE.exists():
            pytest.fail(f"{AXE} missing: run `make setup` (npm ci) for axe-core")
        # Evaluated through the DevTools protocol: a <script> tag (add_script_tag) would be
        # inline script, which the pages' strict CSP rightly refuses.
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    results = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [
        f"{v['id']} ({v['impact']}): " + ", ".join(" ".join(map(str, n["target"])) for n in v["nodes"][:5])
        for v in results
        if v["impact"] in AXE_IMPACTS
    ]


def accessibility_faults(page, widths=AXE_WIDTHS):
    """{width: violations} of the current page at each width (empty when none); the viewport
    is put back afterwards."""
    size = page.viewport_size
    found = {}
    try:
        for width in widths:
            page.set_viewport_size({"width": width, "height": size["height"] if size else 740})
            violations = axe_violations(page)
            if violations:
                found[width] = violations
    finally:
        if size:
            page.set_viewport_size(size)
    return found


def assert_accessible(page, widths=AXE_WIDTHS):
    """No critical or serious axe-core violation on the current page at a phone's 390 px and a
    desktop's 1280 px width."""
    found = accessibility_faults(page, widths)
    assert not found, f"axe-core on {page.url}: {found}"


def content_width(page):
    """How wide the page's content is: the right edge of `main`, or what scrolls inside it.
    The menu is a horizontal scroller of its own; in full runs the document's scrollWidth
    has read 1,144 px at 360 with a long menu, which one test alone does not reproduce."""
    return page.evaluate("(() => { const m = document.querySelector('main'); "
                         "return Math.max(m.scrollWidth, m.getBoundingClientRect().right); })()")
