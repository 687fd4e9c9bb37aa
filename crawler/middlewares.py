"""Retries with exponential backoff: Scrapy's RetryMiddleware re-queues at once, which against a
struggling server (5xx, resets) is the wrong kind of persistence."""
from __future__ import annotations

import asyncio
import random

from scrapy import signals
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings):
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX", 30.0)

    def _retry(self, request, reason, retry_after: float | None = None):
        new = super()._retry(request, reason)
        if new is not None:
            attempt = new.meta.get("retry_times", 1)
            delay = self.base * (2 ** (attempt - 1)) * (0.75 + random.random() / 2)
            if retry_after is not None:
                delay = max(delay, retry_after)
            new.meta["retry_delay"] = min(delay, self.cap)
        return new

    def process_response(self, request, response, spider=None):
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        from scrapy.utils.response import response_status_message
        retry_after = _retry_after(response.headers.get(b"Retry-After"))
        return self._retry(request, response_status_message(response.status), retry_after) or response

    async def process_request(self, request, spider=None):
        delay = request.meta.pop("retry_delay", None)
        if delay:
            await asyncio.sleep(delay)
        return None


def _retry_after(value: bytes | None) -> float | None:
    if not value:
        return None
    try:
        return float(value.decode("ascii").strip())
    except (ValueError, UnicodeDecodeError):
        return None  # an HTTP date: fall back to our own backoff


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
