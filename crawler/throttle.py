"""AutoThrottle that remembers, and backs off on 403 and 429.

Replaces scrapy.extensions.throttle.AutoThrottle (disabled in settings):
- its delay per download slot is kept process-wide (crawler.politeness.THROTTLE) and restored
  when a later crawl of the process creates the same slot, instead of starting over from
  AUTOTHROTTLE_START_DELAY every crawl;
- a response in WIREWATCH_BACKOFF_HTTP_CODES (401, 403, 429) doubles the slot's delay (at least
  WIREWATCH_BACKOFF_START, at most WIREWATCH_BACKOFF_MAX); a success (a status below 400) halves
  the backoff again, and under WIREWATCH_BACKOFF_START it is gone. This works with AutoThrottle
  off too (a seed's `autothrottle = false`): then the delay is DOWNLOAD_DELAY plus the backoff.
The delay in force is max(AutoThrottle's delay, backoff), never under DOWNLOAD_DELAY.
"""
from __future__ import annotations

import logging
import time

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.extensions.throttle import AutoThrottle

from crawler.politeness import THROTTLE, SlotMemory

logger = logging.getLogger("wirewatch.throttle")


class _Delay:
    """What AutoThrottle._adjust_delay works on: only `.delay`."""
    __slots__ = ("delay",)

    def __init__(self, delay: float):
        self.delay = delay


class PoliteThrottle(AutoThrottle):
    def __init__(self, crawler):
        self.crawler = crawler
        s = crawler.settings
        self.enabled = s.getbool("AUTOTHROTTLE_ENABLED")
        self.debug = s.getbool("AUTOTHROTTLE_DEBUG")
        self.target_concurrency = s.getfloat("AUTOTHROTTLE_TARGET_CONCURRENCY")
        if self.enabled and self.target_concurrency <= 0.0:
            raise NotConfigured(f"AUTOTHROTTLE_TARGET_CONCURRENCY ({self.target_concurrency!r}) must be higher than 0.")
        self.carry_over = s.getbool("WIREWATCH_THROTTLE_CARRY_OVER", True)
        self.backoff_codes = {int(c) for c in s.getlist("WIREWATCH_BACKOFF_HTTP_CODES", [401, 403, 429])}
        self.backoff_start = s.getfloat("WIREWATCH_BACKOFF_START", 1.0)
        self.backoff_max = s.getfloat("WIREWATCH_BACKOFF_MAX", 600.0)
        self.seen: dict[str, int] = {}    # slots of this crawl given their remembered delay (key -> id)
        crawler.signals.connect(self._spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self._response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(self._slot_created, signal=signals.request_reached_downloader)

    def _spider_opened(self, spider) -> None:
        self.mindelay = self._min_delay()
        self.maxdelay = self._max_delay()
        if self.enabled:
            self.crawler.engine.downloader._delay = self._start_delay()

    def _slot_created(self, request, spider=None) -> None:
        """The first request of this crawl to reach a slot: give the slot what earlier crawls
        of this process learned about it."""
        key = request.meta.get("download_slot")
        slot = self.crawler.engine.downloader.slots.get(key) if key is not None else None
        if slot is None or self.seen.get(key) == id(slot):
            return
        self.seen[key] = id(slot)         # a slot Scrapy collected when idle and made again counts
        memory = THROTTLE.get(key) if self.carry_over else None
        if memory is None:
            return
        if not self.enabled:
            memory.throttle = self.mindelay
        delay = max(self.mindelay, memory.delay)
        if delay != slot.delay:
            logger.info("slot %s: delay %.2f s carried over from an earlier crawl (backoff %.2f s)",
                        key, delay, memory.backoff)
            slot.delay = delay
        self.crawler.stats.set_value("politeness/carried_over_delay", round(delay, 3))

    def _response_downloaded(self, response, request, spider=None) -> None:
        key, slot = self._get_slot(request, spider)
        if slot is None:
            return
        memory = THROTTLE.get(key)
        if memory is None or not self.carry_over and key not in self.seen:
            memory = THROTTLE[key] = SlotMemory(slot.delay if self.enabled else self.mindelay)
            self.seen[key] = id(slot)
        latency = request.meta.get("download_latency")
        if self.enabled and latency is not None and not request.meta.get("autothrottle_dont_adjust_delay"):
            throttle = _Delay(memory.throttle)
            self._adjust_delay(throttle, latency, response)
            memory.throttle = throttle.delay
        elif not self.enabled:
            memory.throttle = self.mindelay
        before = memory.backoff
        if response.status in self.backoff_codes:
            memory.backoff = min(self.backoff_max, max(self.backoff_start, 2 * max(slot.delay, memory.backoff)))
        elif response.status < 400 and memory.backoff:
            memory.backoff = memory.backoff / 2 if memory.backoff / 2 >= self.backoff_start else 0.0
        if memory.backoff != before:
            logger.info("slot %s: HTTP %d, backoff %.2f s -> %.2f s", key, response.status, before, memory.backoff)
            self.crawler.stats.max_value("politeness/backoff_max", round(memory.backoff, 3))
            self.crawler.stats.inc_value(f"politeness/backoff/{response.status}")
        memory.updated = time.monotonic()
        olddelay = slot.delay
        slot.delay = max(self.mindelay, memory.delay)
        if self.debug:
            logger.info("slot: %s | delay:%5d ms (%+d) | latency:%5d ms | status %d", key, slot.delay * 1000,
                        (slot.delay - olddelay) * 1000, (latency or 0) * 1000, response.status)
