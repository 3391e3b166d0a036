"""HTTP load for the intake benchmarks: wrk (Debian's package, which `make bench` installs)
holding N keep-alive connections, each with one request in flight, from one thread of C,
for a number of seconds (docs/decisions.md). The load shares the machine's two cores with
the server it measures, so it must cost little: wrk spends 0.02-0.07 ms of CPU a request
where an asyncio client on aiohttp spent 0.14-0.39.

`bench/wrk.lua` makes each POST a new request with a client_request_id of its own, counts
the answers by status and writes wrk's latency percentiles to a file."""

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).resolve().with_name("wrk.lua")


@dataclass
class Load:
    """What one wrk run did: answers by status, latency percentiles (ms), the client CPU."""

    answered: int
    seconds: float
    statuses: dict
    latency_ms: dict
    client_cpu_s: float
    sent_ids: list

    def summary(self, **extra):
        """The figures in the shape `common.summary` gives for in-process timings."""
        return {"count": self.answered, **self.latency_ms, "throughput_per_s": round(self.answered / self.seconds, 1),
                "statuses": self.statuses, **extra}


def run(url, *, clients, seconds, token=None, bodies=(), run_id=""):
    """Load `url` for `seconds` with `clients` connections: GETs, or with `token` POSTs of
    `bodies` (dicts, cycled) each with the client_request_id `{run_id}-{thread}-{n}`."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed: `make bench` installs it (apt-get install wrk)")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp, "out.json")
        args = []
        if token:
            args = ["--", token, run_id, str(_write_bodies(Path(tmp, "bodies"), bodies))]
        with open(Path(tmp, "errors"), "w+b") as errors:
            proc = subprocess.Popen(
                [wrk, "-t1", f"-c{clients}", f"-d{max(1, round(seconds))}s", "--timeout", "30s", "-s", str(SCRIPT), url, *args],
                env={**os.environ, "WRK_OUT": str(out)}, stdout=subprocess.DEVNULL, stderr=errors,
            )
            # wait4 gives this child's own CPU time, which psutil can no longer read once it exits.
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            if proc.returncode != 0 or not out.exists():
                errors.seek(0)
                raise RuntimeError(f"wrk failed ({proc.returncode}): {errors.read().decode()[-2000:]}")
        figures = json.loads(out.read_text())
    sent = [f"{run_id}-{thread}-{n}" for thread, count in enumerate(figures["sent_by_thread"], 1) for n in range(1, count + 1)]
    return Load(
        answered=figures["requests"],
        seconds=figures["duration_us"] / 1e6,
        statuses={**figures["statuses"], **({"socket errors": figures["socket_errors"]} if figures["socket_errors"] else {})},
        latency_ms={f"{name}_ms": round(figures[f"{name}_us"] / 1000, 2) for name in ("p50", "p95", "p99", "mean", "max")},
        client_cpu_s=usage.ru_utime + usage.ru_stime,
        sent_ids=sent if token else [],
    )


def _write_bodies(path, bodies):
    """One JSON body a line, "%s" (for wrk.lua's string.format) where the id goes."""
    def line(body):
        escaped = {name: value.replace("%", "%%") if isinstance(value, str) else value for name, value in body.items()}
        return json.dumps({**escaped, "client_request_id": "%s"}, ensure_ascii=False)

    path.write_text("".join(line(body) + "\n" for body in bodies), encoding="utf-8")
    return path
