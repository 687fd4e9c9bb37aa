"""The shared archive's tables (archive/shared.py): which go to DuckLake and which to PostgreSQL,
both derived from the embedded archive's schema (archive/schema.py, the one definition)."""
from __future__ import annotations

import functools
import re

import duckdb

HISTORY_TABLES = frozenset({"versions", "fetches", "events", "version_changes", "edit_sentences", "edit_fields",
                            "change_classes", "reextractions"})
LAKE, STATE = "lake", "pg"
LAKE_SCHEMA = "ducklake"          # the DuckLake catalog's tables in the PostgreSQL database
SEARCH_PATH = "lake.main,pg.public,memory.main"
# Shared-archive-only state: who is working and what each holds (jobs/leases.py).
COORDINATION_DDL = [
    """CREATE TABLE IF NOT EXISTS workers (
        worker_id TEXT PRIMARY KEY, host TEXT, pid INTEGER, started_at TIMESTAMPTZ,
        heartbeat_at TIMESTAMPTZ, stopped_at TIMESTAMPTZ,
        lease_ttl_s DOUBLE PRECISION)        -- silent longer than this, the worker is gone""",
    """CREATE TABLE IF NOT EXISTS leases (
        name TEXT PRIMARY KEY,               -- 'source:tass', 'job:index', …
        holder TEXT, acquired_at TIMESTAMPTZ, expires_at TIMESTAMPTZ,
        released_at TIMESTAMPTZ)""",
    "CREATE SEQUENCE IF NOT EXISTS fetch_ids",
    "CREATE SEQUENCE IF NOT EXISTS run_ids",
    "CREATE SEQUENCE IF NOT EXISTS version_seq",
    "CREATE INDEX IF NOT EXISTS articles_next_check ON articles (source, next_check)",
    "CREATE INDEX IF NOT EXISTS notify_outbox_state ON notify_outbox (state)",
]



def sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@functools.cache
def state_words() -> frozenset[str]:
    return frozenset(state_tables())


def embedded_schema() -> duckdb.DuckDBPyConnection:
    """The embedded archive's schema, built in memory: the one definition both archives follow."""
    from . import schema
    con = duckdb.connect()
    schema.migrate(con)
    return con


def state_tables() -> list[str]:
    con = embedded_schema()
    names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY table_name").fetchall()]
    return [n for n in names if n not in HISTORY_TABLES]


def _columns(con, table: str) -> list[str]:
    out = []
    for name, dtype, nullable, default in con.execute(
            """SELECT column_name, data_type, is_nullable, column_default FROM duckdb_columns()
               WHERE table_name = ? ORDER BY column_index""", [table]).fetchall():
        col = f"{name} {dtype}"
        if default is not None:
            col += f" DEFAULT {default}"
        if not nullable:
            col += " NOT NULL"
        out.append(col)
    return out


def create_tables(con: duckdb.DuckDBPyConnection, pg, data_path: str) -> None:
    from .schema import SCHEMA_VERSION
    model = embedded_schema()
    tables = [r[0] for r in model.execute("SELECT table_name FROM duckdb_tables() ORDER BY table_name").fetchall()]
    for table in tables:
        cols = _columns(model, table)
        if table in HISTORY_TABLES:
            con.execute(f"CREATE TABLE IF NOT EXISTS {LAKE}.main.{table} ({', '.join(cols)})")
            continue
        keys = model.execute("""SELECT constraint_column_names FROM duckdb_constraints()
                                WHERE table_name = ? AND constraint_type = 'PRIMARY KEY'""", [table]).fetchone()
        if keys:
            cols.append(f"PRIMARY KEY ({', '.join(keys[0])})")
        con.execute(f"CREATE TABLE IF NOT EXISTS {STATE}.public.{table} ({', '.join(cols)})")
    for ddl in COORDINATION_DDL:
        pg.execute(ddl)
    meta = dict(model.execute("SELECT key, value FROM meta").fetchall())
    meta.update(schema_version=str(SCHEMA_VERSION), data_path=data_path)
    for key, value in meta.items():
        pg.execute("INSERT INTO meta VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                   [key, value])
    con.execute("CALL pg_clear_cache()")


def create_views(con: duckdb.DuckDBPyConnection) -> None:
    model = embedded_schema()
    con.execute(f"SET search_path = {sql_string(SEARCH_PATH)}")
    for name, sql in model.execute("SELECT view_name, sql FROM duckdb_views() WHERE NOT internal").fetchall():
        con.execute(re.sub(r"^CREATE VIEW\s+\w+", f"CREATE OR REPLACE VIEW memory.main.{name}", sql.strip(), flags=re.I))
