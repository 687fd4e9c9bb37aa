"""The article page (headline, URLs it has had, status, versions on a timeline, events, raw
captures) and a capture's details (the fetch row and its WARC record headers)."""
from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from archive import queries, views
from archive.db import ArchiveError
from archive.writer import utcnow
from web import links, timefmt
from web.pages_common import settings_of
from web.twins import respond

CAPTURES_SHOWN = 100


def timeline(versions: list[dict], events: list[dict]) -> list[dict]:
    """Versions and events in time order, each saying how long after the previous one (and after
    the first version) it came: "3 h 12 min later"."""
    items = [{"type": "version", "at": v["captured_at"], **v} for v in versions]
    items += [{"type": "event", "at": e["happened_at"], **e} for e in events]
    items.sort(key=lambda item: (timefmt.as_utc(item["at"]), item["type"] != "version"))
    first = previous = None
    for item in items:
        at = timefmt.as_utc(item["at"])
        item["after_previous"] = timefmt.duration(at - previous) + " later" if previous else None
        item["after_first"] = timefmt.duration(at - first) + " after the first" if first else None
        first = first or at
        previous = at
    return items


def _version_links(aid: str, v: dict) -> dict:
    number = v["version"]
    return {"diff": links.diff(aid, number - 1, number) if number > 1 else links.diff(aid, 0, 1)}


def article(request: Request):
    settings = settings_of(request)
    ref = request.path_params["article_id"]
    now = utcnow()
    with settings.archive.reading() as con:
        art = queries.find_article(con, ref)
        aid = art["article_id"]
        hist = queries.history(con, aid)
        urls = views.article_urls(con, aid)
        every = request.query_params.get("captures") == "all"
        shown, count = views.captures(con, aid, None if every else CAPTURES_SHOWN)
    versions = [{**v, "links": _version_links(aid, v)} for v in hist["versions"]]
    latest = versions[-1] if versions else None
    data = {
        "page": "article", "now": now,
        "article": {**art, "title": latest["title"] if latest else None,
                    "next_check_relative": timefmt.relative(timefmt.as_utc(art["next_check"]), now)},
        "urls": [{**u, "link": links.external(u["url"])} for u in urls],
        "timeline": timeline(versions, hist["events"]),
        "fetches": hist["fetches"],
        "captures": [{**c, "link": links.capture(c["fetch_id"])} for c in shown],
        "captures_total": count,
        "links": {"latest_diff": versions and versions[-1]["links"]["diff"] or None,
                  "changes": links.changes({"source": [art["source"]], "since": "all"}),
                  "all_captures": links.article(aid) + "?captures=all" if count > len(shown) else None,
                  "json": links.article(aid, "json"), "sql": links.sql(
                      f"SELECT * FROM fetches WHERE article_id = '{aid.replace(chr(39), chr(39) * 2)}' "
                      "ORDER BY fetched_at")},
    }
    return respond(request, "article.html", data)


def capture(request: Request):
    settings = settings_of(request)
    fetch_id = request.path_params["fetch_id"]
    archive = settings.archive
    with archive.reading() as con:
        row = views.fetch(con, fetch_id)
    records, record_error = [], None
    if row["warc_file"]:
        try:       # the file is read after the archive is let go: the daemon may write meanwhile
            records = views.warc_records(archive.warc_dir, row["warc_file"], row["warc_offset"])
        except (ArchiveError, OSError, ValueError, LookupError) as exc:
            record_error = f"the WARC record could not be read: {str(exc).splitlines()[0]}"
    data = {"page": "capture", "fetch": row, "records": records, "record_error": record_error,
            "links": {"article": links.article(row["article_id"]) if row["article_id"] else None,
                      "url": links.external(row["url"]), "json": links.capture(row["fetch_id"], "json")}}
    return respond(request, "capture.html", data)


routes = [Route("/article/{article_id:path}.json", article, name="article_json"),
          Route("/article/{article_id:path}", article, name="article"),
          Route("/capture/{fetch_id:int}.json", capture, name="capture_json"),
          Route("/capture/{fetch_id:int}", capture, name="capture")]
