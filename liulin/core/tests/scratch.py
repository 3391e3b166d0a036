"""A database that other processes can open: real `manage.py` subprocesses (task workers,
many counters at once) run against it while the test watches the rows.

The test database of SQLite lives in memory, out of reach of another process; so the
scratch database is a file for SQLite and a database beside the test database for
PostgreSQL, migrated once per test session.
"""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

BASE_DIR = Path(__file__).resolve().parents[3]


def manage(url, *args, env=None, **kwargs):
    """Run `manage.py args` against the database at `url`; its CompletedProcess."""
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=environment(url, env),
        capture_output=True, text=True, check=True, timeout=900, **kwargs,  # migrating every app takes a while on a busy machine
    )


def environment(url, extra=None):
    return {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "liulin.settings", **(extra or {})}


def _postgres_admin(url):
    import psycopg

    return psycopg.connect(urlparse(url)._replace(path="/postgres").geturl(), autocommit=True)


def create(url_of_tests, worker, tmp_dir):
    """Create and migrate a scratch database; its URL."""
    if url_of_tests.startswith(("postgres://", "postgresql://")):
        from psycopg import sql

        parsed = urlparse(url_of_tests)
        name = f"{parsed.path.lstrip('/')}_scratch_{worker}"
        with _postgres_admin(url_of_tests) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        url = parsed._replace(path=f"/{name}").geturl()
    else:
        url = f"sqlite:///{Path(tmp_dir) / 'scratch.sqlite3'}"
    manage(url, "migrate", "--noinput", "-v0")
    return url


def drop(url):
    if url.startswith(("postgres://", "postgresql://")):
        from psycopg import sql

        with _postgres_admin(url) as conn:
            name = urlparse(url).path.lstrip("/")
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def query(url, statement, params=()):
    """Rows of one SQL statement, straight from the scratch database (committed data only)."""
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=20) as conn:
            return conn.execute(statement.replace("%s", "?"), params).fetchall()
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(statement, params).fetchall()
