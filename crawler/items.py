"""What spiders hand the pipeline."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from archive.records import FetchResult
from archive.warc import WarcPointer
from crawler.rawcapture import RawCapture


@dataclass
class Exchange:
    """One HTTP exchange, kept for the WARC file.

    headers/body: as the spider saw them (decoded); raw: as received on the wire (crawler/
    rawcapture.py), which is what the WARC record holds when present.
    revisit_of: where the capture holding the same payload is, a WARC pointer (file, offset) --
    the archive's `KnownArticle.payload_warc`. The WARC writer reads that record, and writes a
    revisit naming it only if its payload digest really is this body's; otherwise a full response.
    (A legacy (url, datetime) pair is taken on trust.)
    """
    url: str
    when: datetime
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    revisit_of: WarcPointer | tuple[str, int] | tuple[str, datetime] | None = None
    raw: RawCapture | None = None

    @property
    def wire_body(self) -> bytes:
        """The payload as received (what the WARC record and its payload digest are about)."""
        return self.raw.body if self.raw is not None else self.body


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
