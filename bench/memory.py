"""Resident memory (RSS) of processes the benchmarks started: web workers and task workers."""

import psutil


def rss_mb(pid):
    try:
        return round(psutil.Process(pid).memory_info().rss / 1024 / 1024, 1)
    except psutil.Error:
        return None


def gunicorn_workers(master_pid):
    """{pid: RSS MB} of a gunicorn master's worker processes."""
    try:
        children = psutil.Process(master_pid).children()
    except psutil.Error:
        return {}
    return {child.pid: rss_mb(child.pid) for child in children}
