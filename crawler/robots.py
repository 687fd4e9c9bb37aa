"""robots.txt once per origin per lifetime, for every crawl of the process.

Scrapy's RobotsTxtMiddleware keeps parsed robots.txt files per crawler, so the daemon, which
starts a crawl of a source every minute, asked for robots.txt every minute. This subclass keeps
them in crawler.politeness.ROBOTS, keyed by scheme, host and port:

- a robots.txt is used for its Cache-Control max-age, at most 24 h (RFC 9309 2.4) and at least
  WIREWATCH_ROBOTSTXT_MIN_TTL; when it expires it is asked for again conditionally (ETag /
  Last-Modified), and a 304 renews it;
- 2xx: its rules; 4xx: "unavailable", everything allowed (RFC 9309 2.3.1.3); a 5xx or no
  response: the last rules this process had are kept (else everything allowed, as Scrapy does),
  and asked for again after WIREWATCH_ROBOTSTXT_ERROR_TTL;
- a URL it forbids fails with RobotsDisallowed, which carries the digest of the rules that
  forbade it, so the archive can record `disallowed` and look again when the digest changes.
"""
from __future__ import annotations

import asyncio
import logging
import time

from scrapy import signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Request
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.misc import build_from_crawler

from crawler.politeness import (DAY, ROBOTS, RobotsDisallowed, RobotsEntry, origin_of, robots_digest,
                                robots_fetched, robots_ttl, utcnow)

logger = logging.getLogger("wirewatch.robots")


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    def __init__(self, crawler):
        super().__init__(crawler)
        s = crawler.settings
        self.min_ttl = s.getfloat("WIREWATCH_ROBOTSTXT_MIN_TTL", 300.0)
        self.max_ttl = min(s.getfloat("WIREWATCH_ROBOTSTXT_MAX_TTL", DAY), DAY)
        self.error_ttl = s.getfloat("WIREWATCH_ROBOTSTXT_ERROR_TTL", 600.0)

    async def robot_parser(self, request: Request):
        origin = origin_of(request)
        while True:
            entry = ROBOTS.fresh(origin)
            if entry is not None:
                return entry.parser
            pending = ROBOTS.pending.get(origin)
            if pending is None:
                break
            await asyncio.shield(pending)     # another crawl (or request) is fetching it
        future = asyncio.get_running_loop().create_future()
        ROBOTS.pending[origin] = future
        try:
            entry = await self._fetch(origin, request)
        finally:
            ROBOTS.pending.pop(origin, None)
            future.set_result(None)
        return entry.parser

    async def _fetch(self, origin: str, request: Request) -> RobotsEntry:
        old = ROBOTS.entries.get(origin)
        headers = {}
        if old is not None and old.status is not None and 200 <= old.status < 300:
            if old.etag:
                headers["If-None-Match"] = old.etag
            if old.last_modified:
                headers["If-Modified-Since"] = old.last_modified
        robots_url = _robots_url(request)
        robotsreq = Request(robots_url, headers=headers, priority=self.DOWNLOAD_PRIORITY,
                            meta={"dont_obey_robotstxt": True},
                            callback=NO_CALLBACK, dont_filter=True)
        self._stats.inc_value("robotstxt/request_count")
        try:
            response = await self.crawler.engine.download_async(robotsreq)
        except Exception as exc:
            from scrapy.exceptions import IgnoreRequest
            if not isinstance(exc, IgnoreRequest):
                key = f"robotstxt/exception_count/{type(exc)}"
                self._stats.inc_value(key)
                logger.warning("robots.txt of %s not fetched (%s); %s", origin, exc,
                               "keeping the last one" if old else "everything allowed for now")
            return self._store(origin, old, None, None, None, self.error_ttl)
        self._stats.inc_value("robotstxt/response_count")
        self._stats.inc_value(f"robotstxt/response_status_count/{response.status}")
        etag = (response.headers.get(b"ETag") or b"").decode("latin-1") or None
        modified = (response.headers.get(b"Last-Modified") or b"").decode("latin-1") or None
        ttl = robots_ttl(response.headers.get(b"Cache-Control"), min_ttl=self.min_ttl, max_ttl=self.max_ttl)
        if response.status == 304 and old is not None and old.parser is not None:
            entry = RobotsEntry(old.parser, old.digest, old.status, utcnow(), time.monotonic() + ttl,
                                etag or old.etag, modified or old.last_modified, old.fetches + 1)
            ROBOTS.entries[origin] = entry
            await self._announce(origin, entry, old, response.status)
            return entry
        if 200 <= response.status < 300:
            body = response.body
        elif 400 <= response.status < 500 and response.status != 429:
            body = b""        # unavailable: no rules (RFC 9309 2.3.1.3); a 429 is a server error
            etag = modified = None
        else:
            logger.warning("robots.txt of %s answered %d; %s", origin, response.status,
                           "keeping the last one" if old else "everything allowed for now")
            return self._store(origin, old, response.status, None, None, self.error_ttl)
        parser = build_from_crawler(self._parserimpl, self.crawler, body)
        entry = RobotsEntry(parser, robots_digest(body), response.status, utcnow(), time.monotonic() + ttl,
                            etag, modified, (old.fetches + 1) if old else 1)
        ROBOTS.entries[origin] = entry
        await self.crawler.signals.send_catch_log_async(signal=signals.robots_parsed, robotparser=parser,
                                                        request=request)
        await self._announce(origin, entry, old, response.status)
        return entry

    def _store(self, origin, old, status, etag, modified, ttl) -> RobotsEntry:
        """A failed fetch: the last rules (if any) stay in force for `ttl` more seconds."""
        if old is not None:
            entry = RobotsEntry(old.parser, old.digest, old.status, old.fetched_at, time.monotonic() + ttl,
                                old.etag, old.last_modified, old.fetches + 1)
        else:
            entry = RobotsEntry(None, None, status, utcnow(), time.monotonic() + ttl, etag, modified)
        ROBOTS.entries[origin] = entry
        return entry

    async def _announce(self, origin, entry: RobotsEntry, old, status: int) -> None:
        changed = None if old is None or old.digest is None else old.digest != entry.digest
        if changed:
            logger.info("robots.txt of %s changed (%s -> %s)", origin, old.digest, entry.digest)
        await self.crawler.signals.send_catch_log_async(
            signal=robots_fetched, origin=origin, digest=entry.digest, status=status,
            fetched_at=entry.fetched_at, changed=changed)

    def process_request_2(self, rp, request: Request) -> None:
        if rp is None:
            return
        useragent = self._robotstxt_useragent
        if not useragent:
            useragent = request.headers.get(b"User-Agent", self._default_useragent)
        if not rp.allowed(request.url, useragent):
            self._stats.inc_value("robotstxt/forbidden")
            digest = ROBOTS.digest(origin_of(request))
            request.meta["robots_disallowed"] = digest
            logger.debug("Forbidden by robots.txt: %s", request)
            raise RobotsDisallowed(request.url, _robots_url(request), digest)


def _robots_url(request: Request) -> str:
    from scrapy.utils.httpobj import urlparse_cached
    url = urlparse_cached(request)
    return f"{url.scheme}://{url.netloc}/robots.txt"
