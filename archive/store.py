"""The archive: one DuckDB file plus a WARC directory beside it.

Every method opens the file for as short a time as it can (see db.py), so a writer and any number
of readers in other processes take turns instead of failing.
"""
from __future__ import annotations

import contextlib
import logging
import os
import random
import socket
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Iterable, Iterator

import duckdb

from . import db, frontier, noise, robots, schema, shared, versionlog
from . import signals as signals_
from .known import KnownArticle, attach_latest
from .records import FetchResult
from .batch import Batch
from .writer import KeepRaw, Schedule, default_schedule, record_fetches, utcnow


log = logging.getLogger("wirewatch.archive")

# The archive cannot be written at all just now (another process holds it, the disk is full):
# not the fault of a row, so a batch is kept whole for later, never split into error rows.
UNAVAILABLE = (db.ArchiveError, OSError, MemoryError, duckdb.IOException, duckdb.OutOfMemoryException)



WAL_CHECKPOINT_AT = "1MB"   # fold the write-ahead log into the file once it is this large
WRITE_ATTEMPTS = 6          # a write that conflicts this many times in a row is kept for later (journal)


class Archive:
    def __init__(self, path: str | Path | None = None, warc_dir: str | Path | None = None):
        location = str(path) if path else os.environ.get("WIREWATCH_ARCHIVE")
        # A PostgreSQL URL names a shared archive (archive/shared.py); anything else is a DuckDB file.
        self.shared = shared.SharedCatalog.of(location) if shared.is_shared(location) else None
        self.path = location if self.shared else db.archive_path(path)
        self._warc_dir = Path(warc_dir) if warc_dir else None
        self._ready = False
        # Who writes: the runs a process starts name it (`wirewatch status`, close_stale_runs).
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}"
        self._schedule_lock = threading.Lock()
        self.retries = 0       # writes run again after a conflict (shared archive), for make bench

    # -- where things are --------------------------------------------------------------------------
    def _files(self) -> Path:
        """The directory beside the archive (embedded) or the shared data path."""
        if self.shared:
            self.shared.base(create=True)
            return self.shared.data_path
        return self.path.parent

    @property
    def warc_dir(self) -> Path:
        return self._warc_dir or self._files() / "warc"

    @property
    def journal_dir(self) -> Path:
        """Fetched but not yet committed results (archive/journal.py). On a shared path each machine
        keeps its own, since a process is known dead only on its own machine."""
        if self.shared:
            return self._files() / "journal" / socket.gethostname()
        return Path(str(self.path) + ".journal")

    @property
    def search_dir(self) -> Path:
        return self._files() / "search" if self.shared else Path(str(self.path) + ".search")

    def exists(self) -> bool:
        return self.shared.exists() if self.shared else self.path.exists()

    # -- connections -------------------------------------------------------------------------
    @contextlib.contextmanager
    def reading(self, *, untrusted: bool = False) -> Iterator:
        """A read-only connection; untrusted=True: locked down for SQL someone else wrote (no files,
        network, extensions or settings: db.lock_down)."""
        if self.shared:
            with self.shared.reading(untrusted=untrusted) as con:
                yield con
            return
        with db.connect(self.path, read_only=True) as con:
            if schema.current_version(con) == 0:
                raise db.ArchiveError(f"{self.path} is not a wirewatch archive (no schema)")
            if untrusted:
                db.lock_down(con)
            yield con

    @contextlib.contextmanager
    def writing(self) -> Iterator:
        """One transaction: committed on success, rolled back (file untouched) on any error."""
        if self.shared:      # two transactions, history then state (archive/shared.py)
            with self.shared.writing(create=True) as con:
                yield con
            return
        with db.connect(self.path, read_only=False) as con:
            if not self._ready:
                schema.migrate(con)
                self._ready = True
            # Closing would fold the write-ahead log into the file after every small batch, the
            # largest cost of a write; DuckDB checkpoints by itself once the log passes
            # checkpoint_threshold, and the maintenance job checkpoints too.
            # Runs end with a checkpoint (finish_run), so at rest the archive is one file again.
            con.execute("PRAGMA disable_checkpoint_on_shutdown")
            # But every open — the writer's next batch, every reader — replays the whole log, and at
            # DuckDB's default 16 MB threshold that took longer than the writes: 1,000 new articles
            # in batches of 50 took 12.3 s of wall time at the default, 4.4 s at 1 MB (256 KB:
            # 5.0 s, 2 MB: 4.9 s; measured 2026-11-29 with the real write path).
            con.execute(f"SET checkpoint_threshold = '{WAL_CHECKPOINT_AT}'")
            con.execute("BEGIN")
            try:
                yield con
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise

    def ensure(self) -> None:
        with self.writing():
            pass

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the file (maintenance); a shared archive has none."""
        if self.shared:
            return
        with db.connect(self.path, read_only=False) as con:
            con.execute("CHECKPOINT")

    def maintain(self) -> dict:
        """The maintenance job's storage work: a checkpoint of the file, or on a shared archive
        DuckLake's compaction and snapshot expiry."""
        if self.shared:
            return self.shared.maintain()
        self.checkpoint()
        return {}

    def close_stale_runs(self) -> int:
        """Runs left 'running' by a process that died (kill -9, power loss) become 'interrupted'.
        Their committed fetches stay; what they had not committed is simply due again."""
        with self.writing() as con:
            if self.shared:      # other workers' runs are theirs to close, unless their heartbeat stopped
                rows = con.execute(
                    """SELECT run_id FROM runs WHERE outcome = 'running' AND (worker IS NULL OR worker
                         NOT IN (SELECT worker_id FROM workers WHERE stopped_at IS NULL
                                 AND heartbeat_at + to_seconds(lease_ttl_s) > ?))""",
                    [utcnow()]).fetchall()
            else:
                rows = con.execute("SELECT run_id FROM runs WHERE outcome = 'running'").fetchall()
        for (run_id,) in rows:
            self.finish_run(run_id, "interrupted", "the process ended before the run finished")
        return len(rows)

    def set_job_schedule(self, rows) -> None:
        """(job_id, job, source, next_run_at) of the running daemon, for `wirewatch status`."""
        now = utcnow()
        # Workers of a shared archive each publish their own (job ids prefixed with the worker).
        mine = f"{self.worker_id}/" if self.shared else ""
        with self._schedule_lock:      # jobs finishing together publish one after the other
            self._retrying(self._publish, mine, rows, now)

    def _publish(self, mine: str, rows, now) -> None:
        with self.writing() as con:
            con.execute("DELETE FROM job_schedule WHERE starts_with(job_id, ?)", [mine])
            if rows:
                con.executemany("INSERT INTO job_schedule VALUES (?, ?, ?, ?, ?)",
                                [[mine + job_id, job, source, nxt, now] for job_id, job, source, nxt in rows])

    # -- runs ----------------------------------------------------------------------------------
    def start_run(self, job: str, source: str | None) -> int:
        with self.writing() as con:
            run_id = con.execute("SELECT nextval('run_ids')").fetchone()[0]
            con.execute("INSERT INTO runs (run_id, job, source, started_at, outcome, worker) "
                        "VALUES (?, ?, ?, ?, 'running', ?)", [run_id, job, source, utcnow(), self.worker_id])
        return run_id

    def finish_run(self, run_id: int, outcome: str = "ok", error: str | None = None) -> dict:
        """Close a run; its counts are taken from the fetches it wrote, so they cannot drift."""
        with self.writing() as con:
            con.execute(
                """UPDATE runs SET finished_at = $now, outcome = $outcome, error = $error,
                     fetches = c.fetches, new_articles = c.new_articles, new_versions = c.new_versions,
                     unchanged = c.unchanged, not_modified = c.not_modified, gone = c.gone,
                     redirected = c.redirected, blocked = c.blocked, errors = c.errors
                   FROM (SELECT count(*) FILTER (outcome <> 'confirm') AS fetches,
                                count(*) FILTER (outcome = 'new') AS new_articles,
                                count(*) FILTER (outcome IN ('new', 'changed')) AS new_versions,
                                count(*) FILTER (outcome = 'unchanged') AS unchanged,
                                count(*) FILTER (outcome = 'not_modified') AS not_modified,
                                count(*) FILTER (outcome = 'gone') AS gone,
                                count(*) FILTER (outcome = 'redirected') AS redirected,
                                count(*) FILTER (outcome = 'blocked') AS blocked,
                                count(*) FILTER (outcome = 'error') AS errors
                         FROM fetches WHERE run_id = $run) c
                   WHERE run_id = $run""", {"now": utcnow(), "outcome": outcome, "error": error, "run": run_id})
            cur = con.execute("SELECT * FROM runs WHERE run_id = ?", [run_id])
            row = dict(zip([d[0] for d in cur.description], cur.fetchone()))
        self.checkpoint()
        return row

    # -- what the crawler reads before fetching ---------------------------------------------
    def known(self, source: str, *, due_before: datetime | None = None, all_: bool = False,
              limit: int | None = None, keys: Iterable[str] | None = None, with_latest: bool = False) -> list[KnownArticle]:
        """Articles of a source: all, the due ones (most overdue first), or the given keys."""
        if not self.exists():
            return []
        where, params = ["source = ?"], [source]
        if keys is not None:
            keys = list(keys)
            if not keys:
                return []
            where.append("article_id IN (SELECT unnest(?))")
            params.append([f"{source}:{k}" for k in keys])
        elif not all_:
            where.append("next_check IS NOT NULL AND next_check <= ?")
            params.append(due_before or utcnow())
        sql = f"""SELECT article_id, url, status, versions, etag, last_modified, payload_digest, next_check,
                         last_checked, publisher_modified, p.body_container, p.probe_hash, p.quick_print, p.updated_at,
                         (SELECT arg_max([f.warc_file, f.warc_offset::VARCHAR], f.fetch_id) FROM fetches f
                           WHERE f.article_id = articles.article_id AND f.payload_digest = articles.payload_digest
                             AND f.warc_file IS NOT NULL) AS payload_warc
                  FROM articles LEFT JOIN article_probes p USING (article_id) WHERE {' AND '.join(where)}
                  ORDER BY next_check NULLS LAST, article_id"""
        if limit:
            sql += f" LIMIT {int(limit)}"
        with self.reading() as con:
            rows = con.execute(sql, params).fetchall()
            out = [KnownArticle(aid, aid.split(":", 1)[1], url, status, versions, etag, lm, digest, nxt, last, pub,
                                body_container=box, probe_hash=probe, quick_print=quick, probe_updated=updated,
                                payload_warc=(pw[0], int(pw[1])) if pw else None)
                   for aid, url, status, versions, etag, lm, digest, nxt, last, pub, box, probe, quick, updated, pw
                   in rows]
            if with_latest:
                attach_latest(con, [a for a in out if a.versions])
                by_id = {a.article_id: a for a in out}
                for aid, keys in noise.local(con, list(by_id), utcnow()).items():
                    by_id[aid].noise = frozenset(keys)
            return out

    def noise(self, source: str) -> frozenset[str]:
        """The source's learned noise keys (see archive/noise.py)."""
        if not self.exists():
            return frozenset()
        with self.reading() as con:
            return noise.load(con, source, utcnow()).keys

    def noise_listing(self, source: str) -> list[dict]:
        with self.reading() as con:
            return noise.listing(con, source, utcnow())

    def forget_noise(self, source: str, entry: str) -> int:
        with self.writing() as con:
            return noise.forget(con, source, entry)

    # -- writes ------------------------------------------------------------------------------
    def record_batch(self, results: list[FetchResult], *, run_id: int | None = None,
                     schedule: Schedule = default_schedule,
                     keep_raw: KeepRaw | None = None) -> list[tuple[str, int | None]]:
        """Write a batch of fetches: (outcome, version) per result.

        One transaction when every row can be written. When one cannot (a real SQL failure), each
        row gets its own transaction, and a row that still fails is recorded as an `error` fetch
        with the reason (its WARC pointer kept) whose article is scheduled again: one bad row never
        sinks the others. A result already in the archive (same capture_id: a journal replayed
        after a crash) is not written again. The archive being unavailable (locked, disk full)
        raises: the caller keeps the batch (see archive/journal.py). keep_raw: writes the raw
        capture a result holds (`FetchResult.held_raw`) when the write makes it a version."""
        if not results:
            return []
        try:
            return self._record(results, run_id, schedule, keep_raw)
        except UNAVAILABLE:
            raise
        except Exception as exc:
            log.warning("a batch of %d fetches could not be written whole (%s): row by row",
                        len(results), str(exc).splitlines()[0][:300])
            if len(results) == 1:
                return self._record_failed(results[0], exc, run_id, schedule, keep_raw)
        out = []
        for r in results:
            try:
                out += self._record([r], run_id, schedule, keep_raw)
            except UNAVAILABLE:
                raise
            except Exception as exc:
                out += self._record_failed(r, exc, run_id, schedule, keep_raw)
        return out

    def _retrying(self, write, *args):
        """Run `write` again when another writer of a shared archive got to the same rows first
        (nothing of the failed attempt was committed); still conflicting, it raises WriteConflict,
        which callers treat like an unavailable archive (the batch is kept, never turned into error
        rows)."""
        for attempt in range(WRITE_ATTEMPTS):
            try:
                return write(*args)
            except shared.WriteConflict as exc:
                if attempt == WRITE_ATTEMPTS - 1:
                    raise
                self.retries += 1
                log.info("write conflict, trying again (%d): %s", attempt + 1, exc)
                time.sleep(random.uniform(0.01, 0.05) * 2 ** attempt)

    def _record(self, results, run_id, schedule, keep_raw=None) -> list[tuple[str, int | None]]:
        if not self.shared:          # one writer at a time already: the file's lock
            return self._retrying(self._record_once, results, run_id, schedule, keep_raw)
        with self.shared.writer_turn([r.source for r in results]):
            return self._retrying(self._record_once, results, run_id, schedule, keep_raw)

    def _record_once(self, results, run_id, schedule, keep_raw=None) -> list[tuple[str, int | None]]:
        with self.writing() as con:
            # A capture already written has the same fetched_at: bounding the look-up by the batch's
            # fetch times lets it read the few recent files instead of all history (on a shared
            # archive's DuckLake, 364 ms a batch at 5 M fetch rows without the bound; docs/scale.md).
            times = [r.fetched_at for r in results]
            window = "AND fetched_at BETWEEN ? AND ?" if None not in times else ""
            done = {cid: (outcome, version) for cid, outcome, version in con.execute(
                f"SELECT capture_id, outcome, version FROM fetches WHERE capture_id IN (SELECT unnest(?)) {window}",
                [[r.capture_id for r in results], *((min(times), max(times)) if window else ())]).fetchall()}
            todo = [r for r in results if r.capture_id not in done]
            if todo:
                batch = Batch(con, [r.article_id for r in todo], max(r.fetched_at for r in todo))
                for r, outcome in zip(todo, record_fetches(batch, todo, run_id=run_id, schedule=schedule,
                                                           keep_raw=keep_raw)):
                    done[r.capture_id] = outcome
                batch.flush()
                # issue 12: the versions just written, in order, for the search index and notifications
                versionlog.append(con, [(r.article_id, done[r.capture_id][1]) for r in todo
                                        if done[r.capture_id][0] in ("new", "changed")], utcnow())
            return [done[r.capture_id] for r in results]

    def _record_failed(self, r: FetchResult, exc: Exception, run_id, schedule,
                       keep_raw=None) -> list[tuple[str, int | None]]:
        """The row that could not be written, as an `error` fetch saying why (with its raw
        capture, a held one written now)."""
        reason = f"not recorded as fetched: {type(exc).__name__}: {exc}".splitlines()[0][:500]
        bare = FetchResult(source=r.source, url=r.final_url or r.url or "", article_key=r.article_key,
                           fetched_at=r.fetched_at, error=reason, payload_digest=r.payload_digest,
                           elapsed_ms=r.elapsed_ms, warc_file=r.warc_file, warc_offset=r.warc_offset,
                           warc_length=r.warc_length, capture_id=r.capture_id, held_raw=r.held_raw)
        return self._record([bare], run_id, schedule, keep_raw)

    def robots_seen(self, origin: str, prefixes: list[str], digest: str, at: datetime) -> int:
        """robots.txt of an origin fetched: when its rules changed, its disallowed articles are due."""
        with self.writing() as con:
            return robots.seen(con, origin, prefixes, digest, at)

    # -- the frontier ----------------------------------------------------------------------------
    def add_to_frontier(self, source: str, found: list[tuple[str, str, str | None]]) -> int:
        """Discovered articles, (article_id, url, listing URL), stored before they are fetched."""
        with self.writing() as con:
            return frontier.add(con, source, found, utcnow())

    def frontier(self, source: str) -> list[tuple[str, str]]:
        """(article_id, url) of the source's discovered articles never fetched."""
        if not self.exists():
            return []
        with self.reading() as con:
            return frontier.pending(con, source)

    def note_signals(self, source: str, signals: Iterable[tuple[str, str, datetime | None]],
                     schedule: Schedule = default_schedule) -> int:
        """Publisher 'modified at T' signals from discovery: (key, url, T); returns how many
        articles became due (archive/signals.py)."""
        newest = signals_.newest(source, signals)
        if not newest:
            return 0
        with self.writing() as con:
            return signals_.apply(con, newest, schedule, utcnow())
