"""Worklists and the supervisor board, first and deep pages: the selector, the HTML page
(htmx partial for deeper pages, as the page loads them) and the REST API list, in process
through the whole Django stack (middleware, auth, templates; DEBUG off).

The clock stands at the generation moment (ticking on from there), as the sweep's does: read
weeks later, every open ticket would be overdue, the board's near-deadline list empty, and
the lists would not be the ones a supervisor sees on a working day."""

import os

import time_machine
from django.test import Client

from .common import summary, timed

WORKLIST_PERSONAS = ("property_company", "department", "grid_worker", "community_secretary", "district_supervisor")
API_STATES = "dispatched,accepted,in_progress,suspended,resolved"


def _deep_cursor(user, pages):
    """The worklist cursor `pages` pages in (or the last one there is), and how deep it got."""
    from liulin.whistle import selectors

    cursor, depth = None, 0
    for _ in range(pages):
        _, nxt = selectors.worklist(user, after=cursor)
        if nxt is None:
            break
        cursor, depth = nxt, depth + 1
    return cursor, depth


def _api_deep_cursor(client, headers, pages):
    cursor, depth = None, 0
    for _ in range(pages):
        url = f"/api/v1/tickets?state={API_STATES}&limit=25" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url, **headers).json()
        if not body.get("next_cursor"):
            break
        cursor, depth = body["next_cursor"], depth + 1
    return cursor, depth


def run(personas, tokens, *, now, repeat=None, deep=None, log=print):
    with time_machine.travel(now, tick=True):
        return _run(personas, tokens, repeat=repeat, deep=deep, log=log)


def _run(personas, tokens, *, repeat, deep, log):
    from liulin.whistle import selectors

    repeat = repeat or int(os.environ.get("BENCH_PAGE_REPEAT", "30"))
    deep = deep or int(os.environ.get("BENCH_DEEP_PAGES", "40"))
    results = {}
    for name in WORKLIST_PERSONAS:
        user = personas.get(name)
        if user is None:
            continue
        client = Client()
        client.force_login(user)
        headers = {"HTTP_AUTHORIZATION": f"Bearer {tokens[name]}"}
        cursor, depth = _deep_cursor(user, deep)
        api_cursor, api_depth = _api_deep_cursor(client, headers, deep)

        def sel(after=None, user=user):
            rows, _ = selectors.worklist(user, after=after)
            return len(rows)

        def page(after=None, client=client):
            extra = {"HTTP_HX_REQUEST": "true"} if after else {}
            response = client.get("/whistle/work/" + (f"?after={after.encode()}" if after else ""), **extra)
            assert response.status_code == 200, response.status_code
            return len(response.content)

        def api(after=None, client=client, headers=headers):
            url = f"/api/v1/tickets?state={API_STATES}&limit=25" + (f"&cursor={after}" if after else "")
            response = client.get(url, **headers)
            assert response.status_code == 200, response.content[:200]
            return len(response.json()["items"])

        for label, fn, arg, d in (
            ("selector first", sel, None, 0),
            (f"selector deep (page {depth + 1})", sel, cursor, depth),
            ("page first", page, None, 0),
            (f"page deep (page {depth + 1})", page, cursor, depth),
            ("api first", api, None, 0),
            (f"api deep (page {api_depth + 1})", api, api_cursor, api_depth),
        ):
            latencies, cpu, rows = timed(lambda fn=fn, arg=arg: fn(arg), repeat=repeat)
            key = f"worklist {name}: {label}"
            results[key] = summary(latencies, rows=rows, depth=d, **cpu)
            log(f"  {key}: p95 {results[key]['p95_ms']} ms")

    for name in ("community_secretary", "district_supervisor"):
        user = personas.get(name)
        if user is None:
            continue
        client = Client()
        client.force_login(user)

        def board(user=user):
            lists = selectors.supervisor_board(user)
            return sum(len(v) for v in lists.values())

        def board_page(client=client):
            response = client.get("/whistle/board/")
            assert response.status_code == 200
            return len(response.content)

        for label, fn in (("selector", board), ("page", board_page)):
            latencies, cpu, rows = timed(fn, repeat=repeat)
            key = f"board {name}: {label}"
            results[key] = summary(latencies, rows=rows, **cpu)
            log(f"  {key}: p95 {results[key]['p95_ms']} ms")
    return results
