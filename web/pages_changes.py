"""The changes page: newest first, filtered by source, class and time window, paginated, with an
Atom feed of the same selection (archive.changefeed, as `wirewatch feed` builds it)."""
from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from archive import changefeed, recent, views
from archive.edits import CHANGE_CLASSES
from archive.writer import utcnow
from crawler.seeds import parse_duration
from web import links
from web.errors import BadRequest
from web.pages_common import change_row, configured_seeds, newest_changes, settings_of
from web.twins import respond

WINDOWS = ("1h", "6h", "24h", "7d", "30d", "all")
DEFAULT_WINDOW = "7d"
FEED_ENTRIES = 50     # the newest 50, as feeds go; `wirewatch feed` writes any number


def parse_filters(request: Request) -> dict:
    """source (repeatable), class (repeatable or comma-separated), since ("24h", "7d", "all"),
    page (1…): checked, so a bad value is a one-line 400 and not an empty list."""
    params = request.query_params
    try:
        classes = recent.parse_classes(params.getlist("class"))
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
    since = (params.get("since") or DEFAULT_WINDOW).strip().lower()
    cutoff = None
    if since != "all":
        try:
            cutoff = utcnow() - parse_duration(since)
        except ValueError as exc:
            raise BadRequest(f"since: {exc}") from None
    page = params.get("page") or "1"
    if not page.isdigit() or int(page) < 1:
        raise BadRequest(f"page must be a whole number from 1, not {page!r}")
    sources = [s for s in dict.fromkeys(params.getlist("source")) if s]
    return {"source": sources, "class": classes, "since": since, "page": int(page), "cutoff": cutoff}


def _select(con, settings, filters: dict, *, limit: int, skip: int = 0, events=recent.EVENT_CLASSES) -> list[dict]:
    seeds, _ = configured_seeds(settings)
    try:
        chosen = recent.check_sources(con, filters["source"], seeds)
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
    return newest_changes(con, since=filters["cutoff"], sources=chosen, classes=filters["class"], events=events,
                          limit=limit, skip=skip)


def changes(request: Request):
    settings = settings_of(request)
    filters = parse_filters(request)
    size, page = settings.page_size, filters["page"]
    with settings.archive.reading() as con:
        rows = _select(con, settings, filters, skip=(page - 1) * size, limit=size + 1)   # one more: a next page?
        known_sources = views.sources(con)
    shown = rows[:size]
    plain_filters = {k: filters[k] for k in ("source", "class", "since")}
    data = {
        "page": "changes", "filters": plain_filters, "page_number": page, "page_size": size,
        "rows": [change_row(r) for r in shown],
        "first_row": (page - 1) * size + 1 if shown else 0,
        "previous_page": links.changes(plain_filters, page=page - 1) if page > 1 else None,
        "next_page": links.changes(plain_filters, page=page + 1) if len(rows) > size else None,
        "atom": links.changes(plain_filters, fmt="atom"),
        "json": links.changes(plain_filters, page=page, fmt="json"),
        "choices": {"source": sorted(set(known_sources) | set(configured_seeds(settings)[0])),
                    "class": list(CHANGE_CLASSES), "since": list(WINDOWS)},
    }
    return respond(request, "changes.html", data)


class EntryContents:
    """An entry's HTML (its diff) depends on nothing but the entry: a version never changes once
    written. Feed readers ask for the same newest entries again and again, and reading two
    versions per entry is most of a feed's cost, so contents are kept (the most recent few
    thousand) and only new entries are read from the archive."""

    def __init__(self, size: int = 5000):
        self.size, self._items, self._lock = size, OrderedDict(), threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
            return self._items.get(key)

    def put(self, key: str, content: str) -> None:
        with self._lock:
            self._items[key] = content
            while len(self._items) > self.size:
                self._items.popitem(last=False)


_contents = EntryContents()


def changes_atom(request: Request) -> Response:
    """Atom for the same filters: one entry per revision (with its diff) and per pulled article."""
    settings = settings_of(request)
    filters = parse_filters(request)
    with settings.archive.reading() as con:
        rows = _select(con, settings, filters, limit=FEED_ENTRIES, events=("pulled",))
        known = {changefeed.entry_id(r): _contents.get(changefeed.entry_id(r)) for r in rows}
        pairs = {key: changefeed.entry_versions(con, r) for r in rows
                 if known[key := changefeed.entry_id(r)] is None}
    contents = []
    for row in rows:
        key = changefeed.entry_id(row)
        if known[key] is None:
            known[key] = changefeed.entry_content(row, *pairs[key])
            _contents.put(key, known[key])
        contents.append(known[key])
    xml = changefeed.build_feed(rows, contents, title=changefeed.feed_title(filters["source"], filters["class"]),
                                feed_id=changefeed.feed_id(filters["source"], filters["class"]),
                                self_url=str(request.url), generator_version=_version(),
                                now=datetime.now().astimezone())
    return Response(xml, media_type="application/atom+xml")


def _version() -> str | None:
    try:
        return version("wirewatch")
    except PackageNotFoundError:
        return None


routes = [Route("/changes", changes, name="changes"), Route("/changes.json", changes, name="changes_json"),
          Route("/changes.atom", changes_atom, name="changes_atom")]
