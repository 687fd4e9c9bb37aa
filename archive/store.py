"""The archive: one DuckDB file plus a WARC directory beside it.

Every method opens the file for as short a time as it can (see db.py), so a writer and any number
of readers in other processes take turns instead of failing.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

from . import db, schema
from .records import FetchResult
from .batch import Batch
from .writer import Schedule, default_schedule, record_fetch


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class KnownArticle:
    """What the crawler needs to know about an article before fetching it again."""
    article_id: str
    key: str
    url: str
    status: str
    versions: int
    etag: str | None
    last_modified: str | None
    payload_digest: str | None
    next_check: datetime | None
    last_checked: datetime | None
    publisher_modified: datetime | None
    latest: dict | None = None   # latest version fields (loaded for rechecks only)
    latest_warc: tuple[str, int] | None = None   # where the latest version's capture is stored


class Archive:
    def __init__(self, path: str | Path | None = None, warc_dir: str | Path | None = None):
        self.path = db.archive_path(path)
        self.warc_dir = Path(warc_dir) if warc_dir else self.path.parent / "warc"
        self._ready = False

    # -- connections -------------------------------------------------------------------------
    @contextlib.contextmanager
    def reading(self) -> Iterator:
        with db.connect(self.path, read_only=True) as con:
            if schema.current_version(con) == 0:
                raise db.ArchiveError(f"{self.path} is not a wirewatch archive (no schema)")
            yield con

    @contextlib.contextmanager
    def writing(self) -> Iterator:
        """One transaction: committed on success, rolled back (file untouched) on any error."""
        with db.connect(self.path, read_only=False) as con:
            if not self._ready:
                schema.migrate(con)
                self._ready = True
            # Closing would fold the write-ahead log into the file after every small batch, the
            # largest cost of a write; DuckDB checkpoints by itself once the log passes
            # checkpoint_threshold, and the maintenance job checkpoints too.
            # Runs end with a checkpoint (finish_run), so at rest the archive is one file again.
            con.execute("PRAGMA disable_checkpoint_on_shutdown")
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
        """Fold the write-ahead log into the file (maintenance)."""
        with db.connect(self.path, read_only=False) as con:
            con.execute("CHECKPOINT")

    def close_stale_runs(self) -> int:
        """Runs left 'running' by a process that died (kill -9, power loss) become 'interrupted'.
        Their committed fetches stay; what they had not committed is simply due again."""
        with self.writing() as con:
            rows = con.execute("SELECT run_id FROM runs WHERE outcome = 'running'").fetchall()
        for (run_id,) in rows:
            self.finish_run(run_id, "interrupted", "the process ended before the run finished")
        return len(rows)

    def set_job_schedule(self, rows) -> None:
        """(job_id, job, source, next_run_at) of the running daemon, for `wirewatch status`."""
        now = utcnow()
        with self.writing() as con:
            con.execute("DELETE FROM job_schedule")
            if rows:
                con.executemany("INSERT INTO job_schedule VALUES (?, ?, ?, ?, ?)",
                                [[job_id, job, source, nxt, now] for job_id, job, source, nxt in rows])

    # -- runs ----------------------------------------------------------------------------------
    def start_run(self, job: str, source: str | None) -> int:
        with self.writing() as con:
            run_id = con.execute("SELECT nextval('run_ids')").fetchone()[0]
            con.execute("INSERT INTO runs (run_id, job, source, started_at, outcome) VALUES (?, ?, ?, ?, 'running')",
                        [run_id, job, source, utcnow()])
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
        if not self.path.exists():
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
                         last_checked, publisher_modified
                  FROM articles WHERE {' AND '.join(where)}
                  ORDER BY next_check NULLS LAST, article_id"""
        if limit:
            sql += f" LIMIT {int(limit)}"
        with self.reading() as con:
            rows = con.execute(sql, params).fetchall()
            out = [KnownArticle(aid, aid.split(":", 1)[1], url, status, versions, etag, lm, digest, nxt, last, pub)
                   for aid, url, status, versions, etag, lm, digest, nxt, last, pub in rows]
            if with_latest:
                self._attach_latest(con, [a for a in out if a.versions])
            return out

    @staticmethod
    def _attach_latest(con, articles: list[KnownArticle]) -> None:
        """Each article's latest version and where its capture is in WARC, in one query."""
        if not articles:
            return
        by_id = {a.article_id: a for a in articles}
        cur = con.execute(
            """SELECT v.article_id, v.version, v.captured_at, v.title, v.byline, v.published_at, v.modified_at,
                      v.lead, v.text, v.language, v.tags, v.content_hash, v.extractor, v.reverts_to, v.url,
                      f.warc_file, f.warc_offset
               FROM versions v JOIN articles a ON a.article_id = v.article_id AND a.versions = v.version
               LEFT JOIN fetches f ON f.fetch_id = v.fetch_id
               WHERE v.article_id IN (SELECT unnest(?))""", [list(by_id)])
        names = [d[0] for d in cur.description]
        for row in cur.fetchall():
            data = dict(zip(names, row))
            art = by_id[data.pop("article_id")]
            warc_file, warc_offset = data.pop("warc_file"), data.pop("warc_offset")
            data["captured_at"] = data["captured_at"].isoformat() if data["captured_at"] else None
            data["tags"] = list(data["tags"] or [])
            art.latest = data
            art.latest_warc = (warc_file, warc_offset) if warc_file else None

    def volatile_keys(self, source: str) -> set[str]:
        if not self.path.exists():
            return set()
        with self.reading() as con:
            return {k for (k,) in con.execute("SELECT line_key FROM volatile_lines WHERE source = ?", [source]).fetchall()}

    # -- writes ------------------------------------------------------------------------------
    def record_batch(self, results: list[FetchResult], *, run_id: int | None = None,
                     schedule: Schedule = default_schedule) -> list[tuple[str, int | None]]:
        """Write a batch of fetches in one transaction; all or nothing."""
        if not results:
            return []
        with self.writing() as con:
            batch = Batch(con, [r.article_id for r in results])
            out = [record_fetch(batch, r, run_id=run_id, schedule=schedule) for r in results]
            batch.flush()
            return out

    def note_signals(self, source: str, signals: Iterable[tuple[str, str, datetime | None]]) -> int:
        """Publisher 'modified at T' signals from discovery: (key, url, T). Newer than the last
        capture makes the article due now. Returns how many articles became due."""
        rows = [(f"{source}:{k}", url, t) for k, url, t in signals if t is not None]
        if not rows:
            return 0
        now = utcnow()
        with self.writing() as con:
            con.execute("CREATE TEMP TABLE IF NOT EXISTS sig (article_id VARCHAR, url VARCHAR, t TIMESTAMPTZ)")
            con.execute("DELETE FROM sig")
            con.executemany("INSERT INTO sig VALUES (?, ?, ?)", rows)
            due = con.execute(
                """UPDATE articles a SET publisher_modified = s.t,
                         next_check = CASE WHEN s.t > coalesce(a.last_checked, a.first_seen)
                                            AND a.status NOT IN ('gone', 'redirected')
                                           THEN least(coalesce(a.next_check, ?), ?) ELSE a.next_check END
                   FROM (SELECT article_id, max(t) AS t FROM sig GROUP BY article_id) s
                   WHERE a.article_id = s.article_id AND (a.publisher_modified IS NULL OR s.t > a.publisher_modified)
                   RETURNING a.article_id, a.next_check""", [now, now]).fetchall()
            return sum(1 for _, nxt in due if nxt is not None and nxt <= now)
