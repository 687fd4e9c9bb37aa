"""Politeness that lasts: what a crawl learns about a host, kept for the life of the process.

Scrapy keeps robots.txt, AutoThrottle's delays and everything a server said about its load per
crawler, so a daemon that starts a crawl of a source every minute forgets it every minute. Here
it lives per process, shared by every crawl the daemon (jobs/daemon.py) runs:

- `ROBOTS`: robots.txt per origin (scheme, host, port), for its lifetime (RFC 9309: at most 24 h;
  a shorter Cache-Control max-age is honoured, down to WIREWATCH_ROBOTSTXT_MIN_TTL). Used by
  crawler.robots.SharedRobotsTxtMiddleware.
- `THROTTLE`: the last delay of each download slot (AutoThrottle's and the 403/429 backoff's),
  restored when a later crawl creates that slot. Kept by crawler.throttle.PoliteThrottle.
- `DEFERRALS`: "not before T" per origin and per source, set by a Retry-After (either form) on a
  429 or 503. Every request to the origin waits for T (DeferralMiddleware, below); a T further
  away than WIREWATCH_RETRY_AFTER_WAIT ends the crawl, and the daemon skips the source's jobs
  until then (and shows it in `wirewatch status`).

A one-shot `wirewatch crawl`/`recheck` is one process per crawl, so for it this is per crawl.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached

log = logging.getLogger("wirewatch.politeness")

DAY = 24 * 3600.0

# Sent (on the crawler that fetched it) each time a robots.txt is fetched or revalidated, with
# origin, digest (of its rules), status, fetched_at (aware UTC datetime) and changed (the digest
# differs from the one this process had before; None when it had none). The archive compares the
# digest with the one it stored to re-open articles robots.txt disallowed.
robots_fetched = object()


# -- exceptions the spider's errback can tell apart ----------------------------------------------

class RobotsDisallowed(IgnoreRequest):
    """robots.txt forbids this URL. Not an error of the article: the archive records it as
    `disallowed` and does not look again until the origin's robots.txt digest changes."""

    def __init__(self, url: str, robots_url: str, digest: str | None):
        super().__init__(f"Forbidden by robots.txt: {url} (robots.txt {robots_url}, digest {digest})")
        self.url, self.robots_url, self.digest = url, robots_url, digest


class SourceDeferred(IgnoreRequest):
    """Not sent: the server asked (Retry-After) not to be asked before `until`. Nothing was
    fetched, so nothing is to be recorded; the article stays due."""

    def __init__(self, url: str, until: datetime, reason: str):
        super().__init__(f"deferred until {until.isoformat(timespec='seconds')} ({reason}): {url}")
        self.url, self.until, self.reason = url, until, reason


# -- origins, durations ----------------------------------------------------------------------

_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url_or_request) -> str:
    """scheme://host:port, lower-cased, the port always written: the unit robots.txt is for."""
    parts = urlparse_cached(url_or_request) if hasattr(url_or_request, "url") else urlsplit(str(url_or_request))
    scheme = (parts.scheme or "http").lower()
    host = (parts.hostname or "").lower()
    port = parts.port or _DEFAULT_PORTS.get(scheme, 0)
    if ":" in host:
        host = f"[{host}]"
    return f"{scheme}://{host}:{port}"


def origin_prefixes(origin: str) -> list[str]:
    """URL prefixes of an origin as URLs write it (the default port may be left out), e.g. for
    finding the articles of a host in SQL: url LIKE prefix || '%'."""
    scheme, _, rest = origin.partition("://")
    host, _, port = rest.rpartition(":")
    prefixes = [f"{origin}/"]
    if port and _DEFAULT_PORTS.get(scheme) == int(port):
        prefixes.append(f"{scheme}://{host}/")
    return prefixes


def parse_retry_after(value, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After value: delta-seconds or an HTTP-date (RFC 9110 10.2.3).
    None when absent or unreadable; a date in the past is 0."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("latin-1", "replace")
    value = value.strip()
    if not value:
        return None
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def cache_max_age(cache_control) -> float | None:
    """max-age of a Cache-Control value (0 for no-store / no-cache); None when it says none."""
    if not cache_control:
        return None
    if isinstance(cache_control, bytes):
        cache_control = cache_control.decode("latin-1", "replace")
    directives = [d.strip().lower() for d in cache_control.split(",")]
    if "no-store" in directives or "no-cache" in directives:
        return 0.0
    for d in directives:
        if d.startswith("max-age="):
            try:
                return max(0.0, float(d.split("=", 1)[1].strip().strip('"')))
            except ValueError:
                return None
    return None


def robots_ttl(cache_control, *, min_ttl: float, max_ttl: float = DAY) -> float:
    """How long a fetched robots.txt is used: max-age when it is shorter than max_ttl (24 h, RFC
    9309 2.4), never less than min_ttl (a CDN's blanket max-age=30 would otherwise mean a
    robots.txt request every re-check)."""
    age = cache_max_age(cache_control)
    ttl = max_ttl if age is None else min(age, max_ttl)
    return max(ttl, min(min_ttl, max_ttl))


_COMMENT = re.compile(r"#.*$")


def robots_digest(body: bytes | None) -> str:
    """A digest of what robots.txt says, not of its bytes: comments, blank lines, spacing and the
    case of field names do not count (a generated timestamp comment is not a change)."""
    text = (body or b"").decode("utf-8", "replace").lstrip("\ufeff")
    lines = []
    for line in text.splitlines():
        line = _COMMENT.sub("", line).strip()
        if not line:
            continue
        name, sep, value = line.partition(":")
        lines.append(f"{name.strip().lower()}{sep}{value.strip()}" if sep else line)
    return "sha1:" + hashlib.sha1("\n".join(lines).encode("utf-8")).hexdigest()


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


# -- robots.txt ------------------------------------------------------------------------------

@dataclass
class RobotsEntry:
    parser: object | None          # a scrapy.robotstxt.RobotParser; None = everything allowed
    digest: str | None
    status: int | None             # HTTP status the rules came with (a 304 keeps it); None = no response
    fetched_at: datetime
    expires: float                 # time.monotonic()
    etag: str | None = None
    last_modified: str | None = None
    fetches: int = 1

    def fresh(self, now: float | None = None) -> bool:
        return (time.monotonic() if now is None else now) < self.expires


class RobotsCache:
    """robots.txt per origin for this process; one fetch at a time per origin."""

    def __init__(self):
        self.entries: dict[str, RobotsEntry] = {}
        self.pending: dict[str, asyncio.Future] = {}

    def fresh(self, origin: str) -> RobotsEntry | None:
        entry = self.entries.get(origin)
        return entry if entry is not None and entry.fresh() else None

    def digest(self, url_or_origin: str) -> str | None:
        origin = url_or_origin if url_or_origin.count("/") == 2 else origin_of(url_or_origin)
        entry = self.entries.get(origin)
        return entry.digest if entry else None

    def clear(self) -> None:
        self.entries.clear()
        self.pending.clear()


# -- throttle memory -------------------------------------------------------------------------

@dataclass
class SlotMemory:
    throttle: float                # AutoThrottle's own delay for the slot (or DOWNLOAD_DELAY)
    backoff: float = 0.0           # the 403/429 backoff; 0 = none
    updated: float = field(default_factory=time.monotonic)

    @property
    def delay(self) -> float:
        return max(self.throttle, self.backoff)


# -- deferrals -------------------------------------------------------------------------------

@dataclass
class Deferral:
    until: datetime
    reason: str
    set_at: datetime


class Deferrals:
    """Not-before times per origin and per source. Thread-safe: the daemon reads it from jobs."""

    def __init__(self):
        self._lock = threading.Lock()
        self.origins: dict[str, Deferral] = {}
        self.sources: dict[str, Deferral] = {}

    def defer(self, origin: str, source: str | None, until: datetime, reason: str) -> Deferral:
        d = Deferral(until, reason, utcnow())
        with self._lock:
            for table, key in ((self.origins, origin), (self.sources, source)):
                if key is None:
                    continue
                old = table.get(key)
                if old is None or old.until < until:     # a later T never shortens an earlier one
                    table[key] = d
        return d

    def until(self, origin: str | None = None, source: str | None = None,
              now: datetime | None = None) -> Deferral | None:
        """The latest deferral still in force for the origin or the source."""
        now = now or utcnow()
        found = None
        with self._lock:
            for table, key in ((self.origins, origin), (self.sources, source)):
                d = table.get(key) if key is not None else None
                if d is not None and d.until > now and (found is None or d.until > found.until):
                    found = d
        return found

    def active(self, now: datetime | None = None) -> dict[str, Deferral]:
        """Sources deferred now, for the daemon and `wirewatch status`."""
        now = now or utcnow()
        with self._lock:
            return {s: d for s, d in self.sources.items() if d.until > now}

    def clear(self) -> None:
        with self._lock:
            self.origins.clear()
            self.sources.clear()


ROBOTS = RobotsCache()
THROTTLE: dict[str, SlotMemory] = {}
DEFERRALS = Deferrals()


def deferred_until(source: str) -> Deferral | None:
    """The Retry-After deferral of a source still in force in this process, if any."""
    return DEFERRALS.until(source=source)


def reset() -> None:
    """Forget everything (tests; a process starting over)."""
    ROBOTS.clear()
    THROTTLE.clear()
    DEFERRALS.clear()


# -- acting on a Retry-After ------------------------------------------------------------------

def _engine_closing(crawler) -> bool:
    engine = getattr(crawler, "engine", None)
    if engine is None or not getattr(engine, "running", False):
        return True
    slot = getattr(engine, "_slot", None)
    return slot is not None and getattr(slot, "closing", None) is not None


def defer(crawler, request, seconds: float, reason: str) -> tuple[Deferral, bool]:
    """Record a Retry-After of `seconds` for the request's origin and the crawl's source, hold
    or drop what the downloader already queued for that host, and end the crawl when T is
    further away than WIREWATCH_RETRY_AFTER_WAIT. Returns (deferral, crawl_ends)."""
    settings = crawler.settings
    wait_max = settings.getfloat("WIREWATCH_RETRY_AFTER_WAIT", 30.0)
    origin = origin_of(request)
    spider = getattr(crawler, "spider", None)
    source = getattr(spider, "name", None)
    until = datetime.fromtimestamp(time.time() + seconds, timezone.utc)
    d = DEFERRALS.defer(origin, source, until, reason)
    ends = seconds > wait_max
    stats = getattr(crawler, "stats", None)
    if stats is not None:
        stats.inc_value("politeness/retry_after")
        stats.max_value("politeness/retry_after_seconds", round(seconds, 1))
    log.warning("%s: %s asks for a pause until %s (%s); %s", source or origin, origin,
                d.until.isoformat(timespec="seconds"), reason,
                "the crawl ends and the source's jobs wait until then" if ends else "every request waits")
    _hold_slot(crawler, request, d, drop=ends)
    if stats is not None:
        stats.set_value("politeness/deferred_until", d.until.isoformat())
    if ends and not _engine_closing(crawler):
        # Not awaited: closing waits for the request being answered now, which is ours.
        asyncio.ensure_future(crawler.engine.close_spider_async(reason="deferred"))
    return d, ends


def _hold_slot(crawler, request, d: Deferral, *, drop: bool) -> None:
    """Requests already past the middlewares and queued in the host's download slot: hold the
    slot until T, or fail them with SourceDeferred when the crawl ends."""
    engine = getattr(crawler, "engine", None)
    downloader = getattr(engine, "downloader", None)
    if downloader is None:
        return
    key = request.meta.get("download_slot") or downloader.get_slot_key(request)
    slot = downloader.slots.get(key)
    if slot is None:
        return
    if drop:
        from twisted.python.failure import Failure
        while slot.queue:
            queued, dfd = slot.queue.popleft()
            dfd.errback(Failure(SourceDeferred(queued.url, d.until, d.reason)))
        return
    from scrapy.utils.asyncio import call_later
    wait = (d.until - utcnow()).total_seconds()
    if wait <= 0:
        return
    if slot.latercall:
        slot.latercall.cancel()
    # Scrapy's downloader processes no queued request of a slot until its latercall fires.
    slot.latercall = call_later(wait, downloader._latercall, slot)


class DeferralMiddleware:
    """Every request to a deferred origin (or of a deferred source) waits for T when T is near
    (WIREWATCH_RETRY_AFTER_WAIT), else is not sent (SourceDeferred) and the crawl ends."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.wait_max = crawler.settings.getfloat("WIREWATCH_RETRY_AFTER_WAIT", 30.0)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_request(self, request, spider=None):
        origin = origin_of(request)
        source = getattr(self.crawler.spider, "name", None)
        while True:
            d = DEFERRALS.until(origin, source)
            if d is None:
                return None
            wait = (d.until - utcnow()).total_seconds()
            if wait > self.wait_max or _engine_closing(self.crawler):
                if not _engine_closing(self.crawler):
                    asyncio.ensure_future(self.crawler.engine.close_spider_async(reason="deferred"))
                self.crawler.stats.inc_value("politeness/deferred_requests")
                raise SourceDeferred(request.url, d.until, d.reason)
            await asyncio.sleep(min(max(wait, 0.01), 0.5))
