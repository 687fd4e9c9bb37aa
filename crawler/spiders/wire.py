"""The one spider, driven by a seed. It only discovers and requests:

- mode "discover": feeds, sitemaps (and indexes) and listing pages -> article URLs matching the
  seed's pattern; new articles are fetched, known ones only get their "modified at" signal noted;
- mode "recheck": known articles that are due (most overdue first), or all with all=1, fetched
  with If-None-Match / If-Modified-Since from the last capture.

One request per new article. A capture that differs from the latest version is fetched again
(archive.revision.judge says when): lines that differ between the fetches are rotating
boilerplate, evidence for the archive's noise learning. What is a new version is decided by the
archive, with the same function.
"""
from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import datetime, timezone

import scrapy
from scrapy.exceptions import IgnoreRequest

from archive import revision
from archive.noise import Noise
from archive.records import FetchResult
from archive.store import Archive
from archive.warc import payload_digest
from crawler import rawcapture
from crawler.discovery import article_links, feed_entries, listing_links, sitemap_entries
from crawler.politeness import RobotsDisallowed, SourceDeferred
from crawler.items import Exchange, FetchItem, SignalItem
from crawler.seeds import Seed
from crawler.spiders.snapshots import SnapshotSteps


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


class WireSpider(SnapshotSteps, scrapy.Spider):
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
        self.known_urls: dict[str, str] = {}      # current URL -> key of the known article there
        self.noise = Noise()          # the source's learned noise, as the crawl started
        self.containers: Counter[str] = Counter()   # body containers seen on this source's pages
        self.requested: set[str] = set()

    @property
    def job(self) -> str:
        return "crawl" if self.mode == "discover" else "recheck"

    def _setting(self, name, default=None):
        return self.crawler.settings.get(name, default)

    async def start(self):
        archive = self.archive = Archive(self._setting("WIREWATCH_ARCHIVE"))
        source = self.seed.name
        self.noise = Noise(await asyncio.to_thread(archive.noise, source))
        if self.mode == "recheck":
            due = await asyncio.to_thread(archive.known, source, all_=self.all, limit=self.limit, with_latest=True,
                                          keys=self.keys if not self.all else None)
            if self.keys and not self.all:
                order = {k: i for i, k in enumerate(self.keys)}
                due.sort(key=lambda a: order.get(a.key, len(order)))
            self.logger.info("recheck %s: %d articles %s", source, len(due), "in all" if self.all else "due")
            for art in due:     # gone and redirected ones too, slowly: a restoration must be seen
                self.known[art.key] = art
                yield self.article_request(art.url, art.key, art)
            return
        self.known = {a.key: a for a in await asyncio.to_thread(archive.known, source, all_=True)}
        # An article followed to a new URL keeps its id; a site whose id is in the slug (Reuters)
        # then lists that URL under another id: it is the known article, not a new one.
        self.known_urls = {a.url: a.key for a in self.known.values()}
        # What an earlier run discovered and never fetched (it was killed): first.
        for article_id, url in await asyncio.to_thread(archive.frontier, source):
            key = article_id.split(":", 1)[1]
            if key not in self.known and key not in self.requested:
                self.requested.add(key)
                yield self.article_request(url, key, None)
        for url in self.seed.feeds:
            yield scrapy.Request(url, callback=self.parse_feed, errback=self.listing_failed)
        for url in self.seed.sitemaps:
            yield scrapy.Request(url, callback=self.parse_sitemap, errback=self.listing_failed)
        for url in self.seed.pages:
            yield scrapy.Request(url, callback=self.parse_listing, errback=self.listing_failed)

    # -- discovery ---------------------------------------------------------------------------
    async def parse_feed(self, response):
        async for out in self._discovered(article_links(feed_entries(response.body, response.url),
                                                         self.seed.is_article), response.url):
            yield out

    async def parse_sitemap(self, response):
        kind, entries = sitemap_entries(response.body, self.seed.timezone)
        if kind == "sitemapindex":
            for loc, _ in entries:
                if self.seed.in_domains(loc):
                    yield scrapy.Request(loc, callback=self.parse_sitemap, errback=self.listing_failed)
        elif kind == "urlset":
            async for out in self._discovered(article_links(entries, self.seed.is_article), response.url):
                yield out
        else:
            self.logger.warning("not a sitemap: %s", response.url)

    async def parse_listing(self, response):
        links = ((link.url, None) for link in listing_links(response, pattern=self.seed.pattern))
        async for out in self._discovered(article_links(links, self.seed.is_article), response.url):
            yield out

    def listing_failed(self, failure):
        self.logger.warning("discovery request failed: %s: %s", failure.request.url, failure.getErrorMessage())

    async def _discovered(self, links, found_on: str):
        """New articles are stored in the archive's frontier before they are requested, so a
        crash at any point loses none; known ones only have their "modified at" signal noted."""
        signals, fresh = [], []
        for url, modified in links:
            key = self.seed.article_key(url)
            if key is None or not self.seed.in_domains(url):
                continue
            key = self.known_urls.get(url, key)
            if key in self.known:
                if modified is not None:
                    signals.append((key, url, modified))
            elif key not in self.requested:
                if self.limit and len(self.requested) >= self.limit:
                    continue
                self.requested.add(key)
                fresh.append((key, url))
        if fresh:
            source = self.seed.name
            await asyncio.to_thread(self.archive.add_to_frontier, source,
                                    [(f"{source}:{key}", url, found_on) for key, url in fresh])
            for key, url in fresh:
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
        if failure.check(SourceDeferred):      # never sent (Retry-After): the article stays due
            if first is not None:
                yield first
            return
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
        if failure.check(RobotsDisallowed):
            result.disallowed = True
            result.robots_digest = failure.value.digest
            result.error = f"disallowed by robots.txt ({failure.value.robots_url})"
        if first is not None:  # the change stands unconfirmed: keeping it beats missing an edit
            first.result.confirms.append(result)
            yield first
            return
        yield FetchItem(result)

    async def parse_article(self, response):
        request = response.request
        when = _utcnow()
        known = response.meta.get("known")
        first = response.meta.get("confirm_of")
        redirects = response.meta.get("redirect_urls") or []
        requested = redirects[0] if redirects else response.url
        result = self._result(request, known.url if known else requested, when)
        result.http_status = response.status
        result.bytes = len(response.body)
        if response.url != result.url:
            result.final_url = response.url
        result.etag = (response.headers.get(b"ETag") or b"").decode("latin-1") or None
        result.last_modified = (response.headers.get(b"Last-Modified") or b"").decode("latin-1") or None
        raw = rawcapture.of(response)       # as received: Content-Encoding intact (crawler/rawcapture.py)
        digest = payload_digest(raw.body) if response.status == 200 else None
        result.payload_digest = digest
        revisit = None
        if known is not None and digest and digest == known.payload_digest:
            revisit = known.payload_warc        # the record holding this payload; checked when written
        exchange = Exchange(response.url, when, response.status, _headers(response.headers), response.body,
                            _headers(request.headers), revisit, raw=raw)
        try:
            if response.status == 200:
                await self._extract(response, result, exchange, known, first)
                if self._proved_unchanged(result, known, first):
                    exchange = None      # the fetch row and its payload digest are the proof
            if first is not None:
                out = self._confirmed(first, result, exchange, known)
            else:
                out = item = FetchItem(result, exchange)
                await self._baseline(result, known)
                verdict = self._verdict(result, known)
                if verdict == revision.CONFIRM:
                    out = self.article_request(response.url, result.article_key, known, confirm_of=item)
                elif (verdict == revision.UNCHANGED and exchange is not None and result.baseline is None
                      and not self._keep_unchanged()):
                    # unchanged under the noise the crawl knows: the write decides, and writes
                    # the raw capture only if it makes more of it (archive/writer.py _keep_held)
                    result.held_raw, item.exchange = exchange, None
        except Exception as exc:         # a bug here must not lose the response: an error fetch
            self.logger.exception("handling %s failed", response.url)
            result.snapshot = None
            result.error = f"not handled: {type(exc).__name__}: {exc}".splitlines()[0][:500]
            if first is not None:
                if not any(c is result for c in first.result.confirms):
                    first.result.confirms.append(result)
                    first.confirm_exchanges.append(exchange)
                out = first
            else:
                out = FetchItem(result, exchange)
        yield out

    def _proved_unchanged(self, result: FetchResult, known, first) -> bool:
        """The same bytes as last time, the same body region, or an extraction equal to the
        latest version in every compared field: no raw capture is needed (the seed's [archive]
        keep_unchanged keeps one anyway)."""
        if first is not None or known is None or not known.versions or self._keep_unchanged():
            return False
        if result.final_url and result.final_key != result.article_key:
            return False
        same_bytes = result.payload_digest is not None and result.payload_digest == known.payload_digest
        snap = result.snapshot
        if same_bytes or (snap is not None and snap.probe_only):
            return True
        # (Pages without a region fingerprint were kept whole on every re-check: 110 of 1,000 in
        # make bench, the archive's largest cost per unchanged re-check.)
        return snap is not None and revision.same_as_latest(known.latest, snap)

    def _verdict(self, result: FetchResult, known) -> str | None:
        """What revision.judge makes of a re-check's capture (CONFIRM: fetch it again, only a
        detected change is; UNCHANGED); None when there is nothing to judge (a first capture is
        a version at once, a probe-only capture was decided by its fingerprint)."""
        snap = result.snapshot
        if (not self.crawler.settings.getbool("WIREWATCH_CONFIRM_CHANGES") or snap is None or not snap.is_article
                or snap.probe_only or known is None or not known.latest):
            return None
        if result.final_url and result.final_key != result.article_key:
            return None
        return revision.judge(known.latest, [revision.fields(snap)], self._noise(known), final=False).outcome

    def _keep_unchanged(self) -> bool:
        """The seed's [archive] keep_unchanged: a raw capture of every fetch, unchanged ones too."""
        return self.crawler.settings.getbool("WIREWATCH_KEEP_UNCHANGED")

    def _confirmed(self, first: FetchItem, again: FetchResult, exchange: Exchange, known):
        """Another capture of a detected change: the archive decides with all of them; fetch
        once more only when revision.judge asks for it."""
        first.result.confirms.append(again)
        first.confirm_exchanges.append(exchange)
        snaps = [first.result.snapshot, *(c.snapshot for c in first.result.confirms)]
        if not all(s is not None and s.is_article for s in snaps):
            return first
        verdict = revision.judge(known.latest, [revision.fields(s) for s in snaps], self._noise(known), final=False)
        if verdict.outcome == revision.CONFIRM:
            return self.article_request(again.final_url or again.url, first.result.article_key, known, confirm_of=first)
        if (verdict.outcome == revision.UNCHANGED and first.result.baseline is None and not self._keep_unchanged()
                and first.exchange is not None and all(e is not None for e in first.confirm_exchanges)):
            # the detected change was rotation: every capture of the check is held, as above
            first.result.held_raw, first.exchange = first.exchange, None
            for result, held in zip(first.result.confirms, first.confirm_exchanges):
                result.held_raw = held
            first.confirm_exchanges = []
        return first
