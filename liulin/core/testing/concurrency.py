"""Real concurrent requests for race tests: every app proves its capacity, balance and
"one per" rules with threads that start at the same moment, each on its own connection."""

import sqlite3
import threading

from django.db import connection, connections


def run_at_once(calls, *, before=None, timeout=60):
    """Run each callable in its own thread, released together by a barrier. `before` runs in
    each thread first (e.g. to point it at a database). Returns (results in call order,
    exceptions raised); each thread closes its connections when done."""
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), []

    def worker(i, call):
        try:
            if before is not None:
                before()
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as error:  # reported by the caller's assertions
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    return results, errors


def threads_database(tmp_path):
    """The `before` for `run_at_once` that points each thread at a database where writers
    wait for each other. PostgreSQL: the test database itself (nothing to do). SQLite: the
    in-memory test database serves threads through a shared cache that fails a second writer
    at once ("table is locked") where a real file waits on its busy timeout; so the threads
    get a copy of it in a file, as SQLite runs in production (WAL, IMMEDIATE). Call it once
    the test's data is in; read the outcome through the threads too (`read_in_threads`)."""
    if connection.vendor != "sqlite":
        return lambda: None
    path = str(tmp_path / "threads.sqlite3")
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    # WAL once, here: the copy starts in rollback-journal mode, and threads that each switched
    # it on connecting could meet another's lock mid-switch ("database is locked" at once).
    target.execute("PRAGMA journal_mode=WAL")
    target.close()
    settings, wrapper = {**connection.settings_dict, "NAME": path}, type(connections["default"])

    def use_file():
        connections["default"] = wrapper(settings, "default")

    return use_file


def read_in_threads(call, before):
    """`call()` run on the threads' database (see `threads_database`); its exception is raised."""
    [result], errors = run_at_once([call], before=before)
    if errors:
        raise errors[0]
    return result
