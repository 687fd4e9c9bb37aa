"""The one write path: a fetch result in, fetch/version/article/event rows out.

`record_fetch` stages one fetch in the caller's Batch (one transaction). Whether a capture is a
new version is decided by `archive.revision.judge` (the same function the spider asks whether to
confirm a change), against the latest version recomputed under the same noise, so learning a
noise line later never makes a spurious version. Statuses and events are decided here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable

from . import noise, normalize, revision
from .batch import Batch
from .known import quick_print_due
from .noise import Noise
from .records import FetchResult
from .snapshot import QUALITY_ERROR, Snapshot

# schedule(now=, first_seen=, last_checked=, last_changed=, unchanged_checks=, status=, versions=)
# -> next_check; it may also have .after_signal(now=, signal_time=, first_seen=, last_checked=,
# last_changed=, unchanged_checks=, status=, next_check=) -> next_check (jobs/schedule.py has both).
Schedule = Callable[..., "datetime | None"]


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def default_schedule(*, now: datetime, **_: object) -> datetime:
    """Used only when no re-check policy is injected (library use): look again in 15 minutes."""
    return now + timedelta(minutes=15)


def default_after_signal(*, now: datetime, signal_time: datetime, last_checked=None, next_check=None,
                         **_: object) -> datetime | None:
    """Library use without a policy: a signal newer than the last fetch makes the article due."""
    if last_checked is None or signal_time > last_checked:
        return now if next_check is None else min(now, next_check)
    return next_check


def load_version(con, article_id: str, version: int, *, raw: bool = False) -> dict | None:
    """A stored version as diffs read it: its `text` without its noise lines and without the
    source's learned noise (they are listed in `noise_lines`); raw=True: the text as stored."""
    cur = con.execute(
        """SELECT v.version, v.captured_at, v.title, v.headlines, v.byline, v.published_at, v.modified_at, v.lead,
                  v.text, v.noise_lines, v.language, v.tags, v.content_hash, v.extractor, v.reverts_to, v.url, a.source
           FROM versions v JOIN articles a USING (article_id) WHERE article_id = ? AND version = ?""",
        [article_id, version])
    row = cur.fetchone()
    if row is None:
        return None
    out = dict(zip([d[0] for d in cur.description], row))
    out["captured_at"] = out["captured_at"].isoformat() if out["captured_at"] else None
    out["tags"] = list(out["tags"] or [])
    out["headlines"] = dict(out["headlines"] or {})
    out["noise_lines"] = list(out["noise_lines"] or [])
    if not raw:
        learned = noise.load(con, out.pop("source"), utcnow())
        out = revision.for_comparison(out, learned.with_keys(normalize.line_key(x) for x in out["noise_lines"]))
    return out


def record_fetches(batch: Batch, results: list[FetchResult], *, run_id: int | None,
                   schedule: Schedule = default_schedule, keep_raw: KeepRaw | None = None) -> list[tuple[str, int | None]]:
    """Decide and stage a batch of fetches, in order; (outcome, version) per result.

    The rotation the batch's own confirmation fetches show is counted before any of them is
    judged: when a teaser box is seen rotating on enough articles of this very batch, the one
    article whose three captures happened to repeat the same teaser is judged with the box
    learned, as the next batch would judge it, instead of becoming a version (a spurious
    version wiresim found 1 run in 12: a 110-teaser pool repeats one teaser that often)."""
    for r in results:
        snaps = _snapshots(r)
        if len(snaps) > 1:            # noise.rotation normalizes the texts itself
            batch.expect_rotation(r.source, r.article_id, noise.rotation([s.text for s in snaps]))
    return [record_fetch(batch, r, run_id=run_id, schedule=schedule, keep_raw=keep_raw) for r in results]


def _snapshots(r: FetchResult) -> list[Snapshot]:
    """The article captures of one check: the fetch and its confirmations that extracted one."""
    if r.snapshot is None or not r.snapshot.is_article:
        return []
    return [r.snapshot] + [c.snapshot for c in r.confirms if c.snapshot is not None and c.snapshot.is_article]


def record_fetch(batch: Batch, r: FetchResult, *, run_id: int | None,
                 schedule: Schedule = default_schedule, keep_raw: KeepRaw | None = None) -> tuple[str, int | None]:
    """Decide and stage one fetch (and its confirmations, if any); returns (outcome, version)."""
    con, now, aid = batch.con, r.fetched_at, r.article_id
    art = batch.article(aid, r.source, r.url, now)
    if r.baseline is not None:
        version, snapshot, drop_rules = r.baseline
        store_reextraction(con, aid, version, snapshot, batch.noise_for(r.source, aid), now, drop_rules=drop_rules)

    d = _decide(batch, r, art)
    if d.outcome != "unchanged":
        for held in (r, *r.confirms):
            if held.held_raw is not None:
                _keep_held(held, keep_raw)
    fetch_id = batch.add_fetch(_fetch_values(r, run_id, d.outcome, d.version, aid, art))
    capture_fetch = fetch_id
    for confirm in r.confirms:
        confirm_id = batch.add_fetch(_fetch_values(confirm, run_id, "confirm", d.version, aid, art))
        if d.capture is not None and confirm.snapshot is d.capture:
            capture_fetch = confirm_id
    changed = d.outcome in ("new", "changed")
    if changed:
        _insert_version(batch, r, aid, d, capture_fetch, now)
    _update_article(batch, r, aid, art, d, changed, fetch_id, now, schedule)
    return d.outcome, d.version


# Writes a result's held raw exchange to WARC and sets its warc_file/offset/length (the pipeline's).
KeepRaw = Callable[[FetchResult], None]


def _keep_held(r: FetchResult, keep_raw: KeepRaw | None) -> None:
    """The raw capture the crawler held, written now that the write makes more of the fetch than
    'unchanged' (the archive's noise or latest version disagreed with the crawler's). Written
    before the row that points at it; once only, however often a conflicting write is retried."""
    if r.warc_file is not None:
        return
    if keep_raw is None:
        r.warc_error = "raw capture not kept: it was held for a fetch judged unchanged and nothing could write it"
        return
    try:
        keep_raw(r)
    except OSError as exc:            # a full disk: the fetch is recorded without it, saying so
        r.warc_error = f"raw capture not kept: WARC write failed: {exc}".splitlines()[0][:300]


@dataclass
class Decision:
    outcome: str
    version: int | None = None
    status: str | None = None            # the article's new status; None: keep
    capture: Snapshot | None = None      # the capture a new version is made of
    judgement: revision.Judgement | None = None
    reverts_to: int | None = None


def _decide(batch: Batch, r: FetchResult, art: dict) -> Decision:
    if r.disallowed:                # robots.txt forbids it: left alone until robots.txt changes
        return Decision("disallowed", status="disallowed")
    status = r.http_status
    if status and 300 <= status < 400 and status != 304:   # a redirect not followed (off-site)
        return Decision("redirected", status="redirected")
    if r.error or status is None or (status != 200 and status not in (304, 404, 410)):
        return Decision("error", status=None if art["versions"] else "error")
    if status == 304:               # the page is there, unchanged: live (again, if it was not)
        return Decision("not_modified", art["versions"] or None, "live" if art["versions"] else None)
    if status in (404, 410):
        # One 404 may be a CMS hiccup: gone only when a later fetch confirms it.
        return Decision("gone", status="gone" if art["status"] in ("missing", "gone") else "missing")
    if r.final_url and r.final_key != r.article_key:
        return Decision("redirected", status="redirected")
    if art["versions"] and r.payload_digest and r.payload_digest == art["payload_digest"]:
        return Decision("unchanged", art["versions"], "live")          # the same bytes: never extracted
    snap = r.snapshot
    if snap is not None and snap.probe_only:
        if art["versions"] and snap.probe_hash and snap.probe_hash == batch.probe_hash(r.article_id):
            if snap.quick_print and quick_print_due(batch.quick_print(r.article_id),
                                                    batch.probes_updated.get(r.article_id), batch.now):
                batch.set_quick_print(r.article_id, snap.quick_print)
            return Decision("unchanged", art["versions"], "live")      # the body's region is unchanged
        r.error = "region fingerprint differs but the page was not extracted"
        return Decision("error", status=None if art["versions"] else "error")
    if snap is None or not snap.is_article:
        r.error = r.error or (f"{snap.quality}: {snap.quality_reason}" if snap else "nothing extracted")
        if snap is not None and snap.quality == QUALITY_ERROR:
            return Decision("error", status=None if art["versions"] else "error")
        return Decision("blocked", status="blocked")
    snaps = _snapshots(r)
    captures = [revision.fields(s) for s in snaps]
    latest = batch.latest(r.article_id)
    noise_now = batch.noise_for(r.source, r.article_id)
    j = revision.judge(latest, captures, noise_now, final=True)
    _learn(batch, r, j, captures, now=r.fetched_at)
    if j.outcome == revision.UNCHANGED or (latest is not None and _same_as_reextraction(
            batch, r.article_id, latest, snap.extractor, captures[-1], j.noise)):
        return Decision("unchanged", art["versions"], "live", judgement=j)
    version = art["versions"] + 1
    reverts_to = revision.matching_version(batch.versions.get(r.article_id, []), captures[-1], j.noise)
    return Decision("new" if version == 1 else "changed", version, "live", snaps[-1], j, reverts_to)


def _learn(batch: Batch, r: FetchResult, j: revision.Judgement, captures: list[dict], now) -> None:
    """Stage what this check taught about the source's noise."""
    if j.rotation.lines or j.rotation.labels:
        batch.evidence.add_rotation(r.source, r.article_id, j.rotation, now)
        batch.add_local_noise(r.article_id, j.rotation.label_keys)
    hits = set().union(*(j.noise.hits(c["text"]) for c in captures))
    if hits:
        batch.evidence.note_hidden(r.source, hits)


def _same_as_reextraction(batch, article_id, latest, extractor, capture, noise_) -> bool:
    """A capture made by another extractor (an upgrade, new drop rules) than the latest version
    is compared with that version's re-extraction by the current one: a difference only the
    extractor made is not a publisher's edit."""
    if not extractor or latest.get("extractor") == extractor:
        return False
    cur = batch.con.execute(
        """SELECT title, headlines, byline, lead, text FROM reextractions
           WHERE article_id = ? AND version = ? AND extractor = ?""", [article_id, latest["version"], extractor])
    names = [d[0] for d in cur.description]
    want = revision.key(capture, noise_)
    return any(revision.key(dict(zip(names, row)), noise_) == want for row in cur.fetchall())


def _fetch_values(r: FetchResult, run_id, outcome, version, aid, art) -> dict:
    snap = r.snapshot
    seen = snap is not None and snap.is_article       # a probe-only snapshot has the dates too
    same_bytes = r.payload_digest is not None and r.payload_digest == art["payload_digest"]
    return {"run_id": run_id, "url": r.final_url or r.url, "article_id": aid, "fetched_at": r.fetched_at,
            "http_status": r.http_status, "outcome": outcome, "version": version, "etag": r.etag,
            "last_modified": r.last_modified, "payload_digest": r.payload_digest, "bytes": r.bytes,
            "elapsed_ms": r.elapsed_ms, "error": r.error or r.warc_error,
            "redirected_from": r.url if r.final_url and r.final_url != r.url else None,
            "warc_file": r.warc_file, "warc_offset": r.warc_offset, "warc_length": r.warc_length,
            # the publisher's times as this response states them (the same bytes state the same;
            # a date htmldate only found in the text is the version's, not a statement)
            "published_at": (None if snap.published_found else snap.published_at) if seen
            else (art["page_published_at"] if same_bytes else None),
            "modified_at": snap.modified_at if seen else (art["page_modified_at"] if same_bytes else None),
            "capture_id": r.capture_id}


def _insert_version(batch: Batch, r: FetchResult, aid, d: Decision, fetch_id, now) -> None:
    from .changes import change_rows
    snap, noise_ = d.capture, d.judgement.noise
    fields = revision.fields(snap)
    row = dict(fields, article_id=aid, version=d.version, captured_at=now, url=r.final_url or r.url,
               content_hash=revision.key(fields, noise_), extractor=snap.extractor, reverts_to=d.reverts_to,
               fetch_id=fetch_id, noise_lines=noise_.lines(fields["text"]))
    previous = batch.latest(aid)
    current = dict(row, captured_at=now.isoformat())
    if d.version == 1:      # a teaser pool shows in first captures; corrections come later
        batch.evidence.add_sightings(r.source, aid, fields["text"], now)
    batch.add_version(row, change_rows(aid, previous and revision.for_comparison(previous, noise_),
                                       revision.for_comparison(current, noise_), reverts_to=d.reverts_to, at=now))


def store_reextraction(con, article_id: str, version: int, snapshot: Snapshot, noise_: Noise,
                       now: datetime, fetch_id: int | None = None, drop_rules: str | None = None) -> bool:
    """Keep a re-extraction of a version's capture apart from the versions; returns whether it
    differs from the stored version."""
    fields = revision.fields(snapshot)
    new_key = revision.key(fields, noise_)
    stored = load_version(con, article_id, version, raw=True)
    differs = stored is None or revision.key(stored, noise_) != new_key
    # Delete and insert rather than INSERT OR REPLACE: a shared archive keeps this table in DuckLake,
    # which has no keys to replace by.
    con.execute("DELETE FROM reextractions WHERE article_id = ? AND version = ? AND extractor = ? AND drop_rules = ?",
                [article_id, version, snapshot.extractor, drop_rules or ""])
    con.execute(
        """INSERT INTO reextractions (article_id, version, fetch_id, extracted_at, extractor, drop_rules,
               title, byline, published_at, modified_at, lead, text, language, tags, content_hash, differs, headlines)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [article_id, version, fetch_id, now, snapshot.extractor, drop_rules or "", fields["title"], fields["byline"],
         fields["published_at"], fields["modified_at"], fields["lead"], fields["text"], snapshot.language,
         fields["tags"], new_key, differs, fields["headlines"]])
    return differs


def _event(con, aid, now, kind, detail, fetch_id, version=None, old=None, new=None, cls=None) -> None:
    con.execute("INSERT INTO events VALUES (?, ?, ?, ?, ?)", [aid, now, kind, detail, fetch_id])
    if cls:
        con.execute("INSERT INTO change_classes VALUES (?, ?, ?, ?, ?, ?, ?)", [aid, version, now, cls, detail, old, new])


def _update_article(batch: Batch, r, aid, art, d: Decision, changed, fetch_id, now, schedule) -> None:
    con = batch.con
    outcome, version, status = d.outcome, d.version, d.status
    if status == "gone" and art["status"] != "gone":
        _event(con, aid, now, "gone", f"HTTP {r.http_status}, confirmed after {_since(art['status_since'], now)}",
               fetch_id, old=art["url"], new=str(r.http_status), cls="pulled")
    if status == "live" and art["status"] in ("gone", "redirected"):
        shown = version or art["versions"]
        _event(con, aid, now, "restored", f"live again after being {art['status']} (version {shown})", fetch_id,
               shown, art["status"], "live", cls="restored")
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
    next_check = None if new_status == "disallowed" else schedule(
        now=now, first_seen=art["first_seen"], last_checked=now, last_changed=last_changed,
        unchanged_checks=unchanged_checks, status=new_status, versions=versions)
    ok_response = r.http_status == 200 and outcome not in ("error", "blocked", "redirected")
    if new_status != art["status"]:
        art["status_since"] = now
    art.update(url=url, last_checked=now, last_changed=last_changed, next_check=next_check, status=new_status,
               versions=versions, unchanged_checks=unchanged_checks)
    if ok_response:
        art.update(etag=r.etag, last_modified=r.last_modified, payload_digest=r.payload_digest)
        snap = r.snapshot
        if snap is not None and snap.is_article and not snap.probe_only:
            art.update(page_published_at=None if snap.published_found else snap.published_at,
                       page_modified_at=snap.modified_at)
            batch.set_probe(art["article_id"], snap.body_container, snap.probe_hash, snap.quick_print)


def _since(then: datetime | None, now: datetime) -> str:
    if then is None:
        return "a second fetch"
    minutes = max(0, int((now - then).total_seconds() // 60))
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h"
