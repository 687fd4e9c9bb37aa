"""What the crawler knows about an article before fetching it again (Archive.known)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# A stored quick print the page no longer matches is replaced by a matching probe's at most this
# often: what made it differ (a time stamped in JSON-LD, a box rotating inside an author element)
# differs on every response, and rewriting ~1.7 KB on every re-check would cost what the print
# saves; but a print stored before a site changed its template must not cost a probe for good.
QUICK_PRINT_REFRESH = timedelta(days=1)


def quick_print_due(stored: str | None, updated_at: datetime | None, now: datetime) -> bool:
    """Whether a matching probe's quick print replaces the stored one (see QUICK_PRINT_REFRESH):
    the archive decides with it, and the crawler asks a worker for a print only then."""
    return stored is None or updated_at is None or now - updated_at >= QUICK_PRINT_REFRESH


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
    body_container: str | None = None            # where the body was found last time
    probe_hash: str | None = None                # and that region's fingerprint
    quick_print: str | None = None               # the page's quick print (crawler/extraction/quickprint.py)
    probe_updated: datetime | None = None        # when any of those three last changed
    noise: frozenset[str] = frozenset()          # labels seen rotating on this very article
    payload_warc: tuple[str, int] | None = None  # the latest WARC record of the current payload (revisit target)


def attach_latest(con, articles: list[KnownArticle]) -> None:
    """Each article's latest version and where its capture is in WARC, in one query."""
    if not articles:
        return
    by_id = {a.article_id: a for a in articles}
    cur = con.execute(
        """SELECT v.article_id, v.version, v.captured_at, v.title, v.headlines, v.byline, v.published_at,
                  v.modified_at, v.lead, v.text, v.language, v.tags, v.content_hash, v.extractor, v.reverts_to, v.url,
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
        data["headlines"] = dict(data["headlines"] or {})
        art.latest = data
        art.latest_warc = (warc_file, warc_offset) if warc_file else None
