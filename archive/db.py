"""Opening the archive file, for a moment at a time.

DuckDB lets one process open a file for writing and then no other process can open it at all,
not even read-only. So nobody holds the archive open: the writer opens it for one short
transaction per batch and closes it, readers open it read-only for one query and close it, and
both retry while the other holds the lock. That is what lets `wirewatch sql` run beside the
daemon without a lock error.
"""
from __future__ import annotations

import contextlib
import os
import random
import threading
import time
from pathlib import Path
from typing import Iterator

import importlib.util
import sys

import duckdb

# DuckDB's Python client tries `import pandas` for every parameter it binds, to recognise
# DataFrames. Where pandas is not installed each try walks sys.path again (failed imports are not
# cached): a third of the archive's write time. Recording the absence once makes it instant, and
# is only done when pandas really is absent.
if "pandas" not in sys.modules and importlib.util.find_spec("pandas") is None:
    sys.modules["pandas"] = None

DEFAULT_ARCHIVE = Path("data/wirewatch.duckdb")
# How long a reader or the writer waits for the other to let go before giving up.
DEFAULT_LOCK_WAIT_S = float(os.environ.get("WIREWATCH_LOCK_WAIT", "60"))


# A connection that runs other people's SQL (the web view's SQL page): no files, network or
# extensions, and no setting can be changed back.
LOCKDOWN = ("SET enable_external_access = false", "SET lock_configuration = true")


def lock_down(con) -> None:
    for statement in LOCKDOWN:
        con.execute(statement)


class ArchiveError(Exception):
    """A failure a user can act on; the message is one line."""


class ArchiveLocked(ArchiveError):
    pass


class ArchiveMissing(ArchiveError):
    pass


def archive_path(path: str | os.PathLike | None = None) -> Path:
    if path:
        return Path(path)
    env = os.environ.get("WIREWATCH_ARCHIVE")
    return Path(env) if env else DEFAULT_ARCHIVE


# Within one process DuckDB refuses a read-only and a read-write connection to the same file at
# once ("different configuration"), so threads of one process take turns on a path here; other
# processes are waited for through the file lock below.
_process_locks: dict[str, threading.RLock] = {}
_process_locks_guard = threading.Lock()


def _process_lock(path: Path) -> threading.RLock:
    key = str(path.resolve())
    with _process_locks_guard:
        return _process_locks.setdefault(key, threading.RLock())


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc)
    return "Could not set lock" in text or "Conflicting lock" in text


@contextlib.contextmanager
def connect(path: Path, *, read_only: bool, wait_s: float | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the archive, retrying with jittered backoff while another process holds it."""
    path = Path(path)
    if read_only and not path.exists():
        raise ArchiveMissing(f"no archive at {path} (run `wirewatch crawl SOURCE` first, or pass --archive)")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    with _process_lock(path):
        with _open(path, read_only, wait_s) as con:
            yield con


@contextlib.contextmanager
def _open(path: Path, read_only: bool, wait_s: float | None) -> Iterator[duckdb.DuckDBPyConnection]:
    deadline = time.monotonic() + (DEFAULT_LOCK_WAIT_S if wait_s is None else wait_s)
    delay = 0.01
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as exc:
            if not _is_lock_error(exc):
                raise ArchiveError(f"cannot open archive {path}: {str(exc).splitlines()[0]}") from None
            if time.monotonic() >= deadline:
                raise ArchiveLocked(f"archive {path} is locked by another process; gave up after waiting") from None
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 1.6, 0.25)
    try:
        con.execute("SET TimeZone = 'UTC'")
        yield con
    finally:
        con.close()
