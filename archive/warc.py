"""Raw responses to WARC files (warcio), so every capture can be re-read and re-extracted.

One gzip member per record, so a fetch row's (warc_file, warc_offset) is a random-access pointer.
A response whose payload equals the previous capture of the same URL is written as a `revisit`
record (identical-payload-digest profile) instead of a second copy of the body.
Files rotate at `max_bytes`; names carry the time and pid so concurrent writers never collide.
"""
from __future__ import annotations

import atexit
import base64
import hashlib
import io
import os
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

# Headers that described the transfer, not the payload we keep: the body we store is decoded.
_TRANSFER_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}


def payload_digest(body: bytes) -> str:
    """WARC-style digest ("sha1:BASE32"), the same string warcio writes in the record."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


@dataclass
class WarcPointer:
    file: str      # path relative to the WARC directory
    offset: int
    length: int


def _warc_date(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _reason(status: int) -> str:
    from http import HTTPStatus
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Unknown"


class WarcStore:
    _shared: dict[Path, "WarcStore"] = {}

    @classmethod
    def shared(cls, directory: Path) -> "WarcStore":
        """One writer per directory per process: every crawl of a daemon appends to the same
        file until rotation, instead of leaving one small file per crawl."""
        key = Path(directory).resolve()
        if key not in cls._shared:
            cls._shared[key] = cls(directory)
        return cls._shared[key]

    @classmethod
    def rotate_all(cls) -> None:
        for store in cls._shared.values():
            store.rotate()

    def __init__(self, directory: Path, prefix: str = "wirewatch", max_bytes: int = 1 << 30):
        self.directory = Path(directory)
        self.prefix = prefix
        self.max_bytes = max_bytes
        self._fh = None
        self._name = None
        self._serial = 0
        self._lock = threading.Lock()
        atexit.register(self.close)

    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")
        self._serial += 1
        self._name = f"{self.prefix}-{stamp}-{os.getpid()}-{self._serial:05d}.warc.gz"
        self._fh = open(self.directory / self._name, "ab")
        self._writer = WARCWriter(self._fh, gzip=True)
        info = self._writer.create_warcinfo_record(self._name, {"software": "wirewatch", "format": "WARC File Format 1.1"})
        self._writer.write_record(info)

    def rotate(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        if self._fh:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
        self._fh = None

    def close(self) -> None:
        with self._lock:
            self._close()

    def sync(self) -> None:
        """Flush to the disk itself: rows that point at these records are about to commit."""
        with self._lock:
            if self._fh:
                self._fh.flush()
                os.fsync(self._fh.fileno())

    def write_exchange(
        self,
        *,
        url: str,
        when: datetime,
        status: int,
        response_headers: Iterable[tuple[str, str]],
        body: bytes,
        request_headers: Iterable[tuple[str, str]] = (),
        method: str = "GET",
        revisit_of: tuple[str, datetime] | None = None,
    ) -> WarcPointer:
        """Write request + response (or revisit) records; return where the response record is."""
        with self._lock:
            if self._fh is None or self._fh.tell() >= self.max_bytes:
                self._close()
                self._open()
            date = _warc_date(when)
            headers = [(k, v) for k, v in response_headers if k.lower() not in _TRANSFER_HEADERS]
            headers.append(("Content-Length", str(len(body))))
            http_headers = StatusAndHeaders(_reason(status), headers, protocol="HTTP/1.1")
            offset = self._fh.tell()
            if revisit_of is not None:
                record = self._writer.create_revisit_record(
                    url, payload_digest(body), revisit_of[0], _warc_date(revisit_of[1]),
                    http_headers=http_headers, warc_headers_dict={"WARC-Date": date},
                )
            else:
                record = self._writer.create_warc_record(
                    url, "response", payload=io.BytesIO(body), length=len(body),
                    http_headers=http_headers, warc_headers_dict={"WARC-Date": date},
                )
            self._writer.write_record(record)
            length = self._fh.tell() - offset
            path = url.split("/", 3)[3] if url.count("/") >= 3 else ""
            req = StatusAndHeaders(f"{method} /{path} HTTP/1.1", list(request_headers), is_http_request=True)
            request = self._writer.create_warc_record(
                url, "request", http_headers=req,
                warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": record.rec_headers.get_header("WARC-Record-ID")},
            )
            self._writer.write_record(request)
            return WarcPointer(self._name, offset, length)


def read_response(directory: Path, pointer: WarcPointer | tuple[str, int]):
    """(headers list, body bytes, target URI) of the record at a pointer — for re-extraction."""
    from warcio.archiveiterator import ArchiveIterator
    name, offset = (pointer.file, pointer.offset) if isinstance(pointer, WarcPointer) else pointer
    with open(Path(directory) / name, "rb") as fh:
        fh.seek(offset)
        for record in ArchiveIterator(fh):
            headers = record.http_headers.headers if record.http_headers else []
            return headers, record.content_stream().read(), record.rec_headers.get_header("WARC-Target-URI"), record.rec_type
    raise FileNotFoundError(f"no WARC record at {name}:{offset}")
