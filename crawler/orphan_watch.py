"""Extraction processes end with the process they work for.

A crawl killed with SIGKILL (or OOM-killed) left its forkserver, its extraction workers and
multiprocessing's resource tracker running for good, re-parented to init (seen here: a day of
crash campaigns left hundreds of them, 23 of 24 GB of memory taken, and the next test run timed
out). Each such process now watches its parent with a thread, and exits when it is re-parented
(its parent is gone):

- the forkserver imports crawler/forkserver_watch.py first of its preloads and watches the crawl
  process that started it, whose pid it reads from OWNER_ENV (the crawl may die before the
  forkserver's imports are done: then its parent is already another process);
- each worker, from its initializer, watches the forkserver, whose pid it reads from
  FORKSERVER_ENV (set by the forkserver before it forks any worker): the forkserver exits within
  a second of the crawl process.
A process's parent id changes only when the parent dies, so a recycled pid can never fool it,
and a crawl that is itself pid 1 (a container's only process) is watched as any other.
The resource tracker ends by itself once no process holds its pipe.
"""
from __future__ import annotations

import os
import threading
import time

CHECK_EVERY = 1.0   # seconds
OWNER_ENV = "WIREWATCH_POOL_OWNER"            # the crawl process's pid, for its forkserver
FORKSERVER_ENV = "WIREWATCH_POOL_FORKSERVER"  # the forkserver's pid, for its workers


def exit_with_parent(parent: int | None = None, every: float = CHECK_EVERY) -> None:
    """Exit this process once its parent is not `parent` (default: its parent now)."""
    parent = parent or os.getppid()

    def watch() -> None:
        while True:
            time.sleep(every)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, name="wirewatch-exit-with-parent", daemon=True).start()
