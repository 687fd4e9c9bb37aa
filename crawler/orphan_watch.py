"""Extraction processes end with the process they work for.

A crawl killed with SIGKILL (or OOM-killed) left its forkserver, its extraction workers and
multiprocessing's resource tracker running for good, re-parented to init (seen here: a day of
crash campaigns left hundreds of them, 23 of 24 GB of memory taken, and the next test run timed
out). Each such process now watches its parent with a thread, and exits when it is re-parented
(its parent is gone):

- the forkserver imports this module as a preload (crawler/extract_pool.py), so it watches the
  crawl process that started it;
- each worker calls `exit_with_parent()` from its initializer, so it watches the forkserver,
  which exits within a second of the crawl process.
A process's parent id changes only when the parent dies, so a recycled pid can never fool it.
The resource tracker ends by itself once no process holds its pipe.
"""
from __future__ import annotations

import os
import threading
import time

CHECK_EVERY = 1.0   # seconds


def exit_with_parent(every: float = CHECK_EVERY) -> None:
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(every)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, name="wirewatch-exit-with-parent", daemon=True).start()
