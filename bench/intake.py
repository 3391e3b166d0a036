"""Intake over HTTP by N concurrent clients (wrk, `bench/load.py`: one keep-alive connection
each, one request in flight) against the web server (`server.start_web`) on loopback, for
BENCH_INTAKE_SECONDS a way, both ways a client may file:

- direct: POST /api/v1/tickets, answered 201 once routed, dispatched, with its deadlines,
  hash-chained events and KPI counters;
- queued: POST /api/v1/tickets/intake, answered 202 once stored, while `manage.py
  drain_intake` files the queue in batches (the same routing, deadlines, events and
  counters). Its throughput is counted end to end: requests filed per second, from the first
  request sent to the last one filed, not merely answered; the lag is receipt to filing.

First, the 202 in this process (`_accepted_in_process`): the CPU one costs through the whole
Django stack, without the network and the server, a figure two commits can be compared on
where the HTTP ones move with the machine."""

import itertools
import os
import random
import time

from . import load as wrk
from . import memory, server
from .common import summary, timed

DRAINS = int(os.environ.get("BENCH_DRAINS", "1"))
BODIES = 5000  # distinct request bodies the load cycles through
CHUNK = 5000  # request ids looked up per query

CATEGORIES = ("property-elevator", "property-leak", "property-access", "sanitation", "noise", "municipal-streetlight",
              "utilities-heating", "safety", "dispute", "property-corridor")
TEXTS = ("电梯停运，老人上下楼困难", "楼上漏水，天花板渗水", "门禁坏了", "垃圾桶满溢，异味严重", "夜间施工噪音扰民",
         "路灯不亮，夜间出行不便", "暖气不热", "楼道电动车充电飞线", "邻里纠纷请调解", "楼道堆放杂物")


def _body(rng, buildings, client_request_id=None):
    n = rng.randrange(len(CATEGORIES))
    body = {"category": CATEGORIES[n], "description": TEXTS[n], "building_id": rng.choice(buildings), "urgency": "normal"}
    return {**body, "client_request_id": client_request_id} if client_request_id else body


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

    buildings = list(Building.objects.filter(community__path__startswith="/BC/").values_list("pk", flat=True)[:5000])
    rng = random.Random(0)
    load = {"token": tokens["operator"], "buildings": buildings, "bodies": [_body(rng, buildings) for _ in range(BODIES)],
            "clients": int(os.environ.get("BENCH_CLIENTS", "8")), "seconds": float(os.environ.get("BENCH_INTAKE_SECONDS", "30"))}
    in_process = {"intake queued 202 in process": _accepted_in_process(load, log)}
    proc, port = server.start_web(log=log)
    try:
        # Warm-up: every worker thread loads the URL conf, the configuration and its connection.
        _post(port, load, "/api/v1/tickets", "warm-up", seconds=3)
        web = memory.started(proc)
        figures = {**in_process, "intake http": _direct(port, load, web, log), "intake queued http": _queued(port, load, web, log),
                   "ceiling GET /healthz": _ceiling(port, load, web, log)}
        workers = memory.web_workers(proc.pid)
    finally:
        server.stop(proc)
    return figures, {"web_worker_rss_mb": workers}


def _post(port, load, path, label, seconds=None):
    """wrk POSTing the load's bodies to `path`, each with a new request id, for `seconds`."""
    return wrk.run(f"http://127.0.0.1:{port}{path}", clients=load["clients"], seconds=seconds or load["seconds"],
                   token=load["token"], bodies=load["bodies"], run_id=f"bench-{label}-{time.time():.0f}")


def _direct(port, load, web, log):
    cpu = memory.CpuMeter(web=web).start()
    done = _post(port, load, "/api/v1/tickets", "direct")
    created = done.statuses.get("201", 0)
    spent = cpu.stop(wall_s=done.seconds, units=created, client_s=done.client_cpu_s)
    result = done.summary(rows=created, clients=load["clients"], **_outcome(done.sent_ids), server=server.web_settings(), cpu=spent)
    log(f"  direct: {result['throughput_per_s']} tickets/s, p50 {result['p50_ms']} p95 {result['p95_ms']} p99 {result['p99_ms']} ms, "
        f"statuses {done.statuses}; {_cpu_line(spent)}")
    return result


def _queued(port, load, web, log):
    """The queued way with DRAINS drain processes running beside the server, counted until
    the queue is empty (the drains file in order of receipt, this run's requests last)."""
    from liulin.whistle.models import Intake
    from liulin.whistle.services import queue

    left = queue.drain()  # requests an interrupted run left queued would be filed within this run
    if left:
        log(f"  filed first {left} requests left queued by an earlier run")
    drains = [server.start_drain() for _ in range(DRAINS)]
    cpu = memory.CpuMeter(web=web, drains=memory.started(*drains))
    try:
        cpu.start()
        started = time.monotonic()
        done = _post(port, load, "/api/v1/tickets/intake", "queued")
        queued = Intake.objects.filter(status=Intake.Status.QUEUED)  # read from its partial index
        give_up = time.monotonic() + 300
        while queued.exists() and time.monotonic() < give_up:
            time.sleep(0.05)
        filed_wall = time.monotonic() - started
        accepted = done.statuses.get("202", 0)
        spent = cpu.stop(wall_s=filed_wall, units=accepted, client_s=done.client_cpu_s)
    finally:
        for drain in drains:
            server.stop(drain)
    rows = [row for chunk in _chunks(done.sent_ids) for row in Intake.objects.filter(client_request_id__in=chunk)]
    filed = [r for r in rows if r.status == Intake.Status.FILED]
    lags = [(r.processed_at - r.received_at).total_seconds() for r in filed]
    result = done.summary(rows=accepted, clients=load["clients"], filed=len(filed),
                          rejected=sum(1 for r in rows if r.status == Intake.Status.REJECTED),
                          filed_per_s=round(len(filed) / filed_wall, 1), seconds_until_all_filed=round(filed_wall, 2),
                          lag=summary(lags), **_outcome([r.client_request_id for r in filed]), drains=DRAINS,
                          server=server.web_settings(), cpu=spent)
    log(f"  queued: answered {result['throughput_per_s']}/s (p50 {result['p50_ms']} p95 {result['p95_ms']} p99 {result['p99_ms']} ms), "
        f"filed {result['filed_per_s']}/s end to end, lag p50 {result['lag']['p50_ms']} p99 {result['lag']['p99_ms']} ms, "
        f"statuses {done.statuses}; {_cpu_line(spent)}")
    return result


def _ceiling(port, load, web, log):
    """The same clients and server on `GET /healthz` (a JSON view through the whole middleware
    stack, no database): what this machine serves at most, to read the intake figures against."""
    cpu = memory.CpuMeter(web=web).start()
    done = wrk.run(f"http://127.0.0.1:{port}/healthz", clients=load["clients"], seconds=min(load["seconds"], 15))
    spent = cpu.stop(wall_s=done.seconds, units=done.answered, client_s=done.client_cpu_s)
    result = done.summary(clients=load["clients"], cpu=spent)
    log(f"  ceiling: GET /healthz {result['throughput_per_s']}/s, p99 {result['p99_ms']} ms; {_cpu_line(spent)}")
    return result


def _cpu_line(cpu):
    """Where the cores went: CPU ms per request by process group."""
    each = ", ".join(f"{name} {ms}" for name, ms in cpu["cpu_ms_per_unit"].items())
    return f"CPU ms each: {each} ({cpu['cores_busy']} of {cpu['cores']} cores busy)"


def _outcome(request_ids):
    """What the tickets filed with these request ids show: dispatched with their deadlines,
    and their events."""
    from liulin.whistle.models import Ticket, TicketEvent

    dispatched = events = 0
    for chunk in _chunks(request_ids):
        tickets = Ticket.objects.filter(client_request_id__in=chunk)
        dispatched += tickets.filter(state="dispatched", handling_org__isnull=False, resolve_due__isnull=False).count()
        events += TicketEvent.objects.filter(ticket__in=tickets).count()
    return {"dispatched_with_deadlines": dispatched, "events_written": events}


def _chunks(values):
    """`values` a CHUNK at a time: SQLite takes at most 32,766 parameters a statement."""
    return (values[i:i + CHUNK] for i in range(0, len(values), CHUNK))
