"""Intake over HTTP: POST /api/v1/tickets with a bearer token, through routing, deadlines,
the hash-chained events and the KPI rollups, by N concurrent clients (a bounded asyncio
client on aiohttp, one keep-alive connection each) against gunicorn on loopback.

Bounded: at most BENCH_INTAKE_REQUESTS requests and BENCH_INTAKE_SECONDS seconds."""

import asyncio
import json
import os
import random
import time

import aiohttp

from . import memory, server
from .common import summary

CATEGORIES = ("property-elevator", "property-leak", "property-access", "sanitation", "noise", "municipal-streetlight",
              "utilities-heating", "safety", "dispute", "property-corridor")
TEXTS = ("电梯停运，老人上下楼困难", "楼上漏水，天花板渗水", "门禁坏了", "垃圾桶满溢，异味严重", "夜间施工噪音扰民",
         "路灯不亮，夜间出行不便", "暖气不热", "楼道电动车充电飞线", "邻里纠纷请调解", "楼道堆放杂物")


async def _load(port, token, buildings, *, clients, total, seconds, run_id):
    url = f"http://127.0.0.1:{port}/api/v1/tickets"
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    latencies, statuses, created_ids = [], {}, []
    counter = iter(range(total))
    deadline = time.monotonic() + seconds

    async def client(k):
        rng = random.Random(k)
        connector = aiohttp.TCPConnector(limit=1)
        async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as session:
            for i in counter:
                if time.monotonic() > deadline:
                    return
                n = rng.randrange(len(CATEGORIES))
                body = {"category": CATEGORIES[n], "description": TEXTS[n], "building_id": rng.choice(buildings),
                        "urgency": "normal", "client_request_id": f"bench-{run_id}-{i}"}
                start = time.perf_counter()
                async with session.post(url, data=json.dumps(body), headers=headers) as response:
                    payload = await response.read()
                latencies.append(time.perf_counter() - start)
                statuses[response.status] = statuses.get(response.status, 0) + 1
                if response.status == 201:
                    created_ids.append(json.loads(payload)["id"])

    start = time.monotonic()
    await asyncio.gather(*(client(k) for k in range(clients)))
    return latencies, statuses, created_ids, time.monotonic() - start


def run(personas, tokens, *, log=print):
    from liulin.territory.models import Building
    from liulin.whistle.models import Ticket, TicketEvent

    clients = int(os.environ.get("BENCH_CLIENTS", "8"))
    total = int(os.environ.get("BENCH_INTAKE_REQUESTS", "6000"))
    seconds = float(os.environ.get("BENCH_INTAKE_SECONDS", "60"))
    buildings = list(Building.objects.filter(community__path__startswith="/BC/").values_list("pk", flat=True)[:5000])
    proc, port = server.start_gunicorn(log=log)
    try:
        run_id = f"{int(time.time())}"
        # Warm-up: every worker thread loads jieba, the URL conf and its connection.
        asyncio.run(_load(port, tokens["operator"], buildings, clients=clients, total=clients * 8, seconds=30, run_id=run_id + "w"))
        latencies, statuses, created, wall = asyncio.run(
            _load(port, tokens["operator"], buildings, clients=clients, total=total, seconds=seconds, run_id=run_id)
        )
        workers = memory.gunicorn_workers(proc.pid)
    finally:
        server.stop(proc)
    made = Ticket.objects.filter(pk__in=created)
    dispatched = made.filter(state="dispatched", handling_org__isnull=False, resolve_due__isnull=False).count()
    events = TicketEvent.objects.filter(ticket_id__in=created).count()
    result = summary(latencies, wall_s=wall, rows=len(created), clients=clients, statuses={str(k): v for k, v in statuses.items()},
                     dispatched_with_deadlines=dispatched, events_written=events, server=server.gunicorn_settings())
    log(f"  intake: {result['throughput_per_s']} tickets/s, p50 {result['p50_ms']} p95 {result['p95_ms']} p99 {result['p99_ms']} ms, "
        f"statuses {statuses}")
    return {"intake http": result}, {"web_worker_rss_mb": workers}
