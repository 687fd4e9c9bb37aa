"""Discovery parsing: feeds, sitemaps and listing pages -> (article URL, modified-at signal).

Plain functions over bytes, so they are tested on the real feeds and sitemaps in shared/corpus.
Feeds go through feedparser (RSS 0.9x/1.0/2.0, Atom, odd encodings); sitemaps through Scrapy's
own `Sitemap` (the one SitemapSpider uses), gzip included; listing pages through Scrapy's
`LinkExtractor` (the page's charset as Scrapy reads it: header, BOM, <meta>).
"""
from __future__ import annotations

import calendar
import re
import warnings
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Iterable, Iterator
from urllib.parse import urldefrag, urljoin
from zoneinfo import ZoneInfo

import feedparser
from dateutil.parser import isoparse
from scrapy.http import HtmlResponse
from scrapy.link import Link
from scrapy.linkextractors import LinkExtractor
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap


def parse_datetime(text: str | None, zone: str | None = None) -> datetime | None:
    """A sitemap <lastmod> (W3C datetime, or a bare date) as an aware UTC datetime; one without
    an offset is in `zone` (an IANA name: the seed's `[article] timezone`), else UTC."""
    if not text:
        return None
    try:
        value = isoparse(text.strip())
    except (ValueError, OverflowError):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(zone) if zone else timezone.utc)
    return value.astimezone(timezone.utc)


def clean_url(url: str, base: str | None = None) -> str:
    url = urljoin(base, url.strip()) if base else url.strip()
    return urldefrag(url)[0]


def _struct_time(value) -> datetime | None:
    if not value:
        return None
    return datetime.fromtimestamp(calendar.timegm(value), tz=timezone.utc)


def feed_entries(body: bytes, base_url: str) -> list[tuple[str, datetime | None]]:
    """Links of a feed's items with the item's updated (else published) time."""
    parsed = feedparser.parse(body, response_headers={"content-location": base_url})
    out = []
    for entry in parsed.entries:
        link = entry.get("link") or entry.get("id")
        if not link:
            continue
        when = _struct_time(_get(entry, "updated_parsed")) or _struct_time(entry.get("published_parsed"))
        out.append((clean_url(link, base_url), when))
    return out


def _get(entry, key):
    # feedparser warns when "updated" silently falls back to "published"; we ask for both anyway
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return entry.get(key)


def sitemap_entries(body: bytes, zone: str | None = None) -> tuple[str, list[tuple[str, datetime | None]]]:
    """('sitemapindex' | 'urlset', [(loc, lastmod)]); ('invalid', []) when it is not a sitemap.
    `zone`: where an offset-less lastmod is (see parse_datetime)."""
    if body[:2] == b"\x1f\x8b":
        try:
            body = gunzip(body, max_size=64 * 1024 * 1024)
        except Exception:
            return "invalid", []
    try:
        sitemap = Sitemap(body)
    except Exception:
        return "invalid", []
    out = []
    for entry in sitemap:
        loc = entry.get("loc")
        if loc:
            out.append((clean_url(loc), parse_datetime(entry.get("lastmod"), zone)))
    return (sitemap.type if sitemap.type in ("sitemapindex", "urlset") else "invalid"), out


def listing_links(page: HtmlResponse | bytes, url: str | None = None, pattern: str | re.Pattern | None = None,
                  headers: Mapping[str, str] | None = None, unique: bool = True) -> list[Link]:
    """The links of a listing page whose absolute URL matches `pattern` (a seed's article
    pattern), in page order, with their anchor text; each URL once unless `unique` is false.
    `page` is a Scrapy response or the page's bytes (then `url` is where it was fetched from, for
    relative links, and `headers` its response headers, for the charset)."""
    if not isinstance(page, HtmlResponse):
        page = HtmlResponse(url or "", body=page, headers=dict(headers or {}))
    allow = pattern.pattern if isinstance(pattern, re.Pattern) else (pattern or ())
    return LinkExtractor(allow=allow, unique=unique).extract_links(page)


def article_links(entries: Iterable[tuple[str, datetime | None]], is_article) -> Iterator[tuple[str, datetime | None]]:
    seen = set()
    for url, when in entries:
        if url not in seen and is_article(url):
            seen.add(url)
            yield url, when
