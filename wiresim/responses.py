"""What the server sends, and the conditional-request rules every page kind shares (the classic
site's pages and every persona's). Kept apart from server.py so persona sites build responses
the same way without reaching into the request handler."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from email.utils import format_datetime, parsedate_to_datetime

HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict = field(default_factory=dict)
    validated: bool = False    # carries ETag/Last-Modified of the article or listing


def not_modified(request_headers, etag: str, modified) -> bool:
    """RFC 9110: If-None-Match wins; If-Modified-Since only when it is absent."""
    if_none_match = request_headers.get("If-None-Match")
    if if_none_match is not None:
        tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
        return "*" in tags or etag in tags
    since = request_headers.get("If-Modified-Since")
    if since:
        try:
            return modified <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


def validated(request_headers, body: bytes, content_type: str, key: str, version: int, modified,
              conditional: bool, max_age: int = 30) -> Response:
    """A listing, feed or sitemap: ETag per (key, site version), Last-Modified the site's."""
    etag = '"' + hashlib.sha1(f"{key}:{version}".encode()).hexdigest()[:16] + '"'
    headers = {"ETag": etag, "Last-Modified": format_datetime(modified, usegmt=True),
               "Cache-Control": f"public, max-age={max_age}"}
    if conditional and not_modified(request_headers, etag, modified):
        return Response(304, b"", headers, validated=True)
    return Response(200, body, {"Content-Type": content_type, **headers}, True)


def article_validators(etag: str, modified) -> dict:
    return {"ETag": etag, "Last-Modified": format_datetime(modified, usegmt=True),
            "Cache-Control": "public, max-age=60"}
