"""`wirewatch status`: per source, what the crawler did, what is due and how healthy it is."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from archive.store import Archive
from crawler.seeds import Seed
from jobs.schedule import policy_for


def source_status(archive: Archive, seeds: dict[str, Seed], now: datetime | None = None) -> list[dict]:
    now = now or datetime.now(timezone.utc)
    day_ago = now - timedelta(days=1)
    with archive.reading() as con:
        out = []
        for name, seed in sorted(seeds.items()):
            budget = policy_for(seed).budget
            tracked, due, live, gone = con.execute(
                """SELECT count(*), count(*) FILTER (next_check <= ?), count(*) FILTER (status = 'live'),
                          count(*) FILTER (status = 'gone') FROM articles WHERE source = ?""", [now, name]).fetchone()
            versions_24h = con.execute(
                """SELECT count(*) FROM versions v JOIN articles a USING (article_id)
                   WHERE a.source = ? AND v.captured_at >= ?""", [name, day_ago]).fetchone()[0]
            fetches, errors, blocked = con.execute(
                """SELECT count(*), count(*) FILTER (f.outcome = 'error'), count(*) FILTER (f.outcome = 'blocked')
                   FROM fetches f JOIN articles a USING (article_id)
                   WHERE a.source = ? AND f.fetched_at >= ? AND f.outcome <> 'confirm'""", [name, day_ago]).fetchone()
            row = {"source": name, "tracked": tracked, "live": live, "gone": gone, "due_now": due,
                   "backlog": max(0, due - budget), "versions_24h": versions_24h, "fetches_24h": fetches,
                   "error_rate": round(errors / fetches, 3) if fetches else 0.0,
                   "block_rate": round(blocked / fetches, 3) if fetches else 0.0}
            for job, label in (("crawl", "discovery"), ("recheck", "recheck")):
                last = con.execute(
                    """SELECT finished_at, outcome, fetches, new_versions FROM runs
                       WHERE source = ? AND job = ? AND finished_at IS NOT NULL
                       ORDER BY finished_at DESC LIMIT 1""", [name, job]).fetchone()
                row[f"last_{label}"] = last[0] if last else None
                row[f"last_{label}_outcome"] = f"{last[1]} ({last[2]} fetches, {last[3]} versions)" if last else None
                nxt = con.execute("SELECT next_run_at FROM job_schedule WHERE job = ? AND source = ?",
                                  [job, name]).fetchone()
                row[f"next_{label}"] = nxt[0] if nxt else None
            # A server's Retry-After pausing the source, as the running daemon published it.
            deferred = con.execute("""SELECT max(next_run_at) FROM job_schedule
                                      WHERE job = 'deferred' AND source = ? AND next_run_at > ?""",
                                   [name, now]).fetchone()[0]
            row["deferred_until"] = deferred
            row["deferred_by"] = "Retry-After" if deferred else None
            out.append(row)
        return out
