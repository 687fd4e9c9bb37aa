"""The shared archive: history in DuckLake, state in PostgreSQL, one PostgreSQL URL names both.

The same tables and the same SQL as the embedded DuckDB file (archive/schema.py is the one
definition; the tables here are derived from it), split by how they are written:

- history, which only grows — versions, fetches, events, change and edit rows, re-extractions —
  lives in DuckLake: its catalog in the PostgreSQL database (schema `ducklake`), its Parquet files
  under the shared data path. Concurrent INSERTs from many workers commit there (DuckLake retries
  them); small batches are inlined into the catalog and written out as Parquet by maintenance.
- state, which is updated in place — articles' next check and status, the frontier, learned noise,
  robots, runs, the version log, the notification outbox, workers and leases — lives in plain
  PostgreSQL tables (schema `public`), where concurrent UPDATEs of different rows never conflict.
  (In DuckLake every UPDATE of a table conflicts with every other concurrent one and aborts.)

A DuckDB transaction may write to one attached database only, so a write (Archive.writing) is two
transactions, committed history first: a worker killed between the two leaves history written and
the article still due, and the next check compares with that history — nothing is lost and no edit
is recorded twice. The next write of the article brings its state row up to that history (its
version count, last change: archive/batch.py), so no version number is given twice. Statements are routed to the right transaction by the table they write.
Versions are rows, never DuckLake time travel: maintenance expires old snapshots.
"""
from __future__ import annotations

import contextlib
import os
import re
import threading
from datetime import timedelta
from pathlib import Path
from typing import Iterator

import duckdb

from .db import ArchiveError
from .shared_schema import (HISTORY_TABLES, LAKE, LAKE_SCHEMA, SEARCH_PATH, STATE, create_tables,
                            create_views, embedded_schema, sql_string, state_words)

SCHEMES = ("postgresql://", "postgres://")
# Rows up to this many per insert stay in the catalog (no Parquet file per small batch) until
# maintenance writes them out together (ducklake_flush_inlined_data).
INLINE_ROWS = 2000
DATA_PATH_ENV = "WIREWATCH_DATA_PATH"
# Snapshots and replaced Parquet files are kept this long: longer than any read takes.
KEEP_REPLACED_S = 3600
# A worker that has not renewed its leases for this long is taken for dead: its leases go to others
# and its runs are closed as interrupted. Workers renew at a third of it (jobs/leases.py).
LEASE_TTL = timedelta(seconds=float(os.environ.get("WIREWATCH_LEASE_TTL", "60")))

class WriteConflict(ArchiveError):
    """Another writer changed the same rows first (PostgreSQL's serialization failure, a DuckLake
    commit conflict). Nothing was committed; the write can be run again (Archive retries it)."""


# Per process, for `make bench` and the logs: commits made and conflicts met.
STATS = {"commits": 0, "conflicts": 0}
_CONFLICT_SIGNS = ("could not serialize access", "deadlock detected", "conflict",
                   "duplicate key value violates unique constraint")


def is_conflict(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, duckdb.Error) and any(sign in text for sign in _CONFLICT_SIGNS)


def is_shared(location) -> bool:
    return isinstance(location, str) and location.startswith(SCHEMES)


def _extension(name: str) -> str:
    import importlib
    try:
        module = importlib.import_module(f"duckdb_extension_{name}")
    except ImportError:
        raise ArchiveError(f"a shared archive needs the PyPI package duckdb-extension-{name}==1.5.5") from None
    found = sorted(Path(module.__file__).parent.rglob(f"{name}.duckdb_extension"))
    if not found:
        raise ArchiveError(f"duckdb-extension-{name} carries no {name}.duckdb_extension")
    return str(found[0])


class SharedCatalog:
    """One DuckDB instance per process and URL with the DuckLake and PostgreSQL catalogs attached;
    every reader and writer takes its own connection (cursor) from it."""

    _instances: dict[str, "SharedCatalog"] = {}
    _guard = threading.Lock()

    @classmethod
    def of(cls, url: str) -> "SharedCatalog":
        with cls._guard:
            if url not in cls._instances or cls._instances[url]._pid != os.getpid():
                cls._instances[url] = cls(url)
            return cls._instances[url]

    def __init__(self, url: str):
        self.url = url
        self._pid = os.getpid()
        self._base: duckdb.DuckDBPyConnection | None = None
        self._locked: duckdb.DuckDBPyConnection | None = None
        self._lock = threading.RLock()     # _untrusted() opens base() under it
        self.data_path: Path | None = None

    # -- setting up ------------------------------------------------------------------------------
    def _pg(self):
        import psycopg
        try:
            return psycopg.connect(self.url, autocommit=True, connect_timeout=10)
        except psycopg.OperationalError as exc:
            raise ArchiveError(f"cannot reach the shared archive {self.url}: {str(exc).strip().splitlines()[-1]}") from None

    def exists(self) -> bool:
        if self._base is not None:      # opened: it exists (asked before every crawl and listing)
            return True
        with self._pg() as pg:
            row = pg.execute("SELECT to_regclass('public.meta') IS NOT NULL").fetchone()
            if not row[0]:
                return False
            return pg.execute("SELECT count(*) FROM meta WHERE key = 'schema_version'").fetchone()[0] > 0

    def _stored_data_path(self, pg) -> str | None:
        if not pg.execute("SELECT to_regclass('public.meta') IS NOT NULL").fetchone()[0]:
            return None
        row = pg.execute("SELECT value FROM meta WHERE key = 'data_path'").fetchone()
        return row[0] if row else None

    def base(self, *, create: bool = False) -> duckdb.DuckDBPyConnection:
        with self._lock:
            if self._base is None:
                self._base = self._open(create)
            return self._base

    def _open(self, create: bool) -> duckdb.DuckDBPyConnection:
        from .schema import SCHEMA_VERSION
        with self._pg() as pg:
            # Two workers starting together must not both create the tables.
            pg.execute("SELECT pg_advisory_lock(7001)")
            try:
                stored = self._stored_data_path(pg)
                data = os.environ.get(DATA_PATH_ENV) or stored
                if stored is None and not create:
                    raise ArchiveError(f"no wirewatch archive at {self.url} (run `wirewatch crawl SOURCE` or "
                                       f"`wirewatch migrate` first)")
                if data is None:
                    raise ArchiveError(f"a new shared archive needs a data path for its Parquet and WARC files: "
                                       f"--data-path DIR or {DATA_PATH_ENV}")
                if stored is not None and os.environ.get(DATA_PATH_ENV) and Path(data).resolve() != Path(stored).resolve():
                    raise ArchiveError(f"{self.url} keeps its files in {stored}, not {data} ({DATA_PATH_ENV})")
                self.data_path = Path(data)
                (self.data_path / "lake").mkdir(parents=True, exist_ok=True)
                pg.execute(f"CREATE SCHEMA IF NOT EXISTS {LAKE_SCHEMA}")
                con = self._attached(f"DATA_PATH {sql_string(str(self.data_path / 'lake') + '/')}, "
                                     f"DATA_INLINING_ROW_LIMIT {INLINE_ROWS}")
                if stored is None:
                    create_tables(con, pg, str(self.data_path))
                else:
                    found = int(pg.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0])
                    if found != SCHEMA_VERSION:
                        raise ArchiveError(f"shared archive {self.url} has schema {found} and this wirewatch "
                                           f"works with schema {SCHEMA_VERSION} only: run the version that created it")
                create_views(con)
                return con
            finally:
                pg.execute("SELECT pg_advisory_unlock(7001)")

    def _attached(self, lake_options: str, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        """A DuckDB instance with the DuckLake catalog as `lake` and the PostgreSQL database as `pg`."""
        con = duckdb.connect()
        con.execute(f"INSTALL {sql_string(_extension('postgres'))}; LOAD postgres")
        con.execute(f"INSTALL {sql_string(_extension('ducklake'))}; LOAD ducklake")
        con.execute("SET GLOBAL TimeZone = 'UTC'")
        con.execute(f"""ATTACH {sql_string('ducklake:postgres:' + self.url)} AS {LAKE}
                        ({lake_options}, METADATA_SCHEMA {sql_string(LAKE_SCHEMA)})""")
        con.execute(f"ATTACH {sql_string(self.url)} AS {STATE} (TYPE postgres{', READ_ONLY' if read_only else ''})")
        return con

    def _untrusted(self) -> duckdb.DuckDBPyConnection:
        """Another instance for SQL someone else wrote (the web view's SQL page): both catalogs
        attached read-only, every table a view in the default schema (no search_path: settings are
        locked), then locked down. DuckDB's settings are per instance, hence a second one."""
        from .db import lock_down
        with self._lock:
            if self._locked is None:
                self.base()                   # the archive exists and its data path is known
                con = self._attached("READ_ONLY", read_only=True)
                model = embedded_schema()
                for (table,) in model.execute("SELECT table_name FROM duckdb_tables()").fetchall():
                    where = f"{LAKE}.main" if table in HISTORY_TABLES else f"{STATE}.public"
                    con.execute(f"CREATE VIEW memory.main.{table} AS SELECT * FROM {where}.{table}")
                con.execute(f"SET search_path = {sql_string(SEARCH_PATH)}")
                create_views(con)
                lock_down(con)
                self._locked = con
            return self._locked

    def cursor(self, *, create: bool = False) -> duckdb.DuckDBPyConnection:
        cur = self.base(create=create).cursor()
        cur.execute(f"SET search_path = {sql_string(SEARCH_PATH)}")
        cur.execute("SET TimeZone = 'UTC'")
        return cur

    # -- reading and writing -----------------------------------------------------------------------
    @contextlib.contextmanager
    def reading(self, *, untrusted: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        cur = self._untrusted().cursor() if untrusted else self.cursor()
        try:
            cur.execute("BEGIN")     # one snapshot of both catalogs for the whole read
            yield cur
        finally:
            with contextlib.suppress(Exception):
                cur.execute("ROLLBACK")
            cur.close()

    @contextlib.contextmanager
    def writing(self, *, create: bool = False) -> Iterator["RoutedWrite"]:
        write = RoutedWrite(self.cursor(create=create), self.cursor(create=create))
        try:
            yield write
            write.commit()
            STATS["commits"] += 1
        except BaseException as exc:
            write.rollback()
            if is_conflict(exc) and not write.history_committed:
                STATS["conflicts"] += 1
                raise WriteConflict(f"write conflict on {self.url}: {str(exc).splitlines()[0][:300]}") from exc
            raise
        finally:
            write.close()

    def maintain(self, *, keep_s: int = KEEP_REPLACED_S) -> dict:
        """Write inlined rows out as Parquet, merge small files, expire old snapshots and delete the
        files nothing refers to any more. Versions are rows, so no history lives in a snapshot; a file
        replaced by a merge is deleted only `keep_s` later, since a reader that began before the merge
        still reads it (deleted at once, a reader failed in the three-worker test)."""
        older = f"now() - INTERVAL '{int(keep_s)} seconds'"
        cur = self.cursor()
        try:
            flushed = sum(r[-1] or 0 for r in cur.execute(f"CALL ducklake_flush_inlined_data('{LAKE}')").fetchall())
            cur.execute(f"CALL ducklake_merge_adjacent_files('{LAKE}')")
            expired = len(cur.execute(f"CALL ducklake_expire_snapshots('{LAKE}', older_than => {older})").fetchall())
            removed = len(cur.execute(f"CALL ducklake_cleanup_old_files('{LAKE}', older_than => {older})").fetchall())
            return {"flushed_rows": flushed, "expired_snapshots": expired, "removed_files": removed}
        finally:
            cur.close()

    def pg(self):
        """A direct PostgreSQL connection (autocommit), for leases and row locks."""
        return self._pg()

    @contextlib.contextmanager
    def writer_turn(self, keys: list[str]) -> Iterator[None]:
        """Writers of the same keys (a batch's sources) take turns, on every machine: a PostgreSQL
        advisory lock held from before the batch reads what is archived until after it commits. A
        batch's check that its captures are not archived yet (what makes a replayed journal
        exactly-once) cannot see a concurrent writer's uncommitted rows: two writes of one capture
        at once archived it twice (tests/test_shared_workers.py)."""
        with self._pg() as pg:
            for key in sorted(set(keys)):
                pg.execute("SELECT pg_advisory_lock(hashtext(%s))", ["wirewatch:write:" + key])
            yield      # closing the session (leaving `with`) releases its advisory locks


_WRITE = re.compile(r"^\s*(?:INSERT\s+(?:OR\s+REPLACE\s+)?INTO|UPDATE|DELETE\s+FROM|"
                    r"CREATE\s+(?:TEMP\s+|TEMPORARY\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?)\s*(\w+)", re.I)
_NEXTVAL = re.compile(r"^\s*SELECT\s+nextval\('(\w+)'\)\s*$", re.I)
_WORD = re.compile(r"[a-z_]+")


class RoutedWrite:
    """One write of the archive as two transactions (history, state) behind one connection's API:
    each statement goes to the transaction of the table it writes; a read that names history tables
    only reads through the history transaction (it sees that transaction's own rows)."""

    def __init__(self, lake: duckdb.DuckDBPyConnection, state: duckdb.DuckDBPyConnection):
        self.lake, self.state = lake, state
        self._log_locked = False
        self._fetch_ids: list[int] = []
        lake.execute("BEGIN")
        state.execute("BEGIN")

    def next_log_seqs(self, n: int) -> list[int]:
        """version_log seqs (archive/versionlog.py). They must follow commit order, or a follower
        (search index, outbox) that saw seq n+1 committed would skip n committing later: writers
        take turns from taking their seqs until their commit (an advisory lock held to the end of
        the transaction), and take them from a sequence (max(seq) in this transaction's snapshot
        would be stale once the lock is ours: two writers got the same seqs, measured)."""
        if not self._log_locked:
            self.state.execute("SELECT * FROM postgres_query('pg', 'SELECT pg_advisory_xact_lock(7002)')").fetchall()
            self._log_locked = True
        return [r[0] for r in self.state.execute(
            f"SELECT * FROM postgres_query('pg', 'SELECT nextval(''version_seq'') FROM generate_series(1, {int(n)})')"
        ).fetchall()]

    def _route(self, sql: str) -> duckdb.DuckDBPyConnection:
        words = set(_WORD.findall(sql.lower()))
        match = _WRITE.match(sql)
        if match:
            return self.lake if match.group(1).lower() in HISTORY_TABLES else self.state
        return self.lake if words & HISTORY_TABLES and not words & state_words() else self.state

    def execute(self, sql: str, params=None):
        seq = _NEXTVAL.match(sql)
        if seq:
            return self.state.execute(f"SELECT * FROM postgres_query('pg', 'SELECT nextval(''{seq.group(1)}'')')")
        cur = self._route(sql)
        return cur.execute(sql) if params is None else cur.execute(sql, params)

    def executemany(self, sql: str, rows):
        return self._route(sql).executemany(sql, rows)

    def next_fetch_id(self) -> int:
        """Fetch ids come from one PostgreSQL sequence, so writers on many machines never collide."""
        if not self._fetch_ids:
            self._fetch_ids = [r[0] for r in self.state.execute(
                "SELECT * FROM postgres_query('pg', 'SELECT nextval(''fetch_ids'') FROM generate_series(1, 64)')"
            ).fetchall()]
        return self._fetch_ids.pop(0)

    history_committed = False

    def commit(self) -> None:
        self.lake.execute("COMMIT")      # history first: see the module docstring
        self.history_committed = True
        self.state.execute("COMMIT")

    def rollback(self) -> None:
        for cur in (self.lake, self.state):
            with contextlib.suppress(Exception):
                cur.execute("ROLLBACK")

    def close(self) -> None:
        self.lake.close()
        self.state.close()
