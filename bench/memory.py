"""Resident memory (RSS) and CPU time of the processes a benchmark runs: web workers, task
workers and drains, PostgreSQL's processes, the load client and the benchmark itself."""

import os

import psutil


def rss_mb(pid):
    try:
        return round(psutil.Process(pid).memory_info().rss / 1024 / 1024, 1)
    except psutil.Error:
        return None


def web_workers(master_pid):
    """{pid: RSS MB} of a web server's worker processes (the children of its main process)."""
    try:
        children = psutil.Process(master_pid).children()
    except psutil.Error:
        return {}
    return {child.pid: rss_mb(child.pid) for child in children}


class CpuMeter:
    """CPU seconds (user + system) that each group of processes spends between `start` and
    `stop`: where a throughput-bound run's cores go. `groups` maps a name to a function
    returning the group's root processes; a root's children count with it (live ones from
    their own times, exited ones from the time their parent reaped). Always measured too:
    "postgresql" (every process of the server) and "bench" (this process alone, without the
    servers it started: it waits on the load and polls the queue). The load client's own
    time is given to `stop`."""

    def __init__(self, **groups):
        self.groups = {name: _trees(roots) for name, roots in groups.items()}
        self.groups.update(postgresql=_trees(_postmaster), bench=_own_seconds)

    def start(self):
        self._started = self._read()
        return self

    def stop(self, *, wall_s, units, client_s):
        """{group: CPU ms per unit of work}, and how many of the machine's cores were busy;
        `client_s`: the CPU seconds of the load client (`load.Load.client_cpu_s`)."""
        spent = {name: seconds - self._started[name] for name, seconds in self._read().items()}
        spent["client"] = client_s
        return {
            "cpu_ms_per_unit": {name: round(seconds * 1000 / units, 2) for name, seconds in spent.items()} if units else {},
            "cores_busy": round(sum(spent.values()) / wall_s, 2),
            "cores": psutil.cpu_count(),
        }

    def _read(self):
        return {name: seconds() for name, seconds in self.groups.items()}


def started(*popens):
    """A `CpuMeter` group of processes we started (`subprocess.Popen`s) that are still running."""
    return lambda: [psutil.Process(p.pid) for p in popens if p.poll() is None]


def _trees(roots):
    return lambda: sum(_tree_seconds(root) for root in roots())


def _tree_seconds(root):
    try:
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system + times.children_user + times.children_system
    return total


def _own_seconds():
    times = psutil.Process(os.getpid()).cpu_times()
    return times.user + times.system


def _postmaster():
    """PostgreSQL's server process on this machine (its children are the backends)."""
    return [process for process in psutil.process_iter(["name", "ppid"])
            if process.info["name"] in ("postgres", "postmaster") and process.info["ppid"] == 1][:1]
