"""What the English-mode crawls share: which links to follow and where Chinese may remain.

A page in English may still show Chinese inside elements marked `translate="no"` (the HTML
standard's "do not translate this"): names, addresses, categories, descriptions - values
from the database. Anything else in Chinese is a string that escaped translation.
"""

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

HAN = re.compile(r"[\u4e00-\u9fff]+")
# Enough for every kind of page the broadest role reaches (the secretary and community staff
# reach about 120 by links; the crawl stops early when no new kind is left).
PAGES_PER_ROLE = 160
# Not pages: sign-out, the admin, machine endpoints, files, the language switch itself.
SKIP = re.compile(r"^/(accounts/logout|admin/|api/|open311/|static/|media/|i18n/|language/|healthz)|export|/pdf/?$|\.(xlsx|csv|pdf|png|json|ics|svg)$")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
HIDDEN = {"script", "style", "template", "noscript", "title"}
VISIBLE_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []  # (tag, skipped)
        self.chinese = []
        self.links = []

    def _skipped(self):
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skipped = self._skipped() or attrs.get("translate") == "no" or tag in HIDDEN or "hidden" in attrs
        if tag == "input" and attrs.get("type") == "hidden":
            skipped = True
        if not skipped:
            for name in VISIBLE_ATTRIBUTES:
                self._check(attrs.get(name) or "", f"<{tag} {name}>")
            if tag == "input" and attrs.get("type") in ("submit", "button"):
                self._check(attrs.get("value") or "", f"<{tag} value>")
        for name in ("href", "hx-get"):
            if tag in ("a", "link") and name == "href" or name == "hx-get":
                if attrs.get(name):
                    self.links.append(attrs[name])
        if tag not in VOID:
            self.stack.append((tag, skipped))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if not self._skipped():
            where = self.stack[-1][0] if self.stack else "document"
            self._check(data, f"<{where}>")

    def _check(self, text, where):
        if HAN.search(text):
            self.chinese.append(f"{where} {' '.join(text.split())[:80]}")


def read(html):
    """(Chinese outside data values, links) of an HTML page."""
    page = _Page()
    page.feed(html)
    page.close()
    return page.chinese, page.links


def same_origin_pages(links, base):
    """The links worth following from the page at `base` (a path): same origin, GET pages."""
    found = []
    for link in links:
        if link.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        url = urlsplit(urljoin("http://testserver" + base, link))
        if url.netloc != "testserver" or SKIP.search(url.path):
            continue
        found.append(url.path + (f"?{url.query}" if url.query else ""))
    return found


def pattern(url):
    """Pages that differ only in ids or parameter values are one page for the crawl."""
    path, _, query = url.partition("?")
    keys = sorted({part.split("=")[0] for part in query.split("&") if part})
    return re.sub(r"\d+", "N", path) + ("?" + "&".join(keys) if keys else "")


def crawl(fetch, start="/", limit=PAGES_PER_ROLE):
    """Breadth-first over same-origin pages. `fetch(url)` returns (status, final url, html or
    None). Returns (pages visited, {url: [Chinese found]})."""
    queue, seen, visited, problems = [start], {pattern(start)}, [], {}
    while queue and len(visited) < limit:
        url = queue.pop(0)
        status, final, html = fetch(url)
        if html is None:
            continue
        visited.append(url)
        chinese, links = read(html)
        if chinese:
            problems[url] = chinese
        for link in same_origin_pages(links, final):
            if pattern(link) not in seen:
                seen.add(pattern(link))
                queue.append(link)
    return visited, problems
