"""Intake over HTTP by N concurrent clients (a bounded asyncio client on aiohttp, one
keep-alive connection each) against the web server (`server.start_web`) on loopback, both
ways a client may file:

- direct: POST /api/v1/tickets, answered 201 once routed, dispatched, with its deadlines,
  hash-chained events and KPI counters;
- queued: POST /api/v1/tickets/intake, answered 202 once stored, while `manage.py
  drain_intake` files the queue in batches (the same routing, deadlines, events and
  counters). Its throughput is counted end to end: requests filed per second, from the first
  request sent to the last one filed, not merely answered; the lag is receipt to filing.

Bounded: at most BENCH_INTAKE_REQUESTS requests and BENCH_INTAKE_SECONDS seconds a way.

First, the 202 in this process (`_accepted_in_process`): the CPU one costs through the whole
Django stack, without the network and the server, a figure two commits can be compared on
where the HTTP ones move with the machine."""

import asyncio
import itertools
import json
import os
import random
import time

import aiohttp

from . import memory, server
from .common import summary, timed

DRAINS = int(os.environ.get("BENCH_DRAINS", "1"))

CATEGORIES = ("property-elevator", "property-leak", "property-access", "sanitation", "noise", "municipal-streetlight",
              "utilities-heating", "safety", "dispute", "property-corridor")
TEXTS = ("电梯停运，老人上下楼困难", "楼上漏水，天花板渗水", "门禁坏了", "垃圾桶满溢，异味严重", "夜间施工噪音扰民",
         "路灯不亮，夜间出行不便", "暖气不热", "楼道电动车充电飞线", "邻里纠纷请调解", "楼道堆放杂物")


async def _load(port, token, buildings, *, clients, total, seconds, run_id, path="/api/v1/tickets"):
    url = f"http://127.0.0.1:{port}{path}"
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
                if buildings:
                    send = session.post(url, data=json.dumps(_body(rng, buildings, f"bench-{run_id}-{i}")), headers=headers)
                else:  # the ceiling: a plain GET
                    send = session.get(url)
                start = time.perf_counter()
                async with send as response:
                    payload = await response.read()
                latencies.append(time.perf_counter() - start)
                statuses[response.status] = statuses.get(response.status, 0) + 1
                if response.status in (201, 202):
                    created_ids.append(json.loads(payload)["id"])

    start = time.monotonic()
    await asyncio.gather(*(client(k) for k in range(clients)))
    return latencies, statuses, created_ids, time.monotonic() - start


def _body(rng, buildings, client_request_id):
    n = rng.randrange(len(CATEGORIES))
    return {"category": CATEGORIES[n], "description": TEXTS[n], "building_id": rng.choice(buildings), "urgency": "normal",
            "client_request_id": client_request_id}


def _accepted_in_process(load, log, repeat=None):
    """`POST /api/v1/tickets/intake` through Django's test client in this process: wall-clock
    and CPU per 202. Its requests are deleted after, so that no drain files them."""
    from django.test import Client

    from liulin.whistle.models import Intake

    client, rng, prefix, sent = Client(), random.Random(0), f"bench-cpu-{time.time()}-", itertools.count()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {load['token']}"}

    def accept():
        body = _body(rng, load["buildings"], f"{prefix}{next(sent)}")
        response = client.post("/api/v1/tickets/intake", body, content_type="application/json", **headers)
        assert response.status_code == 202, response.content[:200]

    repeat = repeat or int(os.environ.get("BENCH_CPU_REQUESTS", "1000"))
    latencies, cpu, _ = timed(accept, repeat=repeat, warmup=50)
    Intake.objects.filter(client_request_id__startswith=prefix).delete()
    result = summary(latencies, **cpu)
    log(f"  202 in process: CPU p50 {result['cpu_p50_ms']} ms, wall p50 {result['p50_ms']} p95 {result['p95_ms']} ms")
    return result


def run(personas, tokens, *, log=print):
    from liulin.territory.models import Building

    clients = int(os.environ.get("BENCH_CLIENTS", "8"))
    total = int(os.environ.get("BENCH_INTAKE_REQUESTS", "6000"))
    seconds = float(os.environ.get("BENCH_INTAKE_SECONDS", "60"))
    buildings = list(Building.objects.filter(community__path__startswith="/BC/").values_list("pk", flat=True)[:5000])
    load = {"token": tokens["operator"], "buildings": buildings, "clients": clients, "total": total, "seconds": seconds}
    in_process = {"intake queued 202 in process": _accepted_in_process(load, log)}
    proc, port = server.start_web(log=log)
    try:
        # Warm-up: every worker thread loads the URL conf, the configuration and its connection.
        asyncio.run(_load(port, **{**load, "total": clients * 8, "seconds": 30}, run_id=f"{time.time()}w"))
        web = memory.started(proc)
        figures = {**in_process, "intake http": _direct(port, load, web, log), "intake queued http": _queued(port, load, web, log),
                   "ceiling GET /healthz": _ceiling(port, load, web, log)}
        workers = memory.web_workers(proc.pid)
    finally:
        server.stop(proc)
    return figures, {"web_worker_rss_mb": workers}


def _direct(port, load, web, log):
    from liulin.whistle.models import Ticket

    cpu = memory.CpuMeter(web=web).start()
    latencies, statuses, created, wall = asyncio.run(_load(port, **load, run_id=f"{time.time()}d"))
    result = summary(latencies, wall_s=wall, rows=len(created), clients=load["clients"], statuses=_keys(statuses),
                     **_outcome(Ticket.objects.filter(pk__in=created)), server=server.web_settings(),
                     cpu=cpu.stop(wall_s=wall, units=len(created)))
    log(f"  direct: {result['throughput_per_s']} tickets/s, p50 {result['p50_ms']} p95 {result['p95_ms']} p99 {result['p99_ms']} ms, "
        f"statuses {statuses}; {_cpu_line(result['cpu'])}")
    return result


def _queued(port, load, web, log):
    """The queued way with DRAINS drain processes running beside the server."""
    from liulin.whistle.models import Intake, Ticket

    drains = [server.start_drain() for _ in range(DRAINS)]
    cpu = memory.CpuMeter(web=web, drains=memory.started(*drains))
    try:
        cpu.start()
        started = time.monotonic()
        latencies, statuses, queued, wall = asyncio.run(_load(port, **load, run_id=f"{time.time()}q", path="/api/v1/tickets/intake"))
        pending = Intake.objects.filter(pk__in=queued, status=Intake.Status.QUEUED)
        give_up = time.monotonic() + 300
        while pending.exists() and time.monotonic() < give_up:
            time.sleep(0.05)
        filed_wall = time.monotonic() - started
        spent = cpu.stop(wall_s=filed_wall, units=len(queued))
    finally:
        for drain in drains:
            server.stop(drain)
    rows = list(Intake.objects.filter(pk__in=queued))
    filed = [r for r in rows if r.status == Intake.Status.FILED]
    lags = [(r.processed_at - r.received_at).total_seconds() for r in filed]
    tickets = Ticket.objects.filter(client_request_id__in=[r.client_request_id for r in filed])
    result = summary(latencies, wall_s=wall, rows=len(queued), clients=load["clients"], statuses=_keys(statuses),
                     filed=len(filed), rejected=sum(1 for r in rows if r.status == Intake.Status.REJECTED),
                     filed_per_s=round(len(filed) / filed_wall, 1), seconds_until_all_filed=round(filed_wall, 2),
                     lag=summary(lags), **_outcome(tickets), drains=DRAINS,
                     server=server.web_settings(), cpu=spent)
    log(f"  queued: answered {result['throughput_per_s']}/s (p50 {result['p50_ms']} p95 {result['p95_ms']} p99 {result['p99_ms']} ms), "
        f"filed {result['filed_per_s']}/s end to end, lag p50 {result['lag']['p50_ms']} p99 {result['lag']['p99_ms']} ms, "
        f"statuses {statuses}; {_cpu_line(spent)}")
    return result


def _ceiling(port, load, web, log):
    """The same clients and server on `GET /healthz` (a JSON view through the whole middleware
    stack, no database): what this machine serves at most, to read the intake figures against."""
    ceiling = {**load, "token": "", "buildings": [], "total": load["total"] * 2, "seconds": min(load["seconds"], 15)}
    cpu = memory.CpuMeter(web=web).start()
    latencies, statuses, _, wall = asyncio.run(_load(port, **ceiling, run_id="", path="/healthz"))
    result = summary(latencies, wall_s=wall, clients=load["clients"], statuses=_keys(statuses),
                     cpu=cpu.stop(wall_s=wall, units=len(latencies)))
    log(f"  ceiling: GET /healthz {result['throughput_per_s']}/s, p99 {result['p99_ms']} ms; {_cpu_line(result['cpu'])}")
    return result


def _cpu_line(cpu):
    """Where the cores went: CPU ms per request by process group."""
    each = ", ".join(f"{name} {ms}" for name, ms in cpu["cpu_ms_per_unit"].items())
    return f"CPU ms each: {each} ({cpu['cores_busy']} of {cpu['cores']} cores busy)"


def _outcome(tickets):
    """What the filed tickets show: dispatched with their deadlines, and their events."""
    from liulin.whistle.models import TicketEvent

    dispatched = tickets.filter(state="dispatched", handling_org__isnull=False, resolve_due__isnull=False).count()
    return {"dispatched_with_deadlines": dispatched, "events_written": TicketEvent.objects.filter(ticket__in=tickets).count()}


def _keys(statuses):
    return {str(k): v for k, v in statuses.items()}
