"""A live progress line for `wirewatch crawl` (a small extension wired by signals, like
scrapy/extensions/throttle.py). Off unless WIREWATCH_PROGRESS is set."""
from __future__ import annotations

import asyncio

from scrapy import signals
from scrapy.exceptions import NotConfigured

OUTCOMES = ("new", "changed", "unchanged", "not_modified", "gone", "redirected", "blocked", "error")


class CrawlProgress:
    def __init__(self, crawler):
        self.crawler = crawler
        self.status = None
        self.task = None

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("WIREWATCH_PROGRESS"):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def line(self) -> str:
        stats = self.crawler.stats
        fetched = stats.get_value("response_received_count", 0)
        parts = [f"{fetched} responses"]
        parts += [f"{name.replace('_', ' ')} {stats.get_value(f'wirewatch/{name}')}" for name in OUTCOMES
                  if stats.get_value(f"wirewatch/{name}")]
        return f"{self.crawler.spider.name}: " + ", ".join(parts)

    def opened(self, spider):
        from rich.console import Console
        self.status = Console(stderr=True).status(self.line())
        self.status.start()
        self.task = asyncio.ensure_future(self._loop())

    async def _loop(self):
        while True:
            await asyncio.sleep(0.5)
            self.status.update(self.line())

    def closed(self, spider, reason):
        if self.task:
            self.task.cancel()
        if self.status:
            self.status.stop()
