"""`wirewatch status`: per source, what the crawler did, what is due and how healthy it is."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from archive import views
from archive.store import Archive
from crawler.seeds import Seed
from jobs.schedule import policy_for

# One query per figure for all sources together (GROUP BY source): per source and figure, as this
# was first written, a page listing 17 sources ran 119 queries; the web view's home page shows it.
_VERSIONS = """SELECT a.source, count(*) FROM versions v JOIN articles a USING (article_id)
               WHERE list_contains($names, a.source) AND v.captured_at >= $since GROUP BY a.source"""
_FETCHES = """SELECT a.source, count(*), count(*) FILTER (f.outcome = 'error'), count(*) FILTER (f.outcome = 'blocked')
              FROM fetches f JOIN articles a USING (article_id)
              WHERE list_contains($names, a.source) AND f.fetched_at >= $since AND f.outcome <> 'confirm'
              GROUP BY a.source"""
_LAST_RUNS = """SELECT source, job, arg_max(finished_at, finished_at), arg_max(outcome, finished_at),
                       arg_max(fetches, finished_at), arg_max(new_versions, finished_at)
                FROM runs WHERE list_contains($names, source) AND job IN ('crawl', 'recheck')
                  AND finished_at IS NOT NULL GROUP BY source, job"""
_SCHEDULE = """SELECT source, job, max(next_run_at) FROM job_schedule
               WHERE list_contains($names, source) AND (job IN ('crawl', 'recheck') OR next_run_at > $now)
               GROUP BY source, job"""


def source_status(archive: Archive, seeds: dict[str, Seed], now: datetime | None = None) -> list[dict]:
    now = now or datetime.now(timezone.utc)
    names = sorted(seeds)
    with archive.reading() as con:
        def by_source(sql: str, **params) -> dict:
            return {row[0]: row[1:] for row in con.execute(sql, {"names": names, **params}).fetchall()}

        def by_source_and_job(sql: str, **params) -> dict:
            return {(row[0], row[1]): row[2:] for row in con.execute(sql, {"names": names, **params}).fetchall()}
        articles = views.source_counts(con, now)    # tracked, live, gone, due: as the web view counts them
        versions = by_source(_VERSIONS, since=now - timedelta(days=1))
        fetches = by_source(_FETCHES, since=now - timedelta(days=1))
        runs = by_source_and_job(_LAST_RUNS)
        schedule = by_source_and_job(_SCHEDULE, now=now)
    out = []
    for name in names:
        budget = policy_for(seeds[name]).budget
        counts = articles.get(name) or {}
        tracked, due, live, gone = (counts.get(k, 0) for k in ("tracked", "due_now", "live", "gone"))
        fetched, errors, blocked = fetches.get(name, (0, 0, 0))
        row = {"source": name, "tracked": tracked, "live": live, "gone": gone, "due_now": due,
               "backlog": max(0, due - budget), "versions_24h": versions.get(name, (0,))[0], "fetches_24h": fetched,
               "error_rate": round(errors / fetched, 3) if fetched else 0.0,
               "block_rate": round(blocked / fetched, 3) if fetched else 0.0}
        for job, label in (("crawl", "discovery"), ("recheck", "recheck")):
            last = runs.get((name, job))
            row[f"last_{label}"] = last[0] if last else None
            row[f"last_{label}_outcome"] = f"{last[1]} ({last[2]} fetches, {last[3]} versions)" if last else None
            nxt = schedule.get((name, job))
            row[f"next_{label}"] = nxt[0] if nxt else None
        # A server's Retry-After pausing the source, as the running daemon published it.
        deferred = schedule.get((name, "deferred"))
        row["deferred_until"] = deferred[0] if deferred else None
        row["deferred_by"] = "Retry-After" if deferred else None
        out.append(row)
    if archive.shared:       # which worker is crawling each source right now (jobs/leases.py)
        from jobs.leases import holders
        held = holders(archive, "source:")
        for row in out:
            row["crawling_on"] = held.get(f"source:{row['source']}")
    return out


def worker_status(archive: Archive) -> list[dict]:
    """The workers of a shared archive: host, pid, last heartbeat, alive, the leases each holds.
    An embedded archive has one daemon at most (jobs/lock.py) and no such list."""
    if not archive.shared:
        return []
    from jobs.leases import workers
    return workers(archive)
