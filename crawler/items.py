"""What spiders hand the pipeline."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from archive.records import FetchResult


@dataclass
class Exchange:
    """One raw HTTP exchange, kept for the WARC file."""
    url: str
    when: datetime
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    revisit_of: tuple[str, datetime] | None = None   # identical payload to this earlier capture


@dataclass
class FetchItem:
    result: FetchResult
    exchange: Exchange | None = None           # None when no response came (reset, timeout)
    confirm_exchanges: list[Exchange] = field(default_factory=list)


@dataclass
class SignalItem:
    """'Modified at T' signals for known articles, seen in a feed, sitemap or listing page."""
    source: str
    signals: list[tuple[str, str, datetime | None]]   # (key, url, modified_at)
