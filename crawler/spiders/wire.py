"""The one spider, driven by a seed. It only discovers and requests:

- mode "discover": feeds, sitemaps (and indexes) and listing pages -> article URLs matching the
  seed's pattern; new articles are fetched, known ones only get their "modified at" signal noted;
- mode "recheck": known articles that are due (most overdue first), or all with all=1, fetched
  with If-None-Match / If-Modified-Since from the last capture.

A capture whose content differs from the latest version (or a first capture) is fetched a second
time: lines that differ between the two fetches are rotating boilerplate, learned per source and
left out of the content from then on. What is a new version is decided by the archive.
"""
from __future__ import annotations

import asyncio
import time
from datetime import datetime, timezone

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.linkextractors import LinkExtractor

from archive import normalize
from archive.records import FetchResult
from archive.store import Archive
from archive.warc import payload_digest
from archive.writer import version_fields
from crawler.discovery import article_links, feed_entries, sitemap_entries
from crawler.extract_pool import extract_async
from crawler.items import Exchange, FetchItem, SignalItem
from crawler.seeds import Seed


def spider_for(seed: Seed) -> type["WireSpider"]:
    return type(f"WireSpider_{seed.name}", (WireSpider,),
                {"name": seed.name, "seed": seed, "custom_settings": seed.scrapy_settings()})


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _headers(headers) -> list[tuple[str, str]]:
    out = []
    for key, values in headers.items():
        for value in values:
            out.append((key.decode("latin-1"), value.decode("latin-1")))
    return out


class WireSpider(scrapy.Spider):
    seed: Seed

    def __init__(self, mode: str = "discover", all: str | bool = False, limit: str | int | None = None,
                 keys: list[str] | None = None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if mode not in ("discover", "recheck"):
            raise ValueError(f"mode must be 'discover' or 'recheck', not {mode!r}")
        self.mode = mode
        self.all = str(all).lower() in ("1", "true", "yes")
        self.limit = int(limit) if limit else None
        self.keys = keys     # recheck exactly these (chosen by the re-check policy), in this order
        self.allowed_domains = list(self.seed.domains)
        self.known: dict = {}
        self.volatile: set[str] = set()
        self.requested: set[str] = set()
        self.links = LinkExtractor(allow=self.seed.pattern.pattern, unique=True)

    @property
    def job(self) -> str:
        return "crawl" if self.mode == "discover" else "recheck"

    def _setting(self, name, default=None):
        return self.crawler.settings.get(name, default)

    async def start(self):
        archive = Archive(self._setting("WIREWATCH_ARCHIVE"))
        source = self.seed.name
        self.volatile = await asyncio.to_thread(archive.volatile_keys, source)
        if self.mode == "recheck":
            due = await asyncio.to_thread(archive.known, source, all_=self.all, limit=self.limit, with_latest=True,
                                          keys=self.keys if not self.all else None)
            if self.keys and not self.all:
                order = {k: i for i, k in enumerate(self.keys)}
                due.sort(key=lambda a: order.get(a.key, len(order)))
            self.logger.info("recheck %s: %d articles %s", source, len(due), "in all" if self.all else "due")
            for art in due:
                if art.status in ("gone", "redirected") and not self.all:
                    continue
                self.known[art.key] = art
                yield self.article_request(art.url, art.key, art)
            return
        self.known = {a.key: a for a in await asyncio.to_thread(archive.known, source, all_=True)}
        for url in self.seed.feeds:
            yield scrapy.Request(url, callback=self.parse_feed, errback=self.listing_failed)
        for url in self.seed.sitemaps:
            yield scrapy.Request(url, callback=self.parse_sitemap, errback=self.listing_failed)
        for url in self.seed.pages:
            yield scrapy.Request(url, callback=self.parse_listing, errback=self.listing_failed)

    # -- discovery ---------------------------------------------------------------------------
    def parse_feed(self, response):
        yield from self._discovered(article_links(feed_entries(response.body, response.url), self.seed.is_article))

    def parse_sitemap(self, response):
        kind, entries = sitemap_entries(response.body)
        if kind == "sitemapindex":
            for loc, _ in entries:
                if self.seed.in_domains(loc):
                    yield scrapy.Request(loc, callback=self.parse_sitemap, errback=self.listing_failed)
        elif kind == "urlset":
            yield from self._discovered(article_links(entries, self.seed.is_article))
        else:
            self.logger.warning("not a sitemap: %s", response.url)

    def parse_listing(self, response):
        links = ((link.url, None) for link in self.links.extract_links(response))
        yield from self._discovered(article_links(links, self.seed.is_article))

    def listing_failed(self, failure):
        self.logger.warning("discovery request failed: %s: %s", failure.request.url, failure.getErrorMessage())

    def _discovered(self, links):
        signals = []
        for url, modified in links:
            key = self.seed.article_key(url)
            if key is None or not self.seed.in_domains(url):
                continue
            if key in self.known:
                if modified is not None:
                    signals.append((key, url, modified))
            elif key not in self.requested:
                if self.limit and len(self.requested) >= self.limit:
                    continue
                self.requested.add(key)
                yield self.article_request(url, key, None)
        if signals:
            yield SignalItem(self.seed.name, signals)

    # -- articles ----------------------------------------------------------------------------
    def article_request(self, url: str, key: str, known, *, confirm_of: FetchItem | None = None):
        headers = {}
        if known is not None and known.versions and confirm_of is None:
            if known.etag:
                headers["If-None-Match"] = known.etag
            if known.last_modified:
                headers["If-Modified-Since"] = known.last_modified
        meta = {"key": key, "known": known, "started": time.monotonic()}
        if confirm_of is not None:
            meta["confirm_of"] = confirm_of
        return scrapy.Request(url, headers=headers, callback=self.parse_article, errback=self.fetch_failed,
                              meta=meta, dont_filter=confirm_of is not None or self.mode == "recheck",
                              priority=10 if confirm_of is not None else 0)

    def _result(self, request, url: str, when: datetime) -> FetchResult:
        key = request.meta["key"]
        elapsed = (time.monotonic() - request.meta["started"]) * 1000
        return FetchResult(source=self.seed.name, url=url, article_key=key, fetched_at=when, elapsed_ms=round(elapsed, 1))

    def fetch_failed(self, failure):
        request = failure.request
        first = request.meta.get("confirm_of")
        reason = f"{failure.type.__name__}: {failure.getErrorMessage()}".splitlines()[0][:500]
        redirects = request.meta.get("redirect_urls") or []
        result = self._result(request, request.meta.get("known").url if request.meta.get("known") else
                              (redirects[0] if redirects else request.url), _utcnow())
        result.error = reason
        if failure.check(IgnoreRequest) and redirects and not self.seed.in_domains(request.url):
            # Scrapy's OffsiteMiddleware refused where the redirect led: record where that was
            result.http_status = (request.meta.get("redirect_reasons") or [301])[-1]
            result.final_url = request.url
            result.error = f"off-site redirect refused: {request.url}"
        if first is not None:  # the change stands unconfirmed: keeping it beats missing an edit
            first.result.confirms.append(result)
            yield first
            return
        yield FetchItem(result)

    async def parse_article(self, response):
        request = response.request
        when = _utcnow()
        known = response.meta.get("known")
        redirects = response.meta.get("redirect_urls") or []
        requested = redirects[0] if redirects else response.url
        result = self._result(request, known.url if known else requested, when)
        result.http_status = response.status
        result.bytes = len(response.body)
        if response.url != result.url:
            result.final_url = response.url
        result.etag = (response.headers.get(b"ETag") or b"").decode("latin-1") or None
        result.last_modified = (response.headers.get(b"Last-Modified") or b"").decode("latin-1") or None
        digest = payload_digest(response.body) if response.status == 200 else None
        result.payload_digest = digest
        revisit = None
        if known is not None and digest and digest == known.payload_digest and known.last_checked:
            revisit = (known.url, known.last_checked)
        exchange = Exchange(response.url, when, response.status, _headers(response.headers), response.body,
                            _headers(request.headers), revisit)
        if response.status == 200:
            headers = {k: v for k, v in exchange.headers}
            result.snapshot = await extract_async(response.body, response.url, headers, self.seed.drop,
                                                  self.crawler.settings.getint("WIREWATCH_EXTRACT_WORKERS"))
            result.final_key = self._final_key(response.url, result)
        first = response.meta.get("confirm_of")
        if first is not None:
            yield self._confirmed(first, result, exchange, known)
            return
        item = FetchItem(result, exchange)
        await self._baseline(result, known)
        if self._needs_confirmation(result, known):
            yield self.article_request(response.url, result.article_key, known, confirm_of=item)
            return
        yield item

    async def _baseline(self, result: FetchResult, known) -> None:
        """When the latest version was made by another extractor or other drop rules, re-read its
        own capture from WARC with the current ones, so only the publisher's edits count."""
        snap = result.snapshot
        if (snap is None or not snap.is_article or known is None or not known.latest or not known.latest_warc
                or known.latest.get("extractor") == snap.extractor):
            return
        from archive.warc import read_response
        warc_dir = Archive(self._setting("WIREWATCH_ARCHIVE")).warc_dir
        try:
            headers, body, uri, _ = await asyncio.to_thread(read_response, warc_dir, known.latest_warc)
        except OSError as exc:
            self.logger.warning("cannot re-read %s from WARC: %s", known.article_id, exc)
            return
        baseline = await extract_async(body, uri, dict(headers), self.seed.drop,
                                       self.crawler.settings.getint("WIREWATCH_EXTRACT_WORKERS"))
        from crawler.reextract import drop_rules
        result.baseline = (known.versions, baseline, drop_rules(self.seed))
        frozen = frozenset(self.volatile)
        known.latest = dict(known.latest, **version_fields(baseline, frozen))   # compare with this from now on

    def _final_key(self, url: str, result: FetchResult) -> str | None:
        key = self.seed.article_key(url)
        canonical = result.snapshot.canonical_url if result.snapshot else None
        if key is None and canonical:
            key = self.seed.article_key(canonical)  # a redirect to a non-article URL of the same story
        return key

    def _needs_confirmation(self, result: FetchResult, known) -> bool:
        snap = result.snapshot
        if not self.crawler.settings.getbool("WIREWATCH_CONFIRM_CHANGES") or snap is None or not snap.is_article:
            return False
        if result.final_url and result.final_key != result.article_key:
            return False
        if known is None or not known.latest:
            return True  # a first capture: learn this source's rotating lines right away
        if known.payload_digest and result.payload_digest == known.payload_digest:
            return False
        return self._differs(snap, known)

    def _confirmed(self, first: FetchItem, again: FetchResult, exchange: Exchange, known):
        """Learn the lines that differ between the fetches. A change that two fetches agree on
        gets a third: a rotating teaser shows the same line twice in a row once in ~N fetches
        (N = the size of its pool), which would otherwise pass for an edit."""
        first.result.confirms.append(again)
        first.confirm_exchanges.append(exchange)
        snaps = [first.result.snapshot, *(c.snapshot for c in first.result.confirms)]
        if not all(s is not None and s.is_article for s in snaps):
            return first
        lines = set().union(*(normalize.differing_lines(snaps[0].text, s.text) for s in snaps[1:]))
        if lines:
            first.result.volatile_lines = sorted(lines)
            self.volatile.update(normalize.volatile_keys(lines))
        if len(first.result.confirms) < 2 and known is not None and known.latest and self._differs(snaps[0], known):
            return self.article_request(again.final_url or again.url, first.result.article_key, known, confirm_of=first)
        return first

    def _differs(self, snap, known) -> bool:
        frozen = frozenset(self.volatile)
        return normalize.content_hash(version_fields(snap, frozen), frozen) != normalize.content_hash(known.latest, frozen)
