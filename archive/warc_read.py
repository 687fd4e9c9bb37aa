"""Reading WARC records back: a response's headers and body as the crawl's extractor saw them
(re-extraction, replay checks), its Content-Encoding undone the way Scrapy's
HttpCompressionMiddleware undoes it for the crawl. Writing is archive/warc.py."""
from __future__ import annotations

import gzip
import io
import struct
import zlib
from pathlib import Path

from .warc import WarcPointer, pointer_key


# -- Content-Encoding, decoded the way Scrapy's HttpCompressionMiddleware does for the crawl ------

def _gunzip(data: bytes) -> bytes:
    """As much as can be had (truncated or CRC-broken members keep what came before)."""
    f = gzip.GzipFile(fileobj=io.BytesIO(data))
    out = io.BytesIO()
    while True:
        try:
            chunk = f.read1(65536)
        except (OSError, EOFError, struct.error):
            if out.getbuffer().nbytes > 0:
                break
            raise
        if not chunk:
            break
        out.write(chunk)
    return out.getvalue()


def _inflate(data: bytes) -> bytes:
    try:
        return zlib.decompressobj().decompress(data)
    except zlib.error:
        return zlib.decompressobj(wbits=-15).decompress(data)   # raw deflate, as some servers send


def _unbrotli(data: bytes) -> bytes:
    try:
        import brotli
    except ImportError:
        import brotlicffi as brotli
    return brotli.decompress(data)


def _unzstd(data: bytes) -> bytes:
    try:
        from compression import zstd   # Python 3.14+
        return zstd.decompress(data)
    except ImportError:
        import zstandard
        return zstandard.ZstdDecompressor().decompressobj().decompress(data)


_DECODERS = {"gzip": _gunzip, "x-gzip": _gunzip, "deflate": _inflate, "br": _unbrotli, "zstd": _unzstd}


def decode_content(body: bytes, content_encoding: str | None) -> tuple[bytes, list[str]]:
    """(decoded body, codings left undecoded). Codings are undone last-applied first; an unknown
    or undecodable one stops there and is returned, as Scrapy leaves it in the header."""
    codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    while codings:
        coding = codings[-1]
        if coding == "identity":
            codings.pop()
            continue
        decoder = _DECODERS.get(coding)
        if decoder is None:
            break
        try:
            body = decoder(body)
        except Exception:   # a missing library, a broken stream: keep the bytes as they are
            break
        codings.pop()
    return body, codings


def read_response(directory: Path, pointer: WarcPointer | tuple[str, int]):
    """(headers list, body bytes, target URI, record type) of the record at a pointer -- for
    re-extraction. The body is the payload with its Content-Encoding (and any chunking) undone,
    as the crawl's extractor saw it; the headers are the record's, less the codings undone."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.bufferedreaders import ChunkedDataReader
    name, offset = pointer_key(pointer)
    with open(Path(directory) / name, "rb") as fh:
        fh.seek(offset)
        for record in ArchiveIterator(fh):
            uri = record.rec_headers.get_header("WARC-Target-URI")
            if not record.http_headers:
                return [], record.raw_stream.read(), uri, record.rec_type
            headers = list(record.http_headers.headers)
            chunked = (record.http_headers.get_header("Transfer-Encoding") or "").lower() == "chunked"
            body = (ChunkedDataReader(record.raw_stream) if chunked else record.raw_stream).read()
            encoding = record.http_headers.get_header("Content-Encoding")
            left = []
            if encoding:
                body, left = decode_content(body, encoding)
            headers = [(k, v) for k, v in headers if k.lower() != "content-encoding" and
                       not (chunked and k.lower() == "transfer-encoding")]
            if left:
                headers.append(("Content-Encoding", ", ".join(left)))
            return headers, body, uri, record.rec_type
    raise FileNotFoundError(f"no WARC record at {name}:{offset}")
