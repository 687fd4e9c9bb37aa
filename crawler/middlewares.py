"""Retries with exponential backoff: Scrapy's RetryMiddleware re-queues at once, which against a
struggling server (5xx, resets) is the wrong kind of persistence. A Retry-After pauses the host
(crawler/politeness.py); robots.txt and AutoThrottle that last are crawler/robots.py and
crawler/throttle.py. Meta-refresh redirects are looked for without decoding the page."""
from __future__ import annotations

import asyncio
import random

from scrapy import signals
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest

from crawler.politeness import defer, parse_retry_after


class BackoffRetryMiddleware(RetryMiddleware):
    """Retries wait base * 2**(attempt-1) (jittered, at most RETRY_BACKOFF_MAX) before going out.

    A 429 or 503 with Retry-After (delta-seconds or an HTTP-date) is not a retry delay of one
    request but a pause of the whole host, however long: crawler.politeness.defer records it for
    the origin and the source, so every request waits (DeferralMiddleware) and later crawls of
    the process respect it. A pause of up to WIREWATCH_RETRY_AFTER_WAIT is waited out and the
    request retried; a longer one ends the crawl and the response is handed to the spider.
    """

    def __init__(self, settings):
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX", 30.0)
        self.defer_codes = {int(c) for c in settings.getlist("WIREWATCH_RETRY_AFTER_HTTP_CODES", [429, 503])}

    def _retry(self, request, reason):
        new = super()._retry(request, reason)
        if new is not None:
            attempt = new.meta.get("retry_times", 1)
            delay = self.base * (2 ** (attempt - 1)) * (0.75 + random.random() / 2)
            new.meta["retry_delay"] = min(delay, self.cap)
        return new

    def process_response(self, request, response, spider=None):
        if response.status in self.defer_codes and getattr(self, "crawler", None) is not None:
            seconds = parse_retry_after(response.headers.get(b"Retry-After"))
            if seconds is not None and seconds > 0:
                header = response.headers.get(b"Retry-After").decode("latin-1", "replace").strip()
                _, ends = defer(self.crawler, request, seconds, f"HTTP {response.status}, Retry-After: {header}")
                if ends:
                    return response     # recorded as fetched; the crawl is ending
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        from scrapy.utils.response import response_status_message
        return self._retry(request, response_status_message(response.status)) or response

    async def process_request(self, request, spider=None):
        delay = request.meta.pop("retry_delay", None)
        if delay:
            await asyncio.sleep(delay)
        return None


class SeedDomainsMiddleware:
    """Refuse every request outside the seed's domains, redirects included.

    Scrapy's OffsiteMiddleware lets `dont_filter` requests through, and rechecks must be
    `dont_filter` (the same URL is fetched again on purpose), so a 301 to another host would be
    followed. This check has no such exception.
    """

    def process_request(self, request, spider=None):
        spider = spider or getattr(self, "spider", None)
        seed = getattr(spider, "seed", None)
        if seed is not None and not seed.in_domains(request.url):
            raise IgnoreRequest(f"off-site request refused: {request.url} is outside {list(seed.domains)}")
        return None

    @classmethod
    def from_crawler(cls, crawler):
        mw = cls()
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        return mw

    def spider_opened(self, spider):
        self.spider = spider


class HeadMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Scrapy's meta-refresh redirect, without decoding every page to look for one.

    Scrapy reads a refresh from the first 4,096 characters of `response.text`, which decodes the
    whole body first: ~0.7 ms of the crawl process's CPU for a real page (175 KB), on every
    response, new or re-checked, though the crawl process never reads the text otherwise
    (extraction decodes in a worker). A page whose first HEAD_BYTES bytes do not contain
    "refresh" in any case cannot declare one in its first 4,096 characters, so it is passed on
    as it is; any other page (a refresh mentioned, or NUL bytes: UTF-16 or UTF-32 text, where
    the word is not spelled in single bytes) goes through Scrapy's own middleware unchanged.
    """

    # Scrapy reads 4,096 characters; no ASCII-compatible encoding spends more than 4 bytes on one.
    HEAD_BYTES = 4 * 4096

    def process_response(self, request, response, spider=None):
        head = response.body[:self.HEAD_BYTES]
        if b"\x00" not in head and b"refresh" not in head.lower():
            return response
        return super().process_response(request, response)
