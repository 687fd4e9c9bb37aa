"""The search page: `/search?q=…&source=…&since=…&all=1` and its `.json` twin, over the same
search the command line runs (search/query.py). The view only reads the index: the daemon (or
`wirewatch search`) keeps it current, and the page says how many versions it is behind."""
from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from archive import recent, views
from archive.db import ArchiveError
from archive.writer import utcnow
from crawler.seeds import parse_duration
from search.query import parse, search as run
from web import links
from web.errors import BadRequest
from web.pages_common import configured_seeds, settings_of
from web.pages_changes import WINDOWS
from web.twins import respond

RESULTS = 50


def search_page(request: Request):
    settings = settings_of(request)
    params = request.query_params
    text = (params.get("q") or "").strip()
    since = (params.get("since") or "all").strip().lower()
    all_versions = params.get("all") in ("1", "on", "true")
    sources = [s for s in dict.fromkeys(params.getlist("source")) if s]
    with settings.archive.reading() as con:
        known = sorted(set(views.sources(con)) | set(configured_seeds(settings)[0]))
        try:
            sources = recent.check_sources(con, sources, known)
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
    try:
        cutoff = None if since == "all" else utcnow() - parse_duration(since)
    except ValueError as exc:
        raise BadRequest(f"since: {exc}") from None
    data = {"page": "search", "q": text, "filters": {"source": sources, "since": since, "all": all_versions},
            "choices": {"source": known, "since": list(WINDOWS)}, "results": [], "total_versions": 0,
            "lag": 0, "error": None}
    if text:
        try:
            found = run(settings.archive, parse(text, sources, cutoff), limit=RESULTS,
                        all_versions=all_versions, catch_up=False)
        except ArchiveError as exc:         # a query with nothing to find, an unbalanced quote
            data["error"] = str(exc)
        else:
            data.update(total_versions=found["total_versions"], lag=found["lag"], results=[
                dict(r, article_link=links.article(r["article_id"]), source_url=links.external(r["url"]),
                     diff_link=links.diff(r["article_id"], r["version"], r["matching_versions"][-1] + 1)
                     if not r["in_latest"] else None)
                for r in found["results"]])
    data["json"] = str(request.url.replace(path="/search.json"))
    return respond(request, "search.html", data, status_code=400 if data["error"] else 200)


routes = [Route("/search", search_page, name="search"), Route("/search.json", search_page, name="search_json")]
