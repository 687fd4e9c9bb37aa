"""Hands fetches to the archive: raw exchanges to WARC, results to DuckDB in batches.

Batches keep the archive file closed most of the time (readers in other processes get their
turn) and make each write one transaction. The buffer is bounded: past WIREWATCH_MAX_BUFFER the
crawl waits for the archive instead of growing without limit. Writes run in a worker thread so
waiting on a reader's lock never stalls the reactor.
"""
from __future__ import annotations

import asyncio
import logging
import time

from scrapy.utils.misc import load_object

from archive.store import Archive
from archive.writer import default_schedule
from archive.warc import WarcStore
from crawler.items import FetchItem, SignalItem

logger = logging.getLogger(__name__)


class ArchivePipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        s = crawler.settings
        self.archive = Archive(s.get("WIREWATCH_ARCHIVE"))
        factory = s.get("WIREWATCH_SCHEDULE")
        self.schedule_factory = load_object(factory) if isinstance(factory, str) else factory
        self.batch_size = s.getint("WIREWATCH_BATCH_SIZE", 100)
        self.flush_seconds = s.getfloat("WIREWATCH_FLUSH_SECONDS", 2.0)
        self.max_buffer = s.getint("WIREWATCH_MAX_BUFFER", 5000)
        self.pending: list = []
        self.signals: list[SignalItem] = []
        self.run_id: int | None = None
        self._lock = asyncio.Lock()
        self._last_flush = time.monotonic()
        self._ticker: asyncio.Task | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def open_spider(self, spider=None):
        spider = spider or self.crawler.spider
        self.source = spider.seed.name
        self.schedule = self.schedule_factory(spider.seed) if self.schedule_factory else default_schedule
        self.warc = WarcStore.shared(self.archive.warc_dir)
        self.run_id = await asyncio.to_thread(self.archive.start_run, spider.job, self.source)
        spider.run_id = self.run_id
        self._ticker = asyncio.ensure_future(self._tick())

    async def _tick(self):
        while True:
            await asyncio.sleep(self.flush_seconds / 2)
            if (self.pending or self.signals) and time.monotonic() - self._last_flush >= self.flush_seconds:
                await self._flush_or_log()

    async def _flush_or_log(self):
        """A flush in the background: on failure (the archive stayed locked) the rows stay
        buffered for the next one, and the crawl goes on."""
        try:
            await self.flush()
        except Exception as exc:
            logger.warning("archive write postponed (%d fetches buffered): %s", len(self.pending),
                           str(exc).splitlines()[0])

    async def process_item(self, item, spider=None):
        if isinstance(item, SignalItem):
            self.signals.append(item)
            return item
        if isinstance(item, FetchItem):
            self._write_warc(item)
            self.pending.append(item.result)
            if len(self.pending) >= self.max_buffer:
                await self.flush()               # backpressure: wait for the archive
            elif len(self.pending) >= self.batch_size and not self._lock.locked():
                asyncio.ensure_future(self._flush_or_log())
        return item

    def _write_warc(self, item: FetchItem) -> None:
        pairs = [(item.exchange, item.result), *zip(item.confirm_exchanges, item.result.confirms)]
        for exchange, result in pairs:
            if exchange is None or result is None:
                continue
            pointer = self.warc.write_exchange(
                url=exchange.url, when=exchange.when, status=exchange.status, response_headers=exchange.headers,
                body=exchange.body, request_headers=exchange.request_headers, revisit_of=exchange.revisit_of)
            result.warc_file, result.warc_offset, result.warc_length = pointer.file, pointer.offset, pointer.length
        item.exchange, item.confirm_exchanges = None, []   # the bodies are in the WARC now; free them

    async def flush(self):
        async with self._lock:
            batch, self.pending = self.pending, []
            signals, self.signals = self.signals, []
            self._last_flush = time.monotonic()
            if not batch and not signals:
                return
            self.warc.sync()    # WARC records on disk before the rows that point at them
            # Two transactions, each kept for the next attempt if it fails: nothing is dropped
            # and nothing is written twice.
            try:
                await asyncio.to_thread(self._write_fetches, batch)
            except Exception:
                self.pending[:0] = batch
                self.signals[:0] = signals
                raise
            try:
                await asyncio.to_thread(self._write_signals, signals)
            except Exception:
                self.signals[:0] = signals
                raise

    def _write_fetches(self, batch):
        if not batch:
            return
        outcomes = self.archive.record_batch(batch, run_id=self.run_id, schedule=self.schedule)
        for outcome, _ in outcomes:
            self.crawler.stats.inc_value(f"wirewatch/{outcome}")

    def _write_signals(self, signals):
        for item in signals:
            due = self.archive.note_signals(item.source, item.signals, self.schedule)
            self.crawler.stats.inc_value("wirewatch/signalled_due", due)

    async def close_spider(self, spider=None):
        if self._ticker:
            self._ticker.cancel()
        error = None
        for attempt in range(3):
            try:
                await self.flush()
                error = None
                break
            except Exception as exc:  # a locked archive: try again before giving up loudly
                error = f"{type(exc).__name__}: {exc}".splitlines()[0]
                logger.error("archive write failed (attempt %d): %s", attempt + 1, error)
                await asyncio.sleep(1 + attempt)
        else:
            # The raw responses are already in the WARC files: `wirewatch reextract` can rebuild.
            logger.error("archive unwritable (%s); %d fetches only in WARC %s", error, len(self.pending), self.warc.directory)
        self.warc.sync()
        reason = self.crawler.stats.get_value("finish_reason", "finished")
        outcome = "ok" if error is None and reason == "finished" else ("failed" if error else "interrupted")
        summary = await asyncio.to_thread(self.archive.finish_run, self.run_id, outcome, error or (None if reason == "finished" else reason))
        self.crawler.stats.set_value("wirewatch/run", summary)
