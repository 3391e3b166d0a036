"""The benchmark database: created when missing, dropped and re-created when it holds a city
generated with other parameters, then migrated. Runs before Django connects."""

import json
import os
from pathlib import Path

import dj_database_url

MARKER_TABLE = "bench_marker"


def _pg_marker(conninfo):
    import psycopg

    try:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            row = conn.execute("SELECT to_regclass(%s)", [MARKER_TABLE]).fetchone()
            if row[0] is None:
                has_tickets = conn.execute("SELECT to_regclass('whistle_ticket')").fetchone()[0] is not None
                if has_tickets and conn.execute("SELECT EXISTS (SELECT 1 FROM whistle_ticket)").fetchone()[0]:
                    return "foreign"
                return None
            found = conn.execute(f"SELECT params FROM {MARKER_TABLE} WHERE name = 'city'").fetchone()
            return json.loads(found[0]) if found else None
    except psycopg.OperationalError as error:
        if "does not exist" in str(error):
            return "missing"
        raise


def prepare(params, *, url=None, log=print):
    """Make sure the database at DATABASE_URL can take the city `params`; returns its vendor."""
    url = url or os.environ.get("DATABASE_URL", "")
    config = dj_database_url.parse(url)
    wanted = json.loads(params.as_json())
    if config["ENGINE"].endswith("postgresql"):
        import psycopg

        name = config["NAME"]
        base = dict(host=config.get("HOST") or "127.0.0.1", port=config.get("PORT") or 5432, user=config.get("USER") or "postgres",
                    password=config.get("PASSWORD") or None)
        conninfo = psycopg.conninfo.make_conninfo(dbname=name, **{k: v for k, v in base.items() if v})
        admin = psycopg.conninfo.make_conninfo(dbname="postgres", **{k: v for k, v in base.items() if v})
        found = _pg_marker(conninfo)
        if found == "foreign":
            raise SystemExit(f"database {name} holds tickets that the benchmark did not generate; use another DATABASE_URL")
        if found not in (None, "missing") and found != wanted:
            log(f"db: {name} holds a city made with other parameters; re-creating it")
        if found == "missing" or (found is not None and found != wanted):
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{name}"')
        return "postgresql"
    path = Path(config["NAME"])
    if path.exists():
        import sqlite3

        with sqlite3.connect(path) as conn:
            table = conn.execute("SELECT name FROM sqlite_master WHERE name = ?", [MARKER_TABLE]).fetchone()
            found = conn.execute(f"SELECT params FROM {MARKER_TABLE} WHERE name = 'city'").fetchone() if table else None
        if found is None or json.loads(found[0]) != wanted:
            log(f"db: {path} is not the wanted city; re-creating it")
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    return "sqlite"


def migrate():
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
