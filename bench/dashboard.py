"""The 数据驾驶舱 page (dashboard:cockpit) at the city's size: a community secretary's page
(one community) and a district's staff page (every community of the district), each drawn
through the test client as a browser would get it - every app's tile, its queries and the
template - with the clock at the benchmark's `now` so the last six months hold its tickets."""

import os

from .common import summary, timed


def run(personas, *, now, repeat=None, log=print):
    import time_machine
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    repeat = repeat or int(os.environ.get("BENCH_DASHBOARD_REPEAT", "20"))
    cases = [("community", personas["community_secretary"]), ("district", personas["district_supervisor"])]
    results = {}
    with time_machine.travel(now, tick=True):
        for label, user in cases:
            if user is None:
                continue
            client = Client()
            client.force_login(user)
            url = reverse("dashboard:cockpit")

            def page(client=client, url=url):
                response = client.get(url)
                assert response.status_code == 200, response.status_code
                return response

            latencies, cpu, response = timed(page, repeat=repeat)
            with CaptureQueriesContext(connection) as queries:
                page()
            name = f"dashboard cockpit ({label})"
            # tiles counted in the page (the test client keeps no template context outside tests)
            results[name] = summary(latencies, rows=response.content.count(b'class="cockpit-tile"'), queries=len(queries.captured_queries),
                                    bytes=len(response.content), **cpu)
            log(f"  {name}: p95 {results[name]['p95_ms']} ms, {results[name]['queries']} queries")
    return results
