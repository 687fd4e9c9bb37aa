"""The one write path: a fetch result in, fetch/version/article/event rows out.

`record_fetch` stages one fetch in the caller's Batch (one transaction). Whether a capture is a
new version is decided here and only here: by the normalized content hash of the fields that make a revision, with the
source's known volatile lines left out of the body, compared with the latest version recomputed
under the same volatile set (so learning a new volatile line later never makes a spurious version).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable

from . import normalize
from .batch import Batch
from .records import FetchResult
from .snapshot import QUALITY_ERROR, Snapshot

# schedule(now=, first_seen=, last_checked=, last_changed=, unchanged_checks=, status=, versions=)
Schedule = Callable[..., "datetime | None"]


def default_schedule(*, now: datetime, **_: object) -> datetime:
    """Used only when no re-check policy is injected (library use): look again in 15 minutes."""
    return now + timedelta(minutes=15)


def version_fields(snapshot: Snapshot, volatile: frozenset[str]) -> dict:
    return {
        "title": normalize.normalize_line(snapshot.title or ""),
        "byline": normalize.normalize_line(snapshot.byline or ""),
        "published_at": snapshot.published_at,
        "modified_at": snapshot.modified_at,
        "lead": normalize.normalize_text(snapshot.lead),
        "text": normalize.strip_volatile(snapshot.text, volatile),
        "language": snapshot.language,
        "tags": list(snapshot.tags or []),
    }


def load_version(con, article_id: str, version: int) -> dict | None:
    cur = con.execute(
        """SELECT version, captured_at, title, byline, published_at, modified_at, lead, text, language,
                  tags, content_hash, extractor, reverts_to, url
           FROM versions WHERE article_id = ? AND version = ?""", [article_id, version])
    row = cur.fetchone()
    if row is None:
        return None
    out = dict(zip([d[0] for d in cur.description], row))
    out["captured_at"] = out["captured_at"].isoformat() if out["captured_at"] else None
    out["tags"] = list(out["tags"] or [])
    return out


def _matching_version(batch: Batch, article_id: str, new_hash: str, new_text_hash: str,
                      volatile: frozenset[str], extractor: str | None) -> tuple[int | None, bool]:
    """(version the new capture matches, whether that is the latest version).

    The latest version matches on the full content hash (dates included). An earlier version
    matches on its text alone (headline, byline, lead, body) when the latest one's text differs:
    that is a revert, even though the page's modified time moved on. A capture extracted by a
    different extractor than the latest version (an upgrade, new drop rules) is also compared with
    that version's re-extraction by the current extractor: a difference only the extractor made is
    not a publisher's edit.
    """
    rows = batch.versions.get(article_id, [])
    for i, row in enumerate(rows):
        if i == 0:
            if normalize.content_hash(row, volatile) == new_hash:
                return row["version"], True
            if extractor and row["extractor"] != extractor and _reextraction_matches(
                    batch.con, article_id, row["version"], extractor, new_hash, volatile):
                return row["version"], True
            if normalize.content_hash(row, volatile, normalize.TEXT_FIELDS) == new_text_hash:
                return None, False          # same text, new dates: an ordinary new version
        elif normalize.content_hash(row, volatile, normalize.TEXT_FIELDS) == new_text_hash:
            return row["version"], False
    return None, False


def _reextraction_matches(con, article_id, version, extractor, new_hash, volatile) -> bool:
    rows = con.execute(
        """SELECT title, byline, published_at, modified_at, lead, text FROM reextractions
           WHERE article_id = ? AND version = ? AND extractor = ?""", [article_id, version, extractor]).fetchall()
    keys = ("title", "byline", "published_at", "modified_at", "lead", "text")
    return any(normalize.content_hash(dict(zip(keys, row)), volatile) == new_hash for row in rows)


def record_fetch(batch: Batch, r: FetchResult, *, run_id: int | None,
                 schedule: Schedule = default_schedule) -> tuple[str, int | None]:
    """Decide and stage one fetch (and its confirmation, if any); returns (outcome, version)."""
    con, now, aid = batch.con, r.fetched_at, r.article_id
    art = batch.article(aid, r.source, r.url, now)
    volatile = batch.volatile_for(r.source)
    if r.volatile_lines:
        volatile.update(batch.add_volatile(r.source, normalize.volatile_keys(r.volatile_lines), now))
    frozen = frozenset(volatile)
    if r.baseline is not None:
        version, snapshot, drop_rules = r.baseline
        store_reextraction(con, aid, version, snapshot, frozen, now, drop_rules=drop_rules)

    outcome, version, status, content_hash, reverts_to = _decide(batch, r, art, frozen)
    fetch_id = batch.add_fetch(_fetch_values(r, run_id, outcome, version, aid))
    for confirm in r.confirms:
        batch.add_fetch(_fetch_values(confirm, run_id, "confirm", version, aid))
    changed = outcome in ("new", "changed")
    if changed:
        _insert_version(batch, r, aid, version, fetch_id, frozen, now, content_hash, reverts_to)
    _update_article(con, r, aid, art, outcome, status, version, changed, fetch_id, now, schedule)
    return outcome, version


def _decide(batch: Batch, r: FetchResult, art: dict, volatile: frozenset[str]):
    """(outcome, version, new article status or None to keep, content hash, reverts_to)."""
    if r.http_status and 300 <= r.http_status < 400 and r.http_status != 304:   # a redirect not followed (off-site)
        return "redirected", None, "redirected", None, None
    if r.error or r.http_status is None:
        return "error", None, None if art["versions"] else "error", None, None
    status = r.http_status
    if status == 304:
        return "not_modified", art["versions"] or None, None, None, None
    if status in (404, 410):
        return "gone", None, "gone", None, None
    if status != 200:
        return "error", None, None if art["versions"] else "error", None, None
    if r.final_url and r.final_key != r.article_key:
        return "redirected", None, "redirected", None, None
    snap = r.snapshot
    if snap is None or not snap.is_article:
        r.error = r.error or (f"{snap.quality}: {snap.quality_reason}" if snap else "nothing extracted")
        if snap is not None and snap.quality == QUALITY_ERROR:
            return "error", None, None if art["versions"] else "error", None, None
        return "blocked", None, "blocked", None, None
    if art["versions"] and r.payload_digest and r.payload_digest == art["payload_digest"]:
        return "unchanged", art["versions"], "live", None, None
    fields = version_fields(snap, volatile)
    new_hash = normalize.content_hash(fields, volatile)
    new_text_hash = normalize.content_hash(fields, volatile, normalize.TEXT_FIELDS)
    match, is_latest = _matching_version(batch, r.article_id, new_hash, new_text_hash, volatile, snap.extractor)
    if match is not None and is_latest:
        return "unchanged", match, "live", None, None
    next_version = art["versions"] + 1
    # `match` set here means an earlier text is back: a new version that says which it reverts to.
    return ("new" if next_version == 1 else "changed"), next_version, "live", new_hash, match


def _fetch_values(r: FetchResult, run_id, outcome, version, aid) -> dict:
    return {"run_id": run_id, "url": r.final_url or r.url, "article_id": aid, "fetched_at": r.fetched_at,
            "http_status": r.http_status, "outcome": outcome, "version": version, "etag": r.etag,
            "last_modified": r.last_modified, "payload_digest": r.payload_digest, "bytes": r.bytes,
            "elapsed_ms": r.elapsed_ms, "error": r.error,
            "redirected_from": r.url if r.final_url and r.final_url != r.url else None,
            "warc_file": r.warc_file, "warc_offset": r.warc_offset, "warc_length": r.warc_length}


def _insert_version(batch: Batch, r: FetchResult, aid, version, fetch_id, volatile, now, content_hash, reverts_to) -> None:
    from .changes import change_rows
    snap = r.snapshot
    row = dict(version_fields(snap, volatile), article_id=aid, version=version, captured_at=now,
               url=r.final_url or r.url, language=snap.language, content_hash=content_hash,
               extractor=snap.extractor, reverts_to=reverts_to, fetch_id=fetch_id)
    previous = batch.latest(aid)
    current = dict(row, captured_at=now.isoformat())
    batch.add_version(row, change_rows(aid, previous, current, reverts_to=reverts_to, at=now))


def store_reextraction(con, article_id: str, version: int, snapshot: Snapshot, volatile: frozenset[str],
                       now: datetime, fetch_id: int | None = None, drop_rules: str | None = None) -> bool:
    """Keep a re-extraction of a version's capture apart from the versions; returns whether it
    differs from the stored version."""
    fields = version_fields(snapshot, volatile)
    new_hash = normalize.content_hash(fields, volatile)
    stored = load_version(con, article_id, version)
    differs = stored is None or normalize.content_hash(stored, volatile) != new_hash
    con.execute(
        """INSERT OR REPLACE INTO reextractions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [article_id, version, fetch_id, now, snapshot.extractor, drop_rules or "", fields["title"], fields["byline"],
         fields["published_at"], fields["modified_at"], fields["lead"], fields["text"], snapshot.language,
         fields["tags"], new_hash, differs])
    return differs


def _event(con, aid, now, kind, detail, fetch_id, version=None, old=None, new=None, cls=None) -> None:
    con.execute("INSERT INTO events VALUES (?, ?, ?, ?, ?)", [aid, now, kind, detail, fetch_id])
    if cls:
        con.execute("INSERT INTO change_classes VALUES (?, ?, ?, ?, ?, ?, ?)", [aid, version, now, cls, detail, old, new])


def _update_article(con, r, aid, art, outcome, status, version, changed, fetch_id, now, schedule) -> None:
    if status == "gone" and art["status"] != "gone":
        _event(con, aid, now, "gone", f"HTTP {r.http_status}", fetch_id, old=art["url"], new=str(r.http_status), cls="pulled")
    if status == "live" and art["status"] == "gone":
        _event(con, aid, now, "returned", "live again after being gone", fetch_id)
    if r.final_url and r.final_url != r.url:
        detail = f"{r.url} -> {r.final_url}"
        kind_version = version if outcome in ("new", "changed", "unchanged") else None
        _event(con, aid, now, "redirected", detail, fetch_id, kind_version, r.url, r.final_url, cls="redirected")
    versions = version if changed else art["versions"]
    last_changed = now if changed else art["last_changed"]
    if changed:
        unchanged_checks = 0
    elif outcome in ("unchanged", "not_modified"):
        unchanged_checks = art["unchanged_checks"] + 1
    else:
        unchanged_checks = art["unchanged_checks"]
    new_status = status or art["status"]
    url = r.final_url if (r.final_url and outcome not in ("redirected", "error", "gone")) else art["url"]
    next_check = schedule(now=now, first_seen=art["first_seen"], last_checked=now, last_changed=last_changed,
                          unchanged_checks=unchanged_checks, status=new_status, versions=versions)
    ok_response = r.http_status == 200 and outcome not in ("error", "blocked", "redirected")
    if new_status != art["status"]:
        art["status_since"] = now
    art.update(url=url, last_checked=now, last_changed=last_changed, next_check=next_check, status=new_status,
               versions=versions, unchanged_checks=unchanged_checks)
    if ok_response:
        art.update(etag=r.etag, last_modified=r.last_modified, payload_digest=r.payload_digest)
