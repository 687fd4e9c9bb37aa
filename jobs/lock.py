"""One daemon per archive: two would fetch everything twice and fight over the file."""
from __future__ import annotations

import fcntl
import os
from pathlib import Path

from archive.db import ArchiveError


class DaemonLock:
    def __init__(self, archive_path: Path):
        self.path = Path(str(archive_path) + ".daemon.lock")
        self._fh = None

    def __enter__(self) -> "DaemonLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "?"
            fh.close()
            raise ArchiveError(f"another `wirewatch run` (pid {holder}) is already running on this archive") from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        self._fh = fh
        return self

    def __exit__(self, *exc) -> None:
        if self._fh:
            fcntl.flock(self._fh, fcntl.LOCK_UN)   # the kernel also drops it if the process dies
            self._fh.close()
            self._fh = None
