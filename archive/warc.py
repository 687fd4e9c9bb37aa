"""Raw responses to WARC files (warcio), so every capture can be re-read, re-extracted and replayed.

One gzip member per record, so a fetch row's (warc_file, warc_offset) is a random-access pointer.
Records are WARC/1.1 with microsecond WARC-Dates (two captures of a URL within a second stay
distinct). Files rotate at `max_bytes`; names carry the time and pid so concurrent writers never
collide.

As received: a response record holds the entity body as it came off the wire -- Content-Encoding
intact (gzip, br, deflate, zstd as the server sent it), Transfer-Encoding removed (the HTTP client
de-chunks; the record then states the Content-Length of what it holds) -- under the headers as
received (`as_received=True`; the crawler's rawcapture middleware provides them). Records written
before that, or by callers that only have a decoded body, hold the decoded body under headers
without Content-Encoding/Transfer-Encoding (`as_received=False`). `archive.warc_read.read_response` decodes either
for extraction.

Payload digest: `payload_digest` is SHA-1 (base32) over the payload as received, i.e. exactly the
WARC-Payload-Digest of WARC 1.1 that warcio computes over the body given to it, and the value of
`fetches.payload_digest`: byte-identical payloads, the fetch row, the CDX line and the record all
carry the same digest.

Revisits: a response whose payload is identical to an earlier capture is written as a `revisit`
record (profile .../warc/1.1/revisit/identical-payload-digest) naming that capture:
WARC-Refers-To-Target-URI, WARC-Refers-To-Date and WARC-Refers-To (its record id). The caller says
where that capture is (a WarcPointer); the record there is read (a revisit is followed to its
original), and a revisit is written only when its WARC-Payload-Digest equals this body's -- else a
full response record: a revisit never points at a different payload.
"""
from __future__ import annotations

import atexit
import base64
import hashlib
import io
import os
import re
import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

from isal import isal_zlib
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import GzippingWrapper, WARCWriter

# Headers that described the transfer, not the payload we keep when the body is stored decoded.
_TRANSFER_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}
# Hop-by-hop framing that no longer describes a de-chunked payload stored as received.
_FRAMING_HEADERS = {"transfer-encoding", "content-length"}
WARC_VERSION = "1.1"
_CACHE_SIZE = 10_000
_FILE_PID = re.compile(r"^.+-\d{14}-(\d+)-\d+\.warc\.gz$")   # WarcStore._open's names: the writer's pid


def payload_digest(body: bytes) -> str:
    """WARC-Payload-Digest ("sha1:BASE32") of a payload as received -- the string warcio writes."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


@dataclass
class WarcPointer:
    file: str      # path relative to the WARC directory
    offset: int
    length: int


@dataclass(frozen=True)
class Capture:
    """A response record as a revisit names it."""
    uri: str
    date: str                        # its WARC-Date, verbatim
    record_id: str | None = None     # its WARC-Record-ID
    payload_digest: str | None = None


def _warc_date(when: datetime) -> str:
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc)
    return datetime_to_iso_date(when.replace(tzinfo=None), use_micros=True)


def _reason(status: int) -> str:
    from http import HTTPStatus
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Unknown"


def pointer_key(pointer) -> tuple[str, int]:
    return (pointer.file, pointer.offset) if isinstance(pointer, WarcPointer) else (pointer[0], int(pointer[1]))


def _is_legacy_target(target) -> bool:
    return isinstance(target, tuple) and len(target) == 2 and isinstance(target[1], datetime)


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
        # (file, offset) -> the capture a revisit written for that pointer would name
        self._captures: OrderedDict[tuple[str, int], Capture] = OrderedDict()
        atexit.register(self.close)

    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")
        self._serial += 1
        self._name = f"{self.prefix}-{stamp}-{os.getpid()}-{self._serial:05d}.warc.gz"
        self._fh = open(self.directory / self._name, "ab")
        self._writer = _Writer(self._fh, gzip=True, warc_version=WARC_VERSION)
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
        revisit_of: WarcPointer | tuple[str, int] | tuple[str, datetime] | Capture | None = None,
        as_received: bool = False,
        protocol: str = "HTTP/1.1",
        digest: str | None = None,
        before_write: Callable[[WarcPointer], None] | None = None,
    ) -> WarcPointer:
        """Write request + response (or revisit) records; return where the response record is.

        as_received: `body` and `response_headers` are what came off the wire (Content-Encoding
        intact), else a decoded body whose encoding headers are dropped. revisit_of: where the
        capture with the same payload is (a pointer, checked: see the module docstring), a Capture,
        or a legacy (uri, date) pair taken on trust. digest: `payload_digest(body)` when the
        caller has it (each pass over a page's bytes is ~0.2 ms of the crawl process).
        before_write: called with the pointer once the records are made and before any byte of
        them is in the file (the crawl journals the pointer there: a process killed at any point
        leaves no record that nothing points at, and at worst a pointer at a record it did not
        finish, which `complete` tells). The records are flushed to the kernel when it returns."""
        with self._lock:
            if self._fh is None or self._fh.tell() >= self.max_bytes:
                self._close()
                self._open()
            into = io.BytesIO()
            pointer, capture = self._records(_Writer(into, gzip=True, warc_version=WARC_VERSION), url, when, status,
                                             response_headers, body, request_headers, method, revisit_of,
                                             as_received, protocol, digest, into)
            if before_write is not None:
                before_write(pointer)
            try:
                self._fh.write(into.getbuffer())
                self._fh.flush()
            except OSError:          # a full disk: no torn record left for the next one to follow
                self._fh.seek(pointer.offset)
                self._fh.truncate()
                raise
            self._remember((pointer.file, pointer.offset), capture)
            return pointer

    def complete(self, pointer: WarcPointer) -> bool:
        """Whether the file holds every byte of the record at `pointer` (a process killed while
        writing it leaves it short)."""
        with self._lock:
            if self._fh is not None and pointer.file == self._name:
                self._fh.flush()
        try:
            size = (self.directory / pointer.file).stat().st_size
        except OSError:
            return False
        return pointer.length is not None and size >= pointer.offset + pointer.length

    def settle_tail(self, last: WarcPointer) -> None:
        """After a writer was killed: `last` is the last record its rows point at in its file, so
        the file must end with that record's write (the response, then its request record). What
        follows it unfinished is cut off, and an unfinished response with it, so the file reads
        to its end. Only in a file whose writing process is gone."""
        from .journal import process_alive
        match = _FILE_PID.match(last.file)
        path = self.directory / last.file
        if match is None or process_alive(int(match.group(1))) or not path.exists():
            return
        size, end = path.stat().st_size, last.offset + (last.length or 0)
        cut = None
        if last.length is None or size < end:
            cut = last.offset if size > last.offset else None
        elif size > end:
            with open(path, "rb") as fh:
                fh.seek(end)
                if not _whole_gzip_members(fh.read()):
                    cut = end
        if cut is not None:
            with open(path, "r+b") as fh:
                fh.truncate(cut)

    def _records(self, writer, url, when, status, response_headers, body, request_headers, method,
                 revisit_of, as_received, protocol, digest, into: io.BytesIO) -> tuple[WarcPointer, Capture]:
        """The response (or revisit) and request records into `into`; where the response record
        will be in the file and the capture it is."""
        base = self._fh.tell()
        date = _warc_date(when)
        drop = _FRAMING_HEADERS if as_received else _TRANSFER_HEADERS
        headers = [(k, v) for k, v in response_headers if k.lower() not in drop]
        headers.append(("Content-Length", str(len(body))))
        http_headers = StatusAndHeaders(_reason(status), headers, protocol=protocol or "HTTP/1.1")
        digest = digest or payload_digest(body)
        target = self._revisit_target(revisit_of, digest)
        if target is not None:
            record = writer.create_revisit_record(
                url, digest, target.uri, target.date,
                http_headers=http_headers, warc_headers_dict={"WARC-Date": date},
            )
            if target.record_id:
                record.rec_headers.add_header("WARC-Refers-To", target.record_id)
        else:
            record = writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), length=len(body), http_headers=http_headers,
                # given, so warcio reads the body once (for the block digest) instead of twice
                warc_headers_dict={"WARC-Date": date, "WARC-Payload-Digest": digest},
            )
        record_id = record.rec_headers.get_header("WARC-Record-ID")
        path = url.split("/", 3)[3] if url.count("/") >= 3 else ""
        req_headers = list(request_headers)
        if not any(k.lower() == "host" for k, _ in req_headers) and "://" in url:
            req_headers.insert(0, ("Host", url.split("/", 3)[2]))
        req = StatusAndHeaders(f"{method} /{path} {protocol or 'HTTP/1.1'}", req_headers, is_http_request=True)
        request = writer.create_warc_record(
            url, "request", http_headers=req,
            warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": record_id},
        )
        offset = base + into.tell()
        writer.write_record(record)
        length = base + into.tell() - offset
        writer.write_record(request)
        return WarcPointer(self._name, offset, length), target or Capture(url, date, record_id, digest)

    def capture(self, pointer: WarcPointer | tuple[str, int]) -> Capture:
        """The capture a revisit of the record at `pointer` names (a revisit leads to its original)."""
        with self._lock:
            return self._capture(pointer_key(pointer))

    def _remember(self, key: tuple[str, int], capture: Capture) -> None:
        self._captures[key] = capture
        self._captures.move_to_end(key)
        while len(self._captures) > _CACHE_SIZE:
            self._captures.popitem(last=False)

    def _capture(self, key: tuple[str, int]) -> Capture:
        found = self._captures.get(key)
        if found is None:
            if self._fh is not None and key[0] == self._name:
                self._fh.flush()
            found = capture_at(self.directory, key)
            self._remember(key, found)
        return found

    def _revisit_target(self, revisit_of, digest: str) -> Capture | None:
        if revisit_of is None:
            return None
        if isinstance(revisit_of, Capture):
            target = revisit_of
        elif _is_legacy_target(revisit_of):
            return Capture(revisit_of[0], _warc_date(revisit_of[1]))
        else:
            try:
                target = self._capture(pointer_key(revisit_of))
            except (OSError, ValueError, EOFError, LookupError) as exc:   # gone, truncated, not a capture
                import logging
                logging.getLogger(__name__).warning("revisit target %s unreadable (%s): writing a full record",
                                                    revisit_of, exc)
                return None
        if target.payload_digest is not None and target.payload_digest != digest:
            return None      # not the same payload after all (another encoding, other bytes)
        return target


def _whole_gzip_members(data: bytes) -> bool:
    """Whether `data` is gzip members, each complete (a record's, whole)."""
    while data:
        member = zlib.decompressobj(wbits=31)
        try:
            member.decompress(data)
        except zlib.error:
            return False
        if not member.eof:
            return False
        data = member.unused_data
    return True


def capture_at(directory: Path, pointer: WarcPointer | tuple[str, int]) -> Capture:
    """The capture a revisit of the record at `pointer` names: the record itself if it is a
    response, its original if it is a revisit."""
    from warcio.archiveiterator import ArchiveIterator
    name, offset = pointer_key(pointer)
    with open(Path(directory) / name, "rb") as fh:
        fh.seek(offset)
        for record in ArchiveIterator(fh):
            h = record.rec_headers
            digest = h.get_header("WARC-Payload-Digest")
            if record.rec_type == "revisit":
                uri, date = h.get_header("WARC-Refers-To-Target-URI"), h.get_header("WARC-Refers-To-Date")
                if not uri or not date:
                    raise LookupError(f"revisit at {name}:{offset} names no capture")
                return Capture(uri, date, h.get_header("WARC-Refers-To"), digest)
            if record.rec_type != "response":
                raise LookupError(f"{record.rec_type} record at {name}:{offset}, not a response")
            return Capture(h.get_header("WARC-Target-URI"), h.get_header("WARC-Date"), h.get_header("WARC-Record-ID"),
                           digest)
    raise LookupError(f"no WARC record at {name}:{offset}")


# Each record's gzip member is deflated by ISA-L (the `isal` package: standard gzip, read by every
# WARC tool) at its highest level. Measured on the 181 corpus pages (175 KB mean): zlib at warcio's
# level 9 5.2 ms a page, zlib 6 2.9 ms (compressed to 19.8 %), zlib 1 1.0 ms (23.5 %), ISA-L 3
# 0.57 ms (22.0 %), ISA-L 1 0.25 ms (23.1 %), zlib-ng 6 1.5 ms (19.9 %). Deflate was the crawl
# process's largest cost per new article; 11 % more WARC bytes than zlib 6 buys 2.3 ms a page.
GZIP_LEVEL = isal_zlib.ISAL_BEST_COMPRESSION


class _GzipMember(GzippingWrapper):
    def __init__(self, out):
        super().__init__(out)
        self.compressor = isal_zlib.compressobj(GZIP_LEVEL, isal_zlib.DEFLATED, isal_zlib.MAX_WBITS + 16)


class _Writer(WARCWriter):
    """warcio's writer with ISA-L's deflate instead of zlib at 9 (one gzip member per record)."""

    def _write_warc_record(self, out, record):
        if not self.gzip:
            return super()._write_warc_record(out, record)
        self.gzip = False
        try:
            return super()._write_warc_record(_GzipMember(out), record)
        finally:
            self.gzip = True
