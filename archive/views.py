"""Read queries the web view needs besides archive.queries, archive.recent and jobs.status.

Plain functions over an open (read-only) connection, returning plain data; nothing here knows
about HTML. `warc_records` reads the headers of a raw capture from its WARC file.
"""
from __future__ import annotations

from pathlib import Path

from .db import ArchiveError
from .queries import NotFound

# What a capture's details show of the fetch row, in this order.
FETCH_COLUMNS = ("fetch_id", "article_id", "url", "redirected_from", "fetched_at", "http_status", "outcome",
                 "version", "etag", "last_modified", "payload_digest", "bytes", "elapsed_ms", "error",
                 "published_at", "modified_at", "warc_file", "warc_offset", "warc_length", "capture_id", "run_id")


def _dicts(cur) -> list[dict]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def totals(con) -> dict:
    """How big the archive is: sources, articles, versions, fetches."""
    sources, articles = con.execute("SELECT count(DISTINCT source), count(*) FROM articles").fetchone()
    (versions,) = con.execute("SELECT count(*) FROM versions").fetchone()
    (fetches,) = con.execute("SELECT count(*) FROM fetches").fetchone()
    return {"sources": sources, "articles": articles, "versions": versions, "fetches": fetches}


def source_counts(con, now) -> dict[str, dict]:
    """Per source in the archive: tracked, live, gone and due articles (for sources that have
    no seed any more, which jobs.status does not list)."""
    cur = con.execute(
        """SELECT source, count(*) AS tracked, count(*) FILTER (status = 'live') AS live,
                  count(*) FILTER (status = 'gone') AS gone, count(*) FILTER (next_check <= ?) AS due_now
           FROM articles GROUP BY source ORDER BY source""", [now])
    return {row["source"]: row for row in _dicts(cur)}


def sources(con) -> list[str]:
    return [s for (s,) in con.execute("SELECT DISTINCT source FROM articles ORDER BY source").fetchall()]


def version_list(con, article_id: str) -> list[dict]:
    """Version numbers, capture times and headlines of one article, oldest first (what a version
    picker needs; archive.queries.history also reads classes and summaries)."""
    return _dicts(con.execute("SELECT version, captured_at, title FROM versions WHERE article_id = ? "
                              "ORDER BY version", [article_id]))


def article_urls(con, article_id: str) -> list[dict]:
    """Every URL the article has had (requested, redirected from, or captured at), with the
    first and last time it was seen, oldest first."""
    cur = con.execute(
        """WITH seen AS (
               SELECT url, fetched_at AS seen_at FROM fetches WHERE article_id = $aid
               UNION ALL SELECT redirected_from, fetched_at FROM fetches
                 WHERE article_id = $aid AND redirected_from IS NOT NULL
               UNION ALL SELECT url, captured_at FROM versions WHERE article_id = $aid AND url IS NOT NULL
               UNION ALL SELECT url, first_seen FROM articles WHERE article_id = $aid)
           SELECT url, min(seen_at) AS first_seen, max(seen_at) AS last_seen FROM seen
           GROUP BY url ORDER BY first_seen, url""", {"aid": article_id})
    return _dicts(cur)


def captures(con, article_id: str, limit: int | None) -> tuple[list[dict], int]:
    """The article's fetches that have a raw WARC record, newest first (at most `limit`; None:
    all), and how many there are in all."""
    (count,) = con.execute("SELECT count(*) FROM fetches WHERE article_id = ? AND warc_file IS NOT NULL",
                           [article_id]).fetchone()
    cur = con.execute(
        """SELECT fetch_id, fetched_at, url, http_status, outcome, version, bytes, payload_digest
           FROM fetches WHERE article_id = ? AND warc_file IS NOT NULL
           ORDER BY fetched_at DESC, fetch_id DESC LIMIT ?""", [article_id, count if limit is None else int(limit)])
    return _dicts(cur), count


def fetch(con, fetch_id: int) -> dict:
    cur = con.execute(f"SELECT {', '.join(FETCH_COLUMNS)} FROM fetches WHERE fetch_id = ?", [int(fetch_id)])
    rows = _dicts(cur)
    if not rows:
        raise NotFound(f"no fetch {fetch_id} in the archive")
    return rows[0]


def warc_records(warc_dir: Path, warc_file: str, offset: int, *, follow: int = 1) -> list[dict]:
    """The WARC record at (warc_file, offset) and the records written with it (its request), as
    headers only: record type, WARC headers, HTTP status line and headers, payload length.

    The file name comes from the archive; it is still kept inside the WARC directory, so a
    doctored row cannot make this read another file."""
    from warcio.archiveiterator import ArchiveIterator

    base = Path(warc_dir).resolve()
    path = (base / warc_file).resolve()
    if base not in path.parents:
        raise ArchiveError(f"WARC file {warc_file!r} is outside the WARC directory")
    if not path.is_file():
        raise NotFound(f"WARC file {warc_file} is not in {warc_dir}")
    out: list[dict] = []
    with open(path, "rb") as fh:
        fh.seek(int(offset))
        for record in ArchiveIterator(fh):
            item = {"type": record.rec_type, "warc_headers": list(record.rec_headers.headers),
                    "http_status": None, "http_headers": []}
            if record.http_headers is not None:
                item["http_status"] = record.http_headers.statusline
                item["http_headers"] = list(record.http_headers.headers)
            item["payload_bytes"] = sum(len(chunk) for chunk in iter(lambda: record.raw_stream.read(65536), b""))
            if out and record.rec_headers.get_header("WARC-Concurrent-To") != out[0]["record_id"]:
                break
            item["record_id"] = record.rec_headers.get_header("WARC-Record-ID")
            out.append(item)
            if len(out) > follow:
                break
    if not out:
        raise NotFound(f"no WARC record at {warc_file}:{offset}")
    return out


def schema_listing(con) -> list[dict]:
    """Tables and views of the archive with their columns, for the SQL page."""
    cur = con.execute(
        """SELECT t.table_name, t.table_type, list(c.column_name || ' ' || c.data_type ORDER BY c.ordinal_position)
           FROM information_schema.tables t
           JOIN information_schema.columns c USING (table_catalog, table_schema, table_name)
           WHERE t.table_schema = 'main' AND t.table_catalog = current_database()
           GROUP BY ALL ORDER BY t.table_type, t.table_name""")
    return [{"name": name, "kind": "view" if kind == "VIEW" else "table",
             "columns": [dict(zip(("name", "type"), col.split(" ", 1))) for col in columns]}
            for name, kind, columns in cur.fetchall()]


def change_times(con, *, since=None, sources=(), classes=(), events=(), event_classes=(), count: int) -> list:
    """The times of the `count` newest rows archive.recent.recent_changes would list with these
    filters, newest first. Passed to it as `since` and `until`, the times that bound a page make it
    build (classes, details) only that page's rows instead of every transition in the archive,
    which on 100,000 versions is the difference between 40 ms and 2 s. `events`: the event classes
    that get rows; `event_classes`: all event classes (a transition's classes leave them out), as
    recent has them.

    Only the keys are read here, with the same filters as recent's query; a filter is part of
    the SQL only when it is given, so DuckDB can take the newest rows off the time column."""
    where_v, where_e, params = ["c.from_version IS NOT NULL"], ["list_contains($events, k.class)"], \
        {"events": list(events), "count": int(count)}
    if since is not None:
        where_v.append("v.captured_at >= $since")
        where_e.append("k.happened_at >= $since")
        params["since"] = since
    if sources:
        where_v.append("list_contains($sources, a.source)")
        where_e.append("list_contains($sources, a.source)")
        params["sources"] = list(sources)
    if classes:
        where_v.append("""EXISTS (SELECT 1 FROM change_classes x WHERE x.article_id = v.article_id
                             AND x.version = v.version AND list_contains($classes, x.class)
                             AND NOT list_contains($event_classes, x.class))""")
        where_e.append("list_contains($classes, k.class)")
        params.update(classes=list(classes), event_classes=list(event_classes))
    times = f"""SELECT v.captured_at AS t FROM versions v
                JOIN version_changes c ON c.article_id = v.article_id AND c.version = v.version
                JOIN articles a ON a.article_id = v.article_id
                WHERE {' AND '.join(where_v)}
                UNION ALL
                SELECT k.happened_at FROM change_classes k JOIN articles a ON a.article_id = k.article_id
                WHERE {' AND '.join(where_e)}"""
    return [t for (t,) in con.execute(f"{times} ORDER BY t DESC LIMIT $count", params).fetchall()]
