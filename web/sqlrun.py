"""SQL from the browser: one read-only SELECT, a row cap, a time limit, and no way out of the
archive.

Two layers. First the statement is parsed (DuckDB's own parser, on a private in-memory database)
and anything but a single SELECT or EXPLAIN is refused with a message that says why: SET, RESET
and PRAGMA would change settings; COPY, EXPORT and ATTACH would touch files; INSTALL and LOAD
would bring in code. Then the query runs on a connection that DuckDB itself locks down before
the user's SQL reaches it: `enable_external_access = false` (no file, URL or extension access:
read_text, read_csv, glob, COPY … TO, ATTACH all fail inside DuckDB) and `lock_configuration =
true` (no setting can change after that, including enable_external_access). The parser check
gives clear messages; DuckDB's settings are what makes it safe even where the check would miss
something (a table function added in a later DuckDB, say).

This applies to the web view only. `wirewatch sql` is run by someone who already has a shell on
the machine and the file in hand; it keeps DuckDB's defaults (see README, "Web view").
"""
from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field

import duckdb

from archive import views
from archive.db import lock_down
from archive.store import Archive

ALLOWED = {duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN}
_CATALOG_FUNCTIONS = re.compile(r"\b(?:postgres|ducklake)_\w+\s*\(", re.I)
REFUSED = {
    duckdb.StatementType.SET: "SET, RESET and PRAGMA are refused: the SQL page cannot change settings",
    duckdb.StatementType.VARIABLE_SET: "SET VARIABLE is refused: the SQL page cannot change settings",
    duckdb.StatementType.COPY: "COPY is refused: the SQL page cannot read or write files",
    duckdb.StatementType.EXPORT: "EXPORT DATABASE is refused: the SQL page cannot write files",
    duckdb.StatementType.ATTACH: "ATTACH is refused: the SQL page cannot open other database files",
    duckdb.StatementType.DETACH: "DETACH is refused: the SQL page works on the archive only",
    duckdb.StatementType.LOAD: "INSTALL and LOAD are refused: the SQL page cannot load extensions",
    duckdb.StatementType.EXTENSION: "extension statements are refused: the SQL page cannot load extensions",
    duckdb.StatementType.COPY_DATABASE: "COPY FROM DATABASE is refused: the SQL page cannot write files",
}
REFUSED[duckdb.StatementType.PRAGMA] = REFUSED[duckdb.StatementType.SET]
READ_ONLY = "only SELECT (and EXPLAIN) queries run here: the archive is read-only on the SQL page"
# PRAGMA table_info(…) and friends parse as SELECTs; PRAGMA is refused by its keyword.
_LEADING_KEYWORD = re.compile(r"^(?:\s+|--[^\n]*\n?|/\*.*?\*/)*([A-Za-z_]+)", re.S)


class QueryRefused(ValueError):
    """A statement the SQL page does not run; the message says why, in one line."""


class QueryFailed(ValueError):
    """A query DuckDB could not run (syntax, unknown column, time limit); one line."""


@dataclass
class QueryResult:
    columns: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    truncated: bool = False          # more rows than the cap: only the first max_rows are kept
    elapsed_ms: float = 0.0


_parser = duckdb.connect(":memory:")
_parser_lock = threading.Lock()


def check(sql: str) -> None:
    """Raise QueryRefused or QueryFailed unless sql is one SELECT or EXPLAIN statement."""
    if not sql.strip():
        raise QueryRefused("the query is empty")
    if _CATALOG_FUNCTIONS.search(sql):
        # a shared archive's catalog functions run SQL on PostgreSQL itself, past DuckDB's lock-down
        raise QueryRefused("postgres_* and ducklake_* functions are refused: query the archive's tables")
    keyword = _LEADING_KEYWORD.match(sql)
    if keyword and keyword.group(1).upper() == "PRAGMA":
        raise QueryRefused(REFUSED[duckdb.StatementType.SET])
    with _parser_lock:
        try:
            statements = _parser.extract_statements(sql)
        except duckdb.Error as exc:
            raise QueryFailed(_first_line(exc)) from None
    if len(statements) != 1:
        raise QueryRefused(f"one statement at a time, please ({len(statements)} given)")
    kind = statements[0].type
    if kind in REFUSED:
        raise QueryRefused(REFUSED[kind])
    if kind not in ALLOWED:
        raise QueryRefused(READ_ONLY)


def harden(con) -> None:
    """No file system, network or extension access, and no setting changes, from here on."""
    lock_down(con)


def run(archive: Archive, sql: str, *, max_rows: int, time_limit_s: float) -> tuple[QueryResult, list[dict]]:
    """Run one checked query on a hardened read-only connection: the result (at most max_rows
    rows) and the archive's tables with their columns. A query still running after time_limit_s
    is interrupted."""
    if sql.strip():
        check(sql)
    with archive.reading(untrusted=True) as con:
        tables = views.schema_listing(con)
        if not sql.strip():
            return QueryResult(), tables
        finished = threading.Event()
        guard = threading.Lock()

        def stop():          # never interrupts a connection that has finished (or is closing)
            with guard:
                if not finished.is_set():
                    con.interrupt()

        timer = threading.Timer(time_limit_s, stop)
        started = time.perf_counter()
        timer.start()
        try:
            cur = con.execute(sql)
            columns = [d[0] for d in cur.description] if cur.description else []
            rows = cur.fetchmany(max_rows + 1) if columns else []
        except duckdb.InterruptException:
            raise QueryFailed(f"the query was stopped after the time limit of {time_limit_s:g} s") from None
        except duckdb.PermissionException as exc:
            raise QueryRefused(f"the SQL page cannot touch files, the network or extensions: {_first_line(exc)}") \
                from None
        except duckdb.Error as exc:
            message = _first_line(exc)
            if "configuration has been locked" in message:
                raise QueryRefused(REFUSED[duckdb.StatementType.SET]) from None
            raise QueryFailed(message) from None
        finally:
            with guard:
                finished.set()
            timer.cancel()
        elapsed = (time.perf_counter() - started) * 1000
    return QueryResult(columns, rows[:max_rows], len(rows) > max_rows, round(elapsed, 1)), tables


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
