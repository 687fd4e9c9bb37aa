"""The response as it came off the wire, kept for the WARC file.

Scrapy's HttpCompressionMiddleware (priority 590) decodes the body and drops Content-Encoding
before the spider sees the response. `RawCaptureMiddleware` sits just above it (595, below
RedirectMiddleware's 600): process_response runs from the downloader towards the engine in
decreasing priority order, so it sees every final response first, exactly as the download
handler delivered it, and stashes status, protocol, headers and body in `request.meta`
(`response.meta` in the callback). Redirect hops (3xx followed by RedirectMiddleware) are not
stashed; their final response is.

What "as received" means here: the body with its Content-Encoding intact (gzip, br, deflate,
zstd as sent); Transfer-Encoding: chunked is removed by Twisted, as WARC practice expects of a
de-chunked payload. Headers are the ones Twisted delivered, names canonicalised by it; Twisted
keeps Content-Length, Transfer-Encoding and Connection apart (connection control), so the WARC
writer states the Content-Length of the payload it stores. The reason phrase is not kept by
Scrapy: the status line gets the standard one.

`of(response)` is what the spider calls: the stashed capture of this very response, or one made
from the response itself when nothing was stashed (a response built in a test, a middleware
that answered without downloading).
"""
from __future__ import annotations

from dataclasses import dataclass, field

META_KEY = "wirewatch_raw"


@dataclass
class RawCapture:
    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes                              # the entity body as received: Content-Encoding intact
    protocol: str = "HTTP/1.1"
    request_headers: list[tuple[str, str]] = field(default_factory=list)   # as sent

    @property
    def content_encoding(self) -> str | None:
        for name, value in self.headers:
            if name.lower() == "content-encoding":
                return value
        return None


def _pairs(headers) -> list[tuple[str, str]]:
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, values in headers.items() for v in values]


def _protocol(response) -> str:
    protocol = getattr(response, "protocol", None) or "HTTP/1.1"
    return protocol if protocol.upper().startswith("HTTP/") else "HTTP/1.1"


def capture(request, response) -> RawCapture:
    return RawCapture(response.url, response.status, _pairs(response.headers), response.body,
                      _protocol(response), _pairs(request.headers))


class RawCaptureMiddleware:
    """Stash the raw response in request.meta[META_KEY] before anything decodes it."""

    def process_response(self, request, response, spider=None):
        request.meta[META_KEY] = capture(request, response)
        return response


def of(response) -> RawCapture:
    """The capture of this response as received (see the module docstring)."""
    try:
        raw = response.meta.get(META_KEY)
    except AttributeError:          # a Response not tied to a request
        raw = None
    if raw is not None and raw.url == response.url and raw.status == response.status:
        return raw
    request = getattr(response, "request", None)
    return RawCapture(response.url, response.status, _pairs(response.headers), response.body, _protocol(response),
                      _pairs(request.headers) if request is not None else [])
