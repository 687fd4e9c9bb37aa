"""Extraction off the reactor thread, in worker processes.

trafilatura is CPU-bound Python; threads would share one core under the GIL, so a crawl could
never beat extraction-alone speed. A process pool lets the reactor fetch and the archive write
while every core extracts. The pool is created once per process and reused by every crawl.
"""
from __future__ import annotations

import asyncio
import atexit
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from archive.noise import Noise
from archive.snapshot import Snapshot

_pool: ProcessPoolExecutor | None = None


def _get_pool(workers: int) -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        count = workers or os.cpu_count() or 1
        # forkserver: never fork the reactor's threads and sockets into a worker.
        _pool = ProcessPoolExecutor(max_workers=count, mp_context=multiprocessing.get_context("forkserver"),
                                    initializer=_warm)
        atexit.register(shutdown)
    return _pool


def _warm() -> None:
    import crawler.extract  # noqa: F401  (import trafilatura once per worker, not per page)


def _extract(body: bytes, url: str, headers: dict, drop: tuple, noise: Noise, probe, container) -> Snapshot:
    from crawler.extract import extract
    return extract(body, url, headers, drop, noise=noise, probe=probe, container=container)


async def extract_async(body: bytes, url: str, headers: dict, drop: tuple, workers: int = 0, *,
                        noise: Noise = Noise(), probe: tuple[str | None, str] | None = None,
                        container: str | None = None) -> Snapshot:
    """`crawler.extract.extract` in a worker process (see there for noise, probe, container)."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_get_pool(workers), _extract, body, url, headers, tuple(drop), noise, probe,
                                      container)


def shutdown() -> None:
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=True, cancel_futures=True)
        _pool = None
