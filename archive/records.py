"""What the crawler hands the archive: one fetch, with its response and extracted snapshot."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from .snapshot import Snapshot

OUTCOMES = ("new", "changed", "unchanged", "not_modified", "gone", "redirected", "blocked", "error", "confirm",
            "disallowed")


@dataclass
class FetchResult:
    source: str
    url: str                               # URL requested (the article's known URL)
    article_key: str                       # id from the seed's id pattern (or the URL)
    fetched_at: datetime
    http_status: int | None = None         # None: no response (reset, timeout, DNS)
    final_url: str | None = None           # after redirects, when different from url
    final_key: str | None = None           # article id of final_url; None = not an article
    etag: str | None = None
    last_modified: str | None = None
    payload_digest: str | None = None
    bytes: int = 0
    elapsed_ms: float | None = None
    error: str | None = None               # one line; set for transport errors and truncation
    disallowed: bool = False               # robots.txt forbids it: not requested
    robots_digest: str | None = None       # ...under the robots.txt with this digest
    snapshot: Snapshot | None = None       # extracted page (200 only)
    warc_file: str | None = None
    warc_offset: int | None = None
    warc_length: int | None = None
    warc_error: str | None = None          # the raw capture could not be written (the fetch still is)
    # Confirmation: a detected change is fetched again (archive.revision.judge says how often);
    # lines that differ between the fetches are evidence of rotating boilerplate.
    confirms: "list[FetchResult]" = field(default_factory=list)
    # The latest version's own capture re-extracted with the current extractor, when that
    # version was made by another extractor (or other drop rules): (version, snapshot, drop rules).
    baseline: "tuple[int, Snapshot, str] | None" = None
    # The raw exchange of a capture the crawler judged unchanged (an extraction equal to the latest
    # version but for noise it has learned), held in the journal instead of written to WARC: an
    # unchanged fetch needs none (its row and payload digest are the proof); when the write makes
    # a version of it after all, the write path has it written first (`keep_raw`, see writer.py).
    held_raw: object | None = None
    # Unique per fetch: a result written twice (a journal replayed after a crash) is written once.
    capture_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def article_id(self) -> str:
        return f"{self.source}:{self.article_key}"
