"""Re-extraction: every version's own WARC record run again through the current extractor and the
source's current `drop` rules, into the `reextractions` table.

It never creates, changes or deletes a version. A difference that comes only from a new extractor
or new drop rules is not an edit by the publisher, so it is kept apart: one row per (version,
extractor, drop rules), with `differs` saying whether the content hash differs from the stored
version's, both keyed under the source's learned noise (as the write path compares).
Rerunning replaces the same rows.

Work goes in batches so the archive is never held open: read a batch (read-only, closed), read the
WARC records and extract (in this process, or in the crawler's extraction pool for big runs),
then write the batch in one transaction.
"""
from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone

from warcio.exceptions import ArchiveLoadFailed

from archive.queries import find_article
from archive.store import Archive
from archive.warc_read import read_response
from archive.noise import Noise
from archive.writer import store_reextraction

from .extract import EXTRACTOR_NAME, extract
from .extraction.words import is_flash_text
from .seeds import Seed

BATCH_SIZE = 100
# Below this many versions a process pool costs more to start than it saves.
POOL_FROM = 50
# How many differing/missing versions the summary names before saying "and N more".
NAMED = 20

_BATCH_SQL = """
SELECT v.article_id, v.version, v.fetch_id, a.source, coalesce(f.url, v.url) AS url,
       f.warc_file, f.warc_offset, v.text AS stored_text,
       -- the same payload captured by another fetch of the article: a fallback pointer
       (SELECT list([g.warc_file, g.warc_offset::VARCHAR] ORDER BY g.fetch_id) FROM fetches g
         WHERE g.article_id = v.article_id AND g.payload_digest = f.payload_digest
           AND g.fetch_id <> f.fetch_id AND g.warc_file IS NOT NULL) AS others
FROM versions v
JOIN articles a USING (article_id)
LEFT JOIN fetches f ON f.fetch_id = v.fetch_id
WHERE list_contains($sources, a.source)
  AND ($article::VARCHAR IS NULL OR v.article_id = $article)
  AND (v.article_id > $after_id OR (v.article_id = $after_id AND v.version > $after_version))
ORDER BY v.article_id, v.version
LIMIT $limit
"""


@dataclass
class ReextractReport:
    extractor: str
    reread: int = 0
    identical: int = 0
    differing: list[str] = field(default_factory=list)    # "source:id v2"
    missing: list[str] = field(default_factory=list)      # "source:id v2 (why)"
    skipped_sources: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"re-extracted {self.reread} versions with {self.extractor}: {self.identical} identical, "
               f"{len(self.differing)} differing, {len(self.missing)} missing WARC records"]
        for label, items in (("differing", self.differing), ("missing", self.missing)):
            if items:
                more = f" and {len(items) - NAMED} more" if len(items) > NAMED else ""
                out.append(f"{label}: {', '.join(items[:NAMED])}{more}")
        if self.skipped_sources:
            out.append(f"skipped (no seed, so no drop rules): {', '.join(self.skipped_sources)}")
        return out


def drop_rules(seed: Seed) -> str:
    """How the drop rules are recorded (part of the reextractions key)."""
    return json.dumps(list(seed.drop))


def reextract(archive: Archive, seeds: dict[str, Seed], *, source: str | None = None,
              article: str | None = None, batch_size: int = BATCH_SIZE, workers: int | None = None,
              now: datetime | None = None) -> ReextractReport:
    """Re-extract the versions of `source`, of one `article` (URL, source:id or id), or of every
    source that has a seed. workers: None picks (pool for big runs), 1 = this process, 0 = a
    worker per core."""
    report = ReextractReport(EXTRACTOR_NAME)
    now = now or datetime.now(timezone.utc)
    with archive.reading() as con:
        article_id = None
        if article:
            found = find_article(con, article)
            if source and source != found["source"]:
                raise ValueError(f"{found['article_id']} is not from source {source!r}")
            article_id, source = found["article_id"], found["source"]
        if source:
            wanted = [source]
        else:
            present = [s for (s,) in con.execute("SELECT DISTINCT source FROM articles ORDER BY 1").fetchall()]
            wanted = [s for s in present if s in seeds]
            report.skipped_sources = [s for s in present if s not in seeds]
        total = con.execute(
            "SELECT count(*) FROM versions JOIN articles a USING (article_id) "
            "WHERE list_contains(?, a.source) AND (?::VARCHAR IS NULL OR article_id = ?)",
            [wanted, article_id, article_id]).fetchone()[0]
    if source and source not in seeds:
        raise ValueError(f"no seed for source {source!r}: its drop rules are unknown")
    learned = {name: Noise(archive.noise(name)) for name in wanted}
    if workers is None:
        workers = 1 if total < POOL_FROM else 0
    after = ("", 0)
    while True:
        with archive.reading() as con:
            cur = con.execute(_BATCH_SQL, {"sources": wanted, "article": article_id, "after_id": after[0],
                                           "after_version": after[1], "limit": batch_size})
            names = [d[0] for d in cur.description]
            batch = [dict(zip(names, r)) for r in cur.fetchall()]
        if not batch:
            return report
        after = (batch[-1]["article_id"], batch[-1]["version"])
        found, snapshots = _extract_batch(archive, batch, seeds, workers, report)
        if not found:
            continue
        with archive.writing() as con:
            for v, snap in zip(found, snapshots):
                source = v["source"]
                differs = store_reextraction(con, v["article_id"], v["version"], snap, learned[source], now,
                                             fetch_id=v["fetch_id"], drop_rules=drop_rules(seeds[source]))
                _count(report, v, snap, differs)


def _count(report: ReextractReport, v: dict, snap, differs: bool) -> None:
    report.reread += 1
    if differs:
        note = "" if snap.is_article else f", now {snap.quality}"
        report.differing.append(f"{v['article_id']} v{v['version']}{note}")
    else:
        report.identical += 1


def _extract_batch(archive, batch, seeds, workers, report) -> tuple[list[dict], list]:
    """The batch's versions whose records could be read, and their new snapshots."""
    jobs, found = [], []
    for v in batch:
        label = f"{v['article_id']} v{v['version']}"
        record, why = _record(archive.warc_dir, v)
        if record is None:
            report.missing.append(f"{label} ({why})")
            continue
        headers, body = record
        seed = seeds[v["source"]]
        # a version that is a flash was let through as one: so is its re-extraction
        jobs.append((body, v["url"], headers, seed.drop, seed.timezone, is_flash_text(v["stored_text"])))
        found.append(v)
    return found, _extract_all(jobs, workers)


def _record(warc_dir, v: dict):
    """((headers dict, body), None) for the version's response record, or (None, why)."""
    if v["fetch_id"] is None:
        return None, "no fetch recorded"
    pointers = [(v["warc_file"], v["warc_offset"])] if v["warc_file"] else []
    pointers += [(name, int(offset)) for name, offset in v["others"] or []]
    if not pointers:
        return None, "no WARC pointer"
    why = "revisit record only"
    for pointer in pointers:
        try:
            headers, body, _uri, rec_type = read_response(warc_dir, pointer)
        except (OSError, ValueError, EOFError, ArchiveLoadFailed) as exc:   # missing file, bad offset, truncated gzip
            why = f"{pointer[0]}:{pointer[1]}: {type(exc).__name__}"
            continue
        if rec_type == "response":
            return ({k: val for k, val in headers}, body), None
    return None, why


def _extract_all(jobs: list[tuple], workers: int) -> list:
    if workers == 1 or len(jobs) < 2:
        return [extract(body, url, headers, drop, timezone=tz, flash=flash)
                for body, url, headers, drop, tz, flash in jobs]
    from .extract_pool import extract_async

    async def run():
        return await asyncio.gather(*(extract_async(body, url, headers, tuple(drop), workers, timezone=tz, flash=flash)
                                      for body, url, headers, drop, tz, flash in jobs))
    return asyncio.run(run())

