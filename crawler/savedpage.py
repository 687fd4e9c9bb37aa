"""A seed tried on a saved page, offline: what the crawler would extract from an article page,
and which article links (with their ids) it would take from a listing page.

Both go through the code the crawl uses: `crawler.extract.extract` with the seed's drop rules and
time zone; discovery's `listing_links` (Scrapy's LinkExtractor allowed by the seed's pattern, as
the spider's `parse_listing` configures it), then `article_links`, the seed's domains and its id,
as the spider's `_discovered` keys what it finds. `wirewatch extract FILE --source S [--links]`
prints them.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from archive.snapshot import Snapshot

from .discovery import article_links, listing_links
from .extract import extract
from .extraction.charset import decode_html
from .extraction.dom import parse_html
from .seeds import Seed


@dataclass(frozen=True)
class FoundArticle:
    """An article discovery takes from a page: its id, the first URL seen for it and the longest
    anchor text of the links to that URL (a story is often linked by its picture, its section
    and its headline)."""
    id: str
    url: str
    text: str


def extract_page(body: bytes, url: str, seed: Seed, headers: Mapping[str, str] | None = None) -> Snapshot:
    """The snapshot the crawler makes of this page for `seed` (its drop rules and time zone)."""
    return extract(body, url, headers, seed.drop, timezone=seed.timezone)


def page_articles(body: bytes, url: str, seed: Seed, headers: Mapping[str, str] | None = None) -> list[FoundArticle]:
    """The articles discovery takes from a listing page, one per id, in page order: links
    matching the seed's pattern, inside its domains, keyed by its id (the spider's rule)."""
    every_link = listing_links(body, url, seed.pattern, headers, unique=False)
    text: dict[str, str] = {}
    for link in every_link:
        words = " ".join(link.text.split())
        if len(words) > len(text.get(link.url, "")):
            text[link.url] = words
    links = ((link.url, None) for link in every_link)    # article_links keeps each URL once, as the spider's extractor does
    found: dict[str, FoundArticle] = {}
    for link_url, _ in article_links(links, seed.is_article):
        key = seed.article_key(link_url)
        if key is not None and seed.in_domains(link_url) and key not in found:
            found[key] = FoundArticle(key, link_url, text.get(link_url, ""))
    return list(found.values())


def declared_url(body: bytes, headers: Mapping[str, str] | None = None) -> str | None:
    """Where a saved page says it lives: <link rel=canonical>, else og:url; None if neither is
    an absolute http(s) URL."""
    tree = parse_html(decode_html(body, headers))
    if tree is None:
        return None
    candidates = [link.get("href") for link in tree.iter("link") if "canonical" in (link.get("rel") or "").lower().split()]
    candidates += [meta.get("content") for meta in tree.iter("meta") if (meta.get("property") or "").lower() == "og:url"]
    for value in candidates:
        value = "".join((value or "").split())    # a stray newline in a URL is not part of it
        parts = urlsplit(value)
        if parts.scheme in ("http", "https") and parts.hostname:
            return value if parts.path else urljoin(value, "/")
    return None
