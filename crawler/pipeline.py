"""Hands fetches to the archive: raw exchanges to WARC, results to DuckDB in batches.

Batches keep the archive file closed most of the time (readers in other processes get their
turn) and make each write one transaction. The buffer is bounded: past WIREWATCH_MAX_BUFFER the
crawl waits for the archive instead of growing without limit. Writes run in a worker thread so
waiting on a reader's lock never stalls the reactor.
"""
from __future__ import annotations

import asyncio
import logging
import threading
import time
from dataclasses import replace

from scrapy.utils.misc import load_object

from archive.journal import Journal
from archive.records import FetchResult
from archive.store import Archive
from archive.writer import default_schedule
from archive.warc import WarcStore
from crawler import politeness
from crawler.items import Exchange, FetchItem, SignalItem

logger = logging.getLogger(__name__)


class ArchiveJournaled(Exception):
    """The archive could not be written; the batch is safe in the journal."""


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
        # capture ids of pending results whose journal row could not be written (a full disk):
        # written from memory by the flush; every other result is written from the journal
        self._unjournaled: set[str] = set()
        self.signals: list[SignalItem] = []
        self.run_id: int | None = None
        self._lock = asyncio.Lock()
        # Held by `_keep` (a row, then its records and their pointer rows) and by the flush's seal:
        # a batch never seals a row without the pointer rows journaled after it.
        self._keeping = threading.Lock()
        self._last_flush = time.monotonic()
        self._ticker: asyncio.Task | None = None

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.robots_fetched, signal=politeness.robots_fetched)
        return pipeline

    async def robots_fetched(self, origin, digest, status, fetched_at, changed, **_):
        """Remember each origin's robots.txt, so disallowed articles are due again when it changes."""
        if digest is not None:
            try:
                await asyncio.to_thread(self.archive.robots_seen, origin, politeness.origin_prefixes(origin),
                                        digest, fetched_at)
            except Exception as exc:     # a locked archive: the next fetch of robots.txt tells again
                logger.warning("cannot note robots.txt of %s: %s", origin, str(exc).splitlines()[0])

    async def open_spider(self, spider=None):
        spider = spider or self.crawler.spider
        self.source = spider.seed.name
        self.schedule = self.schedule_factory(spider.seed) if self.schedule_factory else default_schedule
        self.warc = WarcStore.shared(self.archive.warc_dir)
        self.journal = Journal(self.archive.path, self.source, root=self.archive.journal_dir)
        self.journal.recover()           # the open segment of a crawl that was killed
        self.run_id = await asyncio.to_thread(self.archive.start_run, spider.job, self.source)
        spider.run_id = self.run_id
        if self.journal.sealed():        # what an earlier crawl could not write, first
            await self._flush_or_log()
        self._ticker = asyncio.ensure_future(self._tick())

    async def _tick(self):
        while True:
            await asyncio.sleep(self.flush_seconds / 2)
            if (self.pending or self.signals or self.journal.sealed()) and \
                    time.monotonic() - self._last_flush >= self.flush_seconds:
                await self._flush_or_log()

    async def _flush_or_log(self):
        """A flush that lets the crawl go on when the archive is unavailable: the rows are in the
        journal then, written by a later flush."""
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
            # gzip releases the GIL: off the reactor thread; the journal row right after its record
            await asyncio.to_thread(self._keep, item)
            self.pending.append(item.result)
            if len(self.pending) >= self.max_buffer:
                await self._flush_or_log()       # backpressure: wait for the archive (or the journal)
            elif len(self.pending) >= self.batch_size and not self._lock.locked():
                asyncio.ensure_future(self._flush_or_log())
        return item

    def _keep(self, item: FetchItem) -> None:
        """The result to the journal, then each raw capture to WARC, its pointer journaled before
        its first byte is written: a process killed at any point leaves no record that no row will
        point at (the capture of an edit nobody could find), only, at worst, a pointer at a record
        it did not finish writing, which the replay clears (`_complete_pointers`)."""
        with self._keeping:
            self._keep_locked(item)

    def _keep_locked(self, item: FetchItem) -> None:
        try:
            self.journal.append([(self.run_id, item.result)])
        except OSError as exc:           # a full disk: it stays in memory until the flush
            logger.error("journal append failed (%s): %s kept in memory", exc, item.result.url)
            self._unjournaled.add(item.result.capture_id)
        try:
            self._write_warc(item)
        except OSError as exc:          # a full disk, permissions: the fetch is recorded without it
            note = f"raw capture not kept: WARC write failed: {exc}".splitlines()[0][:300]
            logger.error("%s (%s)", note, item.result.url)
            for result in (item.result, *item.result.confirms):
                if result.warc_file is None:
                    result.warc_error = note
                    self._journal_pointer(result)
            item.exchange, item.confirm_exchanges = None, []

    def _write_warc(self, item: FetchItem) -> None:
        """Each exchange as received (crawler/rawcapture.py) when the raw capture is there. A
        confirmation fetch with the same payload as a capture just written for this item is a
        revisit of it; archive/warc.py writes a revisit only when the payload digests agree."""
        from archive.warc import WarcPointer
        pairs = [(item.exchange, item.result), *zip(item.confirm_exchanges, item.result.confirms)]
        written: dict[str, WarcPointer] = {}
        for exchange, result in pairs:
            if exchange is None or result is None:
                continue
            digest, pointer = self._write_exchange(exchange, result, written)
            if digest:
                written.setdefault(digest, pointer)
        item.exchange, item.confirm_exchanges = None, []   # the bodies are in the WARC now; free them

    def _write_exchange(self, exchange: Exchange, result: FetchResult, written: dict) -> tuple:
        """One exchange to WARC, its pointer on the result and in the journal before the record's
        first byte is in the file: (payload digest, pointer)."""
        from archive.warc import payload_digest
        raw = exchange.raw
        body = exchange.wire_body
        digest = payload_digest(body) if exchange.status == 200 else None
        revisit_of = exchange.revisit_of or (written.get(digest) if digest else None)

        def point(pointer) -> None:
            result.warc_file, result.warc_offset, result.warc_length = pointer.file, pointer.offset, pointer.length
            self._journal_pointer(result)

        pointer = self.warc.write_exchange(
            url=raw.url if raw is not None else exchange.url, when=exchange.when, status=exchange.status,
            response_headers=raw.headers if raw is not None else exchange.headers, body=body,
            request_headers=raw.request_headers if raw is not None and raw.request_headers else exchange.request_headers,
            revisit_of=revisit_of, as_received=raw is not None,
            protocol=raw.protocol if raw is not None else "HTTP/1.1", digest=digest, before_write=point)
        return digest, pointer

    def _journal_pointer(self, result: FetchResult) -> None:
        """A pointer row: the result's WARC pointer (or why it has none), folded into the row of
        its capture when the journal is read (`_with_held_pointers`)."""
        try:
            self.journal.append([(None, replace(result, held_raw=None, snapshot=None, confirms=[], baseline=None))])
        except OSError as exc:            # a full disk: the row in memory has it
            logger.error("journal append failed (%s): pointer of %s not journaled", exc, result.url)

    def _write_held(self, result: FetchResult) -> None:
        """The raw capture the spider held for a fetch it judged unchanged, which the write makes
        a version (or an error row) after all: to WARC, on disk before the row that points at it.
        Its pointer is journaled as any capture's: if this batch is not committed (the archive
        busy, the process killed), the rows are read again from the journal, and the pointer read
        with them spares a second record of the same capture."""
        self._write_exchange(result.held_raw, result, {})
        self.warc.sync()

    async def flush(self):
        """Commit what was fetched: the journal's sealed segments (this batch, and any an earlier
        flush or crawl could not write), in order. What cannot be committed now (the archive
        locked past the wait, a full disk) stays in the journal for the next flush or the next
        crawl of this source: never a drop."""
        async with self._lock:
            batch, self.pending = self.pending, []
            signals, self.signals = self.signals, []
            self._last_flush = time.monotonic()
            with self._keeping:     # (a few ms at most: a capture being kept)
                self.warc.sync()    # WARC records on disk before the journal rows that point at them
                self.journal.seal()                  # this batch is durable before its commit
            segments = self.journal.sealed()
            rows = self._complete_pointers(_with_held_pointers(await asyncio.to_thread(Journal.read, segments)))
            if len(segments) > 1:
                logger.info("writing %d fetches from %d journal segments (%s)", len(rows), len(segments),
                            ", ".join(p.name for p in segments))
            # Only results the journal failed to take: a result journaled just before an earlier
            # flush sealed was written by it, although it reached `pending` only after (`_keep`
            # runs in a thread), and writing it again counted its outcome twice.
            on_disk = {r.capture_id for _, r in rows}
            only_here = [r for r in batch if r.capture_id in self._unjournaled and r.capture_id not in on_disk]
            rows += [(self.run_id, r) for r in only_here]
            if not rows and not signals:
                return
            try:
                await asyncio.to_thread(self._write_fetches, rows)
                self._unjournaled.difference_update(r.capture_id for r in only_here)
                await asyncio.to_thread(Journal.remove, segments)
            except Exception as exc:
                self.pending[:0] = only_here
                self.signals[:0] = signals
                logger.warning("archive unavailable (%s): %d fetches kept in the journal %s, written when it is free",
                               str(exc).splitlines()[0], len(rows), self.journal.dir)
                raise ArchiveJournaled(str(exc).splitlines()[0]) from None
            try:
                await asyncio.to_thread(self._write_signals, signals)
            except Exception:
                self.signals[:0] = signals     # re-derivable from discovery; kept for the next flush
                raise

    def _complete_pointers(self, rows: list[tuple]) -> list[tuple]:
        """Rows whose WARC record was never finished (the process that wrote it was killed while
        writing: its pointer was journaled first) lose the pointer and say why; the fetch, its
        extraction and any version it makes are kept. The dead writer's torn tail is cut off, so
        the file reads to its end."""
        from archive.warc import WarcPointer
        last: dict[str, WarcPointer] = {}
        for _, row in rows:
            for result in (row, *row.confirms):
                if result.warc_file is None:
                    continue
                pointer = WarcPointer(result.warc_file, result.warc_offset, result.warc_length)
                if pointer.offset >= getattr(last.get(pointer.file), "offset", -1):
                    last[pointer.file] = pointer
                if self.warc.complete(pointer):
                    continue
                logger.warning("raw capture of %s was not finished (%s:%s): the fetch is kept without it",
                               result.url, pointer.file, pointer.offset)
                result.warc_file = result.warc_offset = result.warc_length = None
                result.warc_error = "raw capture lost: the crawler was killed while writing it"
        for pointer in last.values():
            self.warc.settle_tail(pointer)
        return rows

    def _write_fetches(self, rows: list[tuple[int | None, FetchResult]]) -> None:
        """(run id, result) pairs, in order, each with the run that fetched it."""
        start = 0
        while start < len(rows):
            run_id = rows[start][0]
            end = start
            while end < len(rows) and rows[end][0] == run_id:
                end += 1
            outcomes = self.archive.record_batch([r for _, r in rows[start:end]], run_id=run_id,
                                                 schedule=self.schedule, keep_raw=self._write_held)
            for outcome, _ in outcomes:
                self.crawler.stats.inc_value(f"wirewatch/{outcome}")
            start = end

    def _write_signals(self, signals):
        for item in signals:
            due = self.archive.note_signals(item.source, item.signals, self.schedule)
            self.crawler.stats.inc_value("wirewatch/signalled_due", due)

    async def close_spider(self, spider=None):
        if self._ticker:
            self._ticker.cancel()
        error = None
        try:
            await self.flush()
        except ArchiveJournaled as exc:   # kept on disk: the next crawl of this source writes it
            error = f"archive unavailable, fetches journaled: {exc}"
        except Exception as exc:          # signals only: rediscovered by the next discovery
            error = f"{type(exc).__name__}: {exc}".splitlines()[0]
            logger.error("archive write failed: %s", error)
        self.warc.sync()
        self.journal.close()
        reason = self.crawler.stats.get_value("finish_reason", "finished")
        outcome = "ok" if error is None and reason == "finished" else ("failed" if error else "interrupted")
        try:
            summary = await asyncio.to_thread(self.archive.finish_run, self.run_id, outcome,
                                              error or (None if reason == "finished" else reason))
        except Exception as exc:          # still locked: the next start marks the run interrupted
            logger.error("cannot close run %s: %s", self.run_id, str(exc).splitlines()[0])
            summary = {"run_id": self.run_id, "job": spider.job if spider else None, "outcome": "failed",
                       "error": error or str(exc).splitlines()[0]}
        self.crawler.stats.set_value("wirewatch/run", summary)


def _with_held_pointers(rows: list[tuple]) -> list[tuple]:
    """Journal rows with the WARC pointers journaled after them (`_journal_pointer`) folded into
    the results they belong to (same capture id, earlier in the journal: a row's or one of its
    confirmations'); the pointer rows themselves dropped."""
    first: dict[str, FetchResult] = {}
    out = []
    for run_id, result in rows:
        earlier = first.get(result.capture_id)
        if earlier is None:
            first.update((r.capture_id, r) for r in (result, *result.confirms))
            out.append((run_id, result))
        elif earlier.warc_file is None and result.warc_file is not None:
            earlier.warc_file, earlier.warc_offset, earlier.warc_length = \
                result.warc_file, result.warc_offset, result.warc_length
        elif earlier.warc_file is None and result.warc_error and not earlier.warc_error:
            earlier.warc_error = result.warc_error
    return out
