"""Extraction off the reactor thread, in worker processes.

trafilatura is CPU-bound Python; threads would share one core under the GIL, so a crawl could
never beat extraction-alone speed. A process pool lets the reactor fetch and the archive write
while every core extracts. The pool is created once per process and reused by every crawl.

A dead worker never silences a crawl:

- When a worker dies (OOM killer, segfault, SIGKILL) ProcessPoolExecutor is broken for good: every
  call in flight and every later one raises BrokenProcessPool. The first call to see a broken pool
  replaces it (one rebuild per broken pool, however many coroutines saw it break: a generation
  counter says whether the pool a call used is still the current one).
- Every call that was in flight on the broken pool is retried once, alone, in a one-worker
  "quarantine" pool, one page at a time. Alone, because a dying worker takes every call in flight
  with it and nothing says which page killed it: retried together on the new shared pool, a page
  that kills workers every time (a "poison" page) would break that pool again and fail every
  innocent page retried beside it. In quarantine only the page itself can be to blame: if its
  worker dies again (or it runs past QUARANTINE_TIMEOUT), `ExtractionFailed` is raised, which the
  spider records as an `error` fetch (the response still goes to WARC). The shared pool meanwhile
  keeps extracting every other page.
- At most `2 x workers` calls are handed to the executor at once (the rest wait in asyncio), so one
  death touches a bounded number of pages however many a caller queues (`reextract` gathers all).
- Workers are replaced after MAX_TASKS_PER_CHILD pages, so a leak in lxml/trafilatura/htmldate's
  caches is bounded in a daemon that runs for weeks (see MAX_TASKS_PER_CHILD for the value and
  its measured cost).
"""
from __future__ import annotations

import asyncio
import atexit
import logging
import multiprocessing
import os
import signal
import threading
import weakref
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from archive.noise import Noise
from archive.snapshot import Snapshot

log = logging.getLogger(__name__)

# Replace a worker after this many pages, so whatever a worker accumulates (lxml/libxml2 heap,
# caches in trafilatura and its dependencies) goes back to the system at least every 500 pages in
# a daemon that runs for weeks. A replacement costs one fork from the forkserver plus importing
# crawler.extract and warming up: ~0.2 s of CPU. Measured (total worker CPU, 2 workers, 2000 real
# pages from the article-extraction-benchmark corpus, ~32 ms of CPU a page; CPU because wall time
# on a shared machine is noise): no limit 67.8 / 62.3 s, 500 -> 67.9 / 63.0 s (+0.2 / +1.2 %),
# 100 -> 70.9 / 66.4 s (+5 / +7 %), 25 -> 80.6 s (+19 %). 500 keeps the cost near 1 % while
# still recycling a busy worker every ~15 s of extraction. Opt-in wall-clock check:
# WIREWATCH_BENCH_POOL=1 pytest tests/test_extract_pool.py -k costs_little.
MAX_TASKS_PER_CHILD = 500
# A page retried alone may take this long before its worker is killed and the page is failed:
# extraction of a large real page takes seconds, a stuck one would hold up every other retry.
QUARANTINE_TIMEOUT = 120.0
# Test-only: makes workers die on purpose (see _warm). Read when a pool is created, never per page.
TEST_KILL_ENV = "WIREWATCH_TEST_KILL_WORKER"


class ExtractionFailed(RuntimeError):
    """A page could not be extracted because the worker extracting it died, also when it was
    retried alone: the page itself is the cause (it kills workers). `reason` says what happened."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class _Executor(ProcessPoolExecutor):
    def _adjust_process_count(self):
        # CPython gh-115634 (3.11 up to its fix in 3.13/3.14 point releases): with
        # max_tasks_per_child, the idle-worker semaphore holds stale tokens when a backlog is
        # queued, a worker that reached its limit is then not replaced, and the pool hangs with
        # work queued (reproduced here on 3.11.7: 200 tasks, 2 workers, limit 50 -> stuck at 100).
        # Always top the pool up to max_workers instead; spawning eagerly is what a crawl wants.
        if len(self._processes) < self._max_workers:
            self._spawn_process()


_lock = threading.Lock()          # guards the globals below (a pool may be used from several loops)
_pool: _Executor | None = None
_generation = 0                   # bumped each time the shared pool is replaced
_workers = 0
_quarantine: _Executor | None = None
_waiting = 0                      # calls waiting for or running in quarantine
_slots: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]" = weakref.WeakKeyDictionary()
_alone: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock]" = weakref.WeakKeyDictionary()
_atexit = False
stats = {"rebuilds": 0, "retries": 0, "failed": 0}   # since the process started (tests, logs)


def _context():
    # forkserver: never fork the reactor's threads and sockets into a worker. The forkserver
    # imports crawler.extract_warm before its first fork, so workers start warm (see there).
    # First it preloads crawler.forkserver_watch: it exits when this process is gone, and every
    # worker with it (crawler/orphan_watch.py).
    from crawler.orphan_watch import OWNER_ENV
    os.environ[OWNER_ENV] = str(os.getpid())      # inherited by the forkserver when it starts
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["crawler.forkserver_watch", "crawler.extract_warm"])
    return context


def _new_executor(count: int) -> _Executor:
    global _atexit
    if not _atexit:
        atexit.register(shutdown)
        _atexit = True
    return _Executor(max_workers=count, mp_context=_context(), initializer=_warm,
                     initargs=(os.environ.get(TEST_KILL_ENV) or None,), max_tasks_per_child=MAX_TASKS_PER_CHILD)


def _get_pool(workers: int) -> tuple[_Executor, int]:
    global _pool, _workers
    with _lock:
        if _pool is None:
            _workers = _workers or workers or os.cpu_count() or 1
            _pool = _new_executor(_workers)
        return _pool, _generation


def _rebuild(generation: int) -> bool:
    """Replace the shared pool if it is still the one of `generation` (True when this call did)."""
    global _pool, _generation
    with _lock:
        if generation != _generation or _pool is None:
            return False          # another call replaced it already
        old, _pool = _pool, None
        _generation += 1
        stats["rebuilds"] += 1
    log.warning("extraction worker died: replacing the extraction pool (%d so far)", stats["rebuilds"])
    old.shutdown(wait=False, cancel_futures=True)
    return True


def _per_loop(table, make):
    loop = asyncio.get_running_loop()
    with _lock:
        item = table.get(loop)
        if item is None:
            item = table[loop] = make()
        return item


_kill: tuple[str, str] | None = None


def _warm(kill: str | None = None) -> None:
    import crawler.extract  # noqa: F401  (import trafilatura once per worker, not per page)
    from crawler.orphan_watch import FORKSERVER_ENV, exit_with_parent
    exit_with_parent(int(os.environ.get(FORKSERVER_ENV) or 0) or None)   # gone with the forkserver
    global _kill
    if kill:
        # Test-only hook, set by TEST_KILL_ENV when the pool was created:
        #   "poison:MARK" - a worker extracting a body containing MARK dies (every time);
        #   "once:PATH"   - the first worker to create PATH dies (one death in the whole run).
        kind, _, arg = kill.partition(":")
        _kill = (kind, arg)


def _die_if_told(body: bytes) -> None:
    kind, arg = _kill
    if kind == "poison" and arg.encode() in body:
        os.kill(os.getpid(), signal.SIGKILL)
    if kind == "once":
        try:
            os.close(os.open(arg, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return
        os.kill(os.getpid(), signal.SIGKILL)


def _extract(body: bytes, url: str, headers: dict, drop: tuple, noise: Noise, probe, container, timezone,
             flash=False, quick_print=True) -> Snapshot:
    if _kill is not None:
        _die_if_told(body)
    from crawler.extract import extract
    return extract(body, url, headers, drop, noise=noise, probe=probe, container=container, timezone=timezone,
                   flash=flash, quick_print=quick_print)


async def extract_async(body: bytes, url: str, headers: dict, drop: tuple, workers: int = 0, *,
                        noise: Noise = Noise(), probe: tuple[str | None, str] | None = None,
                        container: str | None = None, timezone: str | None = None,
                        flash: bool = False, quick_print: bool = True) -> Snapshot:
    """`crawler.extract.extract` in a worker process (see there for noise, probe, container,
    timezone, flash, quick_print).

    Raises ExtractionFailed when the page's worker died and died again when the page was retried
    alone; exceptions raised by `extract` itself come through unchanged."""
    loop = asyncio.get_running_loop()
    args = (_extract, body, url, headers, tuple(drop), noise, probe, container, timezone, flash, quick_print)
    pool, generation = _get_pool(workers)
    slots = _per_loop(_slots, lambda: asyncio.Semaphore(2 * _workers))
    async with slots:
        pool, generation = _get_pool(workers)      # the pool may have been replaced while waiting
        try:
            return await loop.run_in_executor(pool, *args)
        except BrokenProcessPool:
            _rebuild(generation)
    return await _retry_alone(loop, args, url)


async def _retry_alone(loop, args, url: str) -> Snapshot:
    global _quarantine, _waiting
    stats["retries"] += 1
    with _lock:
        _waiting += 1
    reason = None
    try:
        async with _per_loop(_alone, asyncio.Lock):
            with _lock:
                if _quarantine is None:
                    _quarantine = _new_executor(1)
                pool = _quarantine
            try:
                return await asyncio.wait_for(loop.run_in_executor(pool, *args), QUARANTINE_TIMEOUT)
            except BrokenProcessPool:
                reason = "extraction worker died twice on this page (the second time extracting it alone)"
            except asyncio.TimeoutError:
                reason = f"extraction retried alone took longer than {QUARANTINE_TIMEOUT:g} s"
                for proc in list(getattr(pool, "_processes", {}).values()):
                    proc.kill()
    finally:
        with _lock:
            _waiting -= 1
            # a broken quarantine is never reused; an idle one is let go (deaths are rare)
            done = _quarantine if _quarantine is not None and (reason is not None or _waiting == 0) else None
            if done is not None:
                _quarantine = None
        if done is not None:
            done.shutdown(wait=False, cancel_futures=True)
    stats["failed"] += 1
    log.error("extraction failed for %s: %s", url, reason)
    raise ExtractionFailed(reason)


def shutdown() -> None:
    global _pool, _quarantine, _workers
    with _lock:
        pools, _pool, _quarantine, _workers = [_pool, _quarantine], None, None, 0
        _slots.clear()
    for pool in pools:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
