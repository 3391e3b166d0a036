"""Start and stop production-like servers for the HTTP benchmarks: the web server on a
loopback port with DEBUG off (granian, as docs/deployment.md runs it, or gunicorn with
BENCH_SERVER=gunicorn, to compare), `manage.py db_worker` task workers and `manage.py
drain_intake` drains."""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_SERVER", "granian")
WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "2"))
THREADS = int(os.environ.get("BENCH_WEB_THREADS", "2"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env():
    env = dict(os.environ)
    env.update(DJANGO_SETTINGS_MODULE="liulin.settings", DJANGO_DEBUG="0", DB_CONN_MAX_AGE="600", LOG_LEVEL="ERROR",
               DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost", PYTHONPATH=str(ROOT))
    # The load exceeds any real client's rate: limits high enough never to refuse, still
    # counted, so the figures include the limiter's cost.
    env.setdefault("LIULIN_API_RATE_LIMIT_TOKEN", "100000000/m")
    env.setdefault("LIULIN_API_RATE_LIMIT_USER", "100000000/m")
    return env


def web_settings():
    return {"server": _SERVERS[SERVER][0], "workers": WORKERS, "threads": THREADS, "bind": "127.0.0.1",
            "DEBUG": False, "CONN_MAX_AGE": 600, "settings": "liulin.settings with DJANGO_DEBUG=0"}


def _granian(port):
    return ["-m", "granian", "--interface", "wsgi", "liulin.wsgi:application", "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(WORKERS), "--blocking-threads", str(THREADS), "--no-ws", "--log-level", "warning"]


def _gunicorn(port):
    return ["-m", "gunicorn", "liulin.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS),
            "--threads", str(THREADS), "--worker-class", "gthread", "--log-level", "warning", "--timeout", "60"]


_SERVERS = {"granian": ("granian (WSGI)", _granian), "gunicorn": ("gunicorn (gthread)", _gunicorn)}


def start_web(port=None, *, log=print):
    """The web server on `port` (a free one by default), once it answers; returns (process, port)."""
    port = port or free_port()
    # Its errors go to a file, not a pipe: a pipe nobody reads would stall the server once full.
    errors = tempfile.TemporaryFile()
    proc = subprocess.Popen([sys.executable, *_SERVERS[SERVER][1](port)], cwd=ROOT, env=server_env(), stdout=subprocess.DEVNULL,
                            stderr=errors, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            errors.seek(0)
            raise RuntimeError(f"{SERVER} exited: {errors.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=5) as r:
                if r.status == 200:
                    return proc, port
        except OSError:
            time.sleep(0.3)
    stop(proc)
    raise RuntimeError(f"{SERVER} did not answer within 60 s")


def start_db_worker(*, interval="0.2", log_file=None):
    return _start_command("db_worker", "--interval", interval, log_file=log_file)


def start_drain(*, every="0.2", log_file=None):
    """`drain_intake` as docs/deployment.md runs it: a pass, then `every` seconds to gather the next batch."""
    return _start_command("drain_intake", "--every", every, log_file=log_file)


def _start_command(*args, log_file):
    """A long-running `manage.py` command in its own process group (`stop` ends it)."""
    out = open(log_file, "wb") if log_file else subprocess.DEVNULL
    return subprocess.Popen([sys.executable, "manage.py", *args], cwd=ROOT, env=server_env(), stdout=out,
                            stderr=subprocess.STDOUT, start_new_session=True)


def stop(proc, timeout=20):
    """Stop one process we started (and its own children: its process group)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)
