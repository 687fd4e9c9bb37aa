"""What one fetch of one article page yields once extracted: the unit the archive versions.

Plain data with no Scrapy or trafilatura types in it, so the archive, tests, benchmarks and
re-extraction from WARC records all handle it alone.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# Quality verdicts. Only "ok" may ever become a version; the others become fetch outcomes.
QUALITY_OK = "ok"
QUALITY_EMPTY = "empty"            # no article text at all
QUALITY_NEAR_EMPTY = "near_empty"  # a shell with a few words (stub, paywall teaser)
QUALITY_CHALLENGE = "challenge"    # "please enable JavaScript", captcha, bot wall
QUALITY_BLOCKED = "blocked"        # access denied / rate-limit page served with a 200
QUALITY_ERROR = "error"            # an error page served with a 200 (soft 404, "server error")

# The places a page shows a headline, and what each is called in change rows and diffs.
HEADLINE_PLACES = {
    "h1": "page headline (<h1>)",
    "og": "social headline (og:title)",
    "twitter": "social headline (twitter:title)",
    "jsonld": "structured data (JSON-LD headline)",
    "title": "browser title (<title>)",
}


@dataclass
class Snapshot:
    url: str                          # the URL that was fetched (after redirects)
    title: str = ""                   # chosen headline (the reader's)
    # Every headline the page shows, as published (entities unescaped, whitespace collapsed,
    # site name kept): keys among HEADLINE_PLACES. A change in any of them is a headline change.
    headlines: dict[str, str] = field(default_factory=dict)
    byline: str = ""
    published_at: str | None = None   # ISO 8601 as the page states it (date or datetime)
    # True when the page states no published time and published_at is the date htmldate found in
    # its text or URL: kept on the version, never on the fetch row (a fetch records statements).
    published_found: bool = False
    modified_at: str | None = None
    lead: str = ""                    # standfirst / description
    text: str = ""                    # body, one paragraph per line
    language: str | None = None
    tags: list[str] = field(default_factory=list)
    canonical_url: str | None = None
    quality: str = QUALITY_OK
    quality_reason: str = ""          # why the quality gate refused it, one line
    extractor: str = ""               # e.g. "trafilatura 2.3.1 / wirewatch-extract 1"
    # Where the body came from: a signature of the DOM element that holds it (see
    # crawler/extraction/container.py), so a later fetch can fingerprint that region cheaply.
    body_container: str | None = None
    # Fingerprint of what a revision is made of, read cheaply (headlines, byline, lead and the
    # body region's lines as keys: crawler/extraction/probe.py); None when the body is not all
    # inside the region.
    probe_hash: str | None = None
    # True when only the fingerprint was taken (it matched the last one: trafilatura not run).
    probe_only: bool = False
    # The page's quick print (crawler/extraction/quickprint.py: JSON), read in the crawl process on
    # the next re-check; None when it does not cover what was read here.
    quick_print: str | None = None

    @property
    def is_article(self) -> bool:
        return self.quality == QUALITY_OK
