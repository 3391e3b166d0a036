"""English mode in a real browser: every demo role chooses English with the switch in the
page header, then walks the pages it can reach (breadth-first over same-origin links, at
most 160 per role, more than the broadest role reaches); no page shows Chinese outside elements marked `translate="no"` (names,
addresses, categories, descriptions - values from the database).

The Django-client twin (tests/test_english_pages.py) reads the HTML; this one reads what the
browser shows: visible text, placeholders, labels, and the options of visible selects.
"""

import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from liulin.accounts.models import User
from liulin.demo.logins import ACCOUNTS, DEMO_PASSWORD
from liulin.demo.seed import seed_demo
from tests.english import PAGES_PER_ROLE, pattern, same_origin_pages

from .conftest import accessibility_faults, log_in

pytestmark = pytest.mark.django_db(transaction=True)

# What the user sees, outside translate="no": text nodes of visible elements (an option
# counts when its select is visible) and the attributes a browser shows or reads out.
VISIBLE_CHINESE = r"""() => {
  const han = /[\u4e00-\u9fff]/;
  const found = [];
  const data = (el) => el.closest('[translate="no"]');
  const shown = (el) => {
    if (el.tagName === "OPTION" || el.tagName === "OPTGROUP") {
      const select = el.closest("select");
      return select !== null && select.checkVisibility();
    }
    return el.checkVisibility();
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || !han.test(node.textContent) || data(el) || el.closest("script,style,template,noscript")) continue;
    if (shown(el)) found.push(`<${el.tagName.toLowerCase()}> ${node.textContent.trim().slice(0, 80)}`);
  }
  for (const el of document.querySelectorAll("[placeholder],[title],[aria-label],[alt],input[type=submit],input[type=button]")) {
    if (data(el)) continue;
    for (const name of ["placeholder", "title", "aria-label", "alt", "value"]) {
      const value = el.getAttribute(name);
      if (value && han.test(value) && (name !== "value" || el.type === "submit" || el.type === "button")) {
        found.push(`<${el.tagName.toLowerCase()} ${name}> ${value.slice(0, 80)}`);
      }
    }
  }
  return found;
}"""
LINKS = """() => [...document.querySelectorAll("a[href], [hx-get]")].map(
  (el) => el.getAttribute("hx-get") || el.getAttribute("href"))"""


def crawl_as(page, account, checked=None, faults=None):
    """(pages visited, {page: Chinese found}) for one demo account, in English. Each kind of
    page not yet in `checked` (by role and URL pattern) is also checked by axe-core,
    its critical and serious violations put into `faults`."""
    page.context.clear_cookies()
    log_in(page, account.mobile, DEMO_PASSWORD)
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_test_id("language-en").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert User.objects.get(mobile=account.mobile).language == "en", "the switch is kept on the account"

    start = urlpath(page.url)
    queue, seen, visited, problems = [start], {pattern(start)}, [], {}
    while queue and len(visited) < PAGES_PER_ROLE:
        url = queue.pop(0)
        try:
            response = page.goto(url)
        except PlaywrightError as error:  # a file (calendar, certificate) is a download, not a page
            if "Download is starting" in str(error):
                continue
            raise
        if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        here = urlpath(page.url)
        visited.append(url)
        chinese = page.evaluate(VISIBLE_CHINESE)
        if chinese:
            problems[url] = chinese
        kind = (str(account.role), pattern(here))
        # htmx fragments reached through hx-get (no <main>) are parts of pages, not pages.
        if checked is not None and kind not in checked and page.evaluate("!!document.querySelector('main')"):
            checked.add(kind)
            found = accessibility_faults(page)
            if found:
                faults[f"{account.mobile} {url}"] = found
        for link in same_origin_pages(page.evaluate(LINKS), here.split("?")[0]):
            if pattern(link) not in seen:
                seen.add(pattern(link))
                queue.append(link)
    return visited, problems


def urlpath(url):
    return re.sub(r"^https?://[^/]+", "", url)


def test_every_role_sees_english_pages_without_chinese_outside_data(page):
    seed_demo()
    report, problems, checked, faults = {}, {}, set(), {}
    for account in ACCOUNTS:
        visited, found = crawl_as(page, account, checked, faults)
        report[f"{account.mobile} {account.role}"] = len(visited)
        problems.update({f"{account.mobile} {url}": chinese for url, chinese in found.items()})
    print("pages crawled per role:", report)
    print("kinds of page checked by axe-core:", len(checked))
    assert not problems, "\n".join(f"{url}: {found[:5]}" for url, found in problems.items())
    assert not faults, "axe-core: " + "\n".join(f"{url}: {found}" for url, found in faults.items())
    assert all(count >= 3 for count in report.values()), report
