"""`wirewatch serve`: a read-only web view of the archive.

Starlette routes (one module per page: pages_*.py) over the same read queries the command line
uses (archive.queries, archive.recent, archive.changefeed, archive.render, jobs.status), Jinja2
templates with autoescaping for every page, and a `.json` twin of each page carrying the same data.
Every request opens the archive read-only for as long as it needs (Archive.reading()), so the
view runs beside `wirewatch run`. Nothing here writes to the archive.
"""
from web.app import create_app
from web.settings import WebSettings

__all__ = ["create_app", "WebSettings"]
