"""The write-ahead journal of fetch results: what was fetched is on disk before it is committed.

Every result the crawler hands the archive is appended here as soon as its WARC record is
written (one directory per source beside the archive: `<archive>.journal/<source>/`). Appends go
to the process's open segment without an fsync — a killed process loses nothing the kernel
already has; before a batch is committed its segment is sealed (fsynced, renamed to a numbered
segment), and once the commit succeeds the sealed segments are removed. When the archive cannot
be written (a reader holds the file past the wait, a full disk) the sealed segments stay and
are written, in order, by the next flush or the next crawl of the source in that process, or by
any crawl of the source once that process is gone; a process killed at any point (between the
WARC write and the commit included) leaves its open segment, sealed and replayed by the next crawl. Replaying is exactly-once because every result carries a capture id
the archive refuses to write twice (`Archive.record_batch`). Each record is length-prefixed and
checksummed: a torn record at the end (death mid-append) is ignored.
"""
from __future__ import annotations

import os
import pickle
import re
import struct
import threading
import zlib
from pathlib import Path

_HEADER = struct.Struct(">II")        # payload length, CRC-32 of the payload
# <number>-<pid of the process that sealed it>.seg (a bare <number>.seg: written before the pid)
_SEALED = re.compile(r"^(\d{12})(?:-(\d+))?\.seg$")
_OPEN = re.compile(r"^open-(\d+)\.seg$")


class Journal:
    def __init__(self, archive_path: str | os.PathLike, source: str, *, root: str | os.PathLike | None = None):
        if root is None:         # where the archive keeps it (beside the file, or on the shared path)
            from .store import Archive
            root = Archive(archive_path).journal_dir
        self.dir = Path(root) / source
        self.open_path = self.dir / f"open-{os.getpid()}.seg"
        self._fh = None
        self._lock = threading.Lock()    # appends come from the pipeline's worker threads

    # -- writing ---------------------------------------------------------------------------------
    def append(self, rows: list) -> None:
        """Append rows to this process's open segment (buffered by the kernel, not fsynced)."""
        payload = pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL)
        with self._lock:
            self._append(payload)

    def _append(self, payload: bytes) -> None:
        if self._fh is None:
            self.dir.mkdir(parents=True, exist_ok=True)
            self._fh = open(self.open_path, "ab")
        self._fh.write(_HEADER.pack(len(payload), zlib.crc32(payload)) + payload)
        self._fh.flush()

    def seal(self) -> None:
        """Make what was appended durable and close its segment (rows appended later start a
        new one)."""
        with self._lock:
            self._seal()

    def _seal(self) -> None:
        if self._fh is None:
            return
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        self._fh = None
        self._seal_file(self.open_path)

    def recover(self) -> None:
        """Seal the open segments of processes that are gone (killed before their commit)."""
        if not self.dir.exists():
            return
        for path in self.dir.iterdir():
            match = _OPEN.match(path.name)
            if match and not process_alive(int(match.group(1))) and path != self.open_path:
                self._seal_file(path)

    def _seal_file(self, path: Path) -> None:
        numbers = [int(m.group(1)) for p in self.dir.iterdir() if (m := _SEALED.match(p.name))]
        target = self.dir / f"{max(numbers, default=0) + 1:012d}-{os.getpid()}.seg"
        os.replace(path, target)
        fd = os.open(self.dir, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    # -- replaying -------------------------------------------------------------------------------
    def sealed(self) -> list[Path]:
        """Sealed segments, oldest first."""
        if not self.dir.exists():
            return []
        # Only this process's and those of processes that are gone: two live processes never write
        # the same segment (on a shared archive two workers could both be crawling a source for a
        # moment, one whose lease expired under load, and both wrote another's segment: one fetch
        # archived twice, caught by tests/test_shared_workers.py).
        mine = []
        for path in self.dir.iterdir():
            match = _SEALED.match(path.name)
            if match and (match.group(2) is None or int(match.group(2)) == os.getpid() or not process_alive(int(match.group(2)))):
                mine.append((int(match.group(1)), path))
        return [path for _, path in sorted(mine)]

    @staticmethod
    def read(paths: list[Path]) -> list:
        """Every row of these segments, in order."""
        out: list = []
        for path in paths:
            data = path.read_bytes()
            at = 0
            while at + _HEADER.size <= len(data):
                size, crc = _HEADER.unpack_from(data, at)
                payload = data[at + _HEADER.size: at + _HEADER.size + size]
                if len(payload) < size or zlib.crc32(payload) != crc:
                    break                       # a torn last record: never acknowledged
                out.extend(pickle.loads(payload))
                at += _HEADER.size + size
        return out

    @staticmethod
    def remove(paths: list[Path]) -> None:
        for path in paths:
            path.unlink(missing_ok=True)

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
            if self.open_path.exists() and self.open_path.stat().st_size == 0:
                self.open_path.unlink()


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
