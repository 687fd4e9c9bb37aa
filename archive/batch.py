"""One write transaction's working set: what the batch's articles look like, read once, and the
rows it will write, written at the end with a few multi-row statements.

DuckDB spends about a millisecond on each small statement; a dozen statements per fetch capped a
crawl at ~75 fetches/s. Reading the batch's articles and versions up front and writing fetches and
article rows in bulk leaves per-fetch SQL only for what is rare (a new version, an event).
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from . import frontier, noise, versionlog

ARTICLE_COLUMNS = ("article_id", "source", "url", "first_seen", "last_checked", "last_changed", "next_check",
                   "status", "status_since", "versions", "unchanged_checks", "publisher_modified", "etag",
                   "last_modified", "payload_digest", "page_published_at", "page_modified_at")
FETCH_COLUMNS = ("fetch_id", "run_id", "url", "article_id", "fetched_at", "http_status", "outcome", "version",
                 "etag", "last_modified", "payload_digest", "bytes", "elapsed_ms", "error", "redirected_from",
                 "warc_file", "warc_offset", "warc_length", "published_at", "modified_at", "capture_id")
VERSION_COLUMNS = ("article_id", "version", "captured_at", "url", "title", "byline", "published_at", "modified_at",
                   "lead", "text", "language", "tags", "content_hash", "extractor", "reverts_to", "fetch_id",
                   "headlines", "noise_lines")
# What new captures are compared with, and what a change is computed from.
VERSION_CONTENT = ("version", "captured_at", "title", "byline", "published_at", "modified_at", "lead", "text",
                   "language", "tags", "extractor", "headlines", "noise_lines")


def insert_rows(con, table: str, columns: tuple[str, ...], rows: list, *, verb: str = "INSERT", chunk: int = 400,
                suffix: str = "") -> None:
    """Many rows in one statement per chunk (DuckDB's executemany runs one statement per row)."""
    if not rows:
        return
    one = "(" + ", ".join("?" * len(rows[0])) + ")"
    names = f" ({', '.join(columns)})" if columns else ""
    for start in range(0, len(rows), chunk):
        part = rows[start:start + chunk]
        sql = f"{verb} INTO {table}{names} VALUES " + ", ".join([one] * len(part)) + suffix
        con.execute(sql, [value for row in part for value in row])


class Batch:
    def __init__(self, con, article_ids: list[str], now: datetime):
        self.con = con
        self.now = now
        ids = sorted(set(article_ids))
        self.articles: dict[str, dict] = {}
        for row in con.execute(f"SELECT {', '.join(ARTICLE_COLUMNS)} FROM articles WHERE article_id IN (SELECT unnest(?))",
                               [ids]).fetchall():
            self.articles[row[0]] = dict(zip(ARTICLE_COLUMNS, row))
        # newest first, per article: what new captures are compared with
        self.versions: dict[str, list[dict]] = defaultdict(list)
        for row in con.execute(
                f"""SELECT article_id, {', '.join(VERSION_CONTENT)} FROM versions
                    WHERE article_id IN (SELECT unnest(?)) ORDER BY article_id, version DESC""", [ids]).fetchall():
            self.versions[row[0]].append(_version_dict(dict(zip(VERSION_CONTENT, row[1:]))))
        self._caught_up: dict[str, list[int]] = {}     # versions history holds and state did not count
        for article_id, art in self.articles.items():
            self._follow_history(art, article_id)
        # where each article's body was found and that region's fingerprint: written only when changed
        # and the page's quick print (crawler/extraction/quickprint.py)
        self.probes: dict[str, tuple[str | None, str | None, str | None]] = {}
        self.probes_updated: dict[str, datetime] = {}
        for aid, box, probe, quick, updated in con.execute(
                """SELECT article_id, body_container, probe_hash, quick_print, updated_at FROM article_probes
                   WHERE article_id IN (SELECT unnest(?))""", [ids]).fetchall():
            self.probes[aid], self.probes_updated[aid] = (box, probe, quick), updated
        self._changed_probes: set[str] = set()
        self._noise: dict[str, noise.Noise] = {}
        self._expected: dict[str, dict[str, set[str]]] = {}    # source -> key -> article ids
        self._local = noise.local(con, ids, now)
        self.evidence = noise.Evidence()
        # A shared archive hands out fetch ids from a sequence (writers on many machines); the
        # embedded file has one writer at a time, so the next free id is max + 1.
        self._shared_ids = getattr(con, "next_fetch_id", None)
        self._next_fetch_id = None if self._shared_ids else con.execute(
            "SELECT coalesce(max(fetch_id), 0) + 1 FROM fetches").fetchone()[0]
        self.fetch_rows: list[tuple] = []
        self.touched: set[str] = set()
        self.version_rows: list[tuple] = []
        self.change_rows: dict[str, list[tuple]] = {}

    def noise_for(self, source: str, article_id: str) -> noise.Noise:
        """The source's learned noise plus the labels seen rotating on this article."""
        if source not in self._noise:
            self._noise[source] = noise.load(self.con, source, self.now, self._expected.get(source))
        return self._noise[source].with_keys(self._local.get(article_id, ()))

    def expect_rotation(self, source: str, article_id: str, rot: noise.Rotation) -> None:
        """Rotation a check of this batch shows, counted toward the source's noise before the
        batch is judged (see writer.record_fetches); the evidence rows are staged when judged."""
        keys = self._expected.setdefault(source, {})
        for key in noise.evidence_keys(rot):
            keys.setdefault(key, set()).add(article_id)
        self._noise.pop(source, None)

    def add_local_noise(self, article_id: str, keys) -> None:
        self._local.setdefault(article_id, set()).update(keys)

    def article(self, article_id: str, source: str, url: str, now) -> dict:
        if article_id not in self.articles:
            self.articles[article_id] = dict.fromkeys(ARTICLE_COLUMNS) | {
                "article_id": article_id, "source": source, "url": url, "first_seen": now, "status": "pending",
                "status_since": now, "versions": 0, "unchanged_checks": 0}
            self._follow_history(self.articles[article_id], article_id)
        self.touched.add(article_id)
        return self.articles[article_id]

    def _follow_history(self, art: dict, article_id: str) -> None:
        """The article's state row brought up to its history. A shared archive commits history
        before state (archive/shared.py): a writer killed between the two leaves versions the row
        does not count, and the next edit would be numbered again (two "version 2" rows), an
        unchanged check recorded against the older version. The row counts what history holds,
        and those versions go to the version log with it (`flush`): its followers (the search index,
        notifications) would never have seen them."""
        rows = self.versions.get(article_id)
        if not rows or (art["versions"] or 0) >= rows[0]["version"]:
            return
        self._caught_up[article_id] = [row["version"] for row in reversed(rows)
                                       if row["version"] > (art["versions"] or 0)]
        art["versions"] = rows[0]["version"]
        art["last_changed"] = datetime.fromisoformat(rows[0]["captured_at"])
        if art["status"] in ("pending", "error"):
            art["status"] = "live"

    def add_fetch(self, values: dict) -> int:
        if self._shared_ids:
            fetch_id = self._shared_ids()
        else:
            fetch_id = self._next_fetch_id
            self._next_fetch_id += 1
        self.fetch_rows.append(tuple(fetch_id if c == "fetch_id" else values.get(c) for c in FETCH_COLUMNS))
        return fetch_id

    def add_version(self, row: dict, change_rows: dict[str, list[tuple]]) -> None:
        """Stage a new version (a dict of VERSION_COLUMNS) and the rows of its change."""
        self.version_rows.append(tuple(row.get(c) for c in VERSION_COLUMNS))
        self.versions[row["article_id"]].insert(0, _version_dict({c: row.get(c) for c in VERSION_CONTENT}))
        for table, rows in change_rows.items():
            self.change_rows.setdefault(table, []).extend(rows)

    def probe_hash(self, article_id: str) -> str | None:
        return self.probes.get(article_id, (None, None, None))[1]

    def set_probe(self, article_id: str, body_container: str | None, probe_hash: str | None,
                  quick_print: str | None) -> None:
        if self.probes.get(article_id) != (body_container, probe_hash, quick_print):
            self.probes[article_id] = (body_container, probe_hash, quick_print)
            self._changed_probes.add(article_id)

    def quick_print(self, article_id: str) -> str | None:
        return self.probes.get(article_id, (None, None, None))[2]

    def set_quick_print(self, article_id: str, quick_print: str) -> None:
        """A newer quick print of the same region (taken where the region fingerprint matched)."""
        box, probe, _ = self.probes.get(article_id, (None, None, None))
        self.set_probe(article_id, box, probe, quick_print)

    def latest(self, article_id: str) -> dict | None:
        rows = self.versions.get(article_id)
        return rows[0] if rows else None

    def flush(self) -> None:
        insert_rows(self.con, "fetches", FETCH_COLUMNS, self.fetch_rows)
        self.fetch_rows = []
        insert_rows(self.con, "versions", VERSION_COLUMNS, self.version_rows)
        self.version_rows = []
        for table, rows in self.change_rows.items():
            insert_rows(self.con, table, None, rows)
        self.change_rows = {}
        versionlog.append(self.con, [(a, v) for a in sorted(self.touched) for v in self._caught_up.pop(a, [])],
                          self.now)
        rows = [tuple(self.articles[a][c] for c in ARTICLE_COLUMNS) for a in sorted(self.touched)]
        insert_rows(self.con, "articles", ARTICLE_COLUMNS, rows, verb="INSERT OR REPLACE")
        insert_rows(self.con, "article_probes", ("article_id", "body_container", "probe_hash", "quick_print", "updated_at"),
                    [(a, *self.probes[a], self.now) for a in sorted(self._changed_probes)], verb="INSERT OR REPLACE")
        self._changed_probes = set()
        frontier.done(self.con, self.touched)
        self.touched = set()
        self.evidence.flush(self.con, self.now)


def _version_dict(row: dict) -> dict:
    """A version as the diff and edit analysis take it (ISO capture time, tags as a list)."""
    at = row.get("captured_at")
    row["captured_at"] = at.isoformat() if hasattr(at, "isoformat") else at
    row["tags"] = list(row.get("tags") or [])
    row["headlines"] = dict(row.get("headlines") or {})
    row["noise_lines"] = list(row.get("noise_lines") or [])
    return row
