"""The home page: every source with its health, and the latest changes."""
from __future__ import annotations

import contextlib

from starlette.requests import Request
from starlette.routing import Route

from archive import views
from archive.writer import utcnow
from jobs.status import source_status
from web import links
from web.pages_common import change_row, configured_seeds, newest_changes, settings_of
from web.twins import respond

LATEST = 15           # changes listed on the home page; the changes page has the rest


class _Opened:
    """The archive as jobs.status reads it (`archive.reading()`), on the connection this request
    already holds: one open of the file per page instead of two."""

    def __init__(self, con, archive):
        self.con = con
        self.shared = archive.shared

    @contextlib.contextmanager
    def reading(self):
        yield self.con


def home(request: Request):
    settings = settings_of(request)
    now = utcnow()
    seeds, seed_error = configured_seeds(settings)
    with settings.archive.reading() as con:
        status = source_status(_Opened(con, settings.archive), seeds, now) if seeds else []
        counts = views.source_counts(con, now)
        totals = views.totals(con)
        latest = newest_changes(con, limit=LATEST)
    sources = []
    for row in status:
        seed = seeds[row["source"]]
        sources.append({**row, "title": seed.title, "configured": True,
                        "changes_link": links.changes({"source": [row["source"]]})})
    for name, row in counts.items():          # in the archive, but no seed for it any more
        if name not in seeds:
            sources.append({**row, "title": None, "configured": False,
                            "changes_link": links.changes({"source": [name]})})
    data = {"page": "home", "now": now, "totals": totals, "sources": sources, "seed_error": seed_error,
            "latest_changes": [change_row(r) for r in latest],
            "links": {"changes": links.changes({}), "atom": links.changes({}, fmt="atom"), "sql": links.sql()}}
    return respond(request, "home.html", data)


routes = [Route("/", home, name="home"), Route("/index.json", home, name="home_json")]
