"""How a re-checked or new article's response becomes a snapshot, as cheaply as it can be had:
the digest, the quick print in this process, the region fingerprint or a full extraction in a
worker, and a re-extraction of the latest version's own capture when the extractor changed.
A mixin of the spider (crawler/spiders/wire.py), which fetches and decides what to fetch again."""
from __future__ import annotations

import asyncio

from archive import revision
from archive.known import quick_print_due
from archive.noise import Noise
from archive.records import FetchResult
from archive.store import Archive
from crawler.extract_pool import ExtractionFailed, extract_async
from crawler.extraction import quickprint
from crawler.extraction.words import is_flash_text
from crawler.items import Exchange


class SnapshotSteps:
    """The spider's steps from a response to `result.snapshot` (uses its seed, crawler, noise,
    containers, logger and settings)."""

    async def _extract(self, response, result: FetchResult, exchange: Exchange, known, first) -> None:
        """The snapshot of a 200, as cheaply as it can be had: the same bytes as the last capture
        are not extracted at all; the same quick print is no worker's work either (quickprint.py);
        else the worker runs trafilatura only when the region's fingerprint differs (probe.py)."""
        result.final_key = self._final_key(response.url, result)
        if first is None and known is not None and known.versions and result.payload_digest == known.payload_digest:
            return                                   # byte-identical: unchanged, never extracted
        if first is not None and result.payload_digest == first.result.payload_digest:
            result.snapshot = first.result.snapshot  # a confirmation with the same bytes
            return
        probe = None
        headers = {k: v for k, v in exchange.headers}
        if first is None and known is not None and known.versions and known.probe_hash:
            probe = (known.body_container, known.probe_hash)
            result.snapshot = quickprint.unchanged_snapshot(
                response.url, response.body, headers, stored=known.quick_print, container=known.body_container,
                probe_hash=known.probe_hash, noise=self._noise(known), timezone=self.seed.timezone)
            if result.snapshot is not None:          # the same revision, seen without a worker
                self.crawler.stats.inc_value("wirewatch/quick_unchanged")
                return
        try:
            result.snapshot = await extract_async(response.body, response.url, headers, self.seed.drop,
                                                  self.crawler.settings.getint("WIREWATCH_EXTRACT_WORKERS"),
                                                  noise=self._noise(known), probe=probe,
                                                  container=self._container_hint(known),
                                                  timezone=self.seed.timezone, flash=self._flash_may_stand(known),
                                                  quick_print=probe is None or quick_print_due(
                                                      known.quick_print, known.probe_updated, result.fetched_at))
        except ExtractionFailed as exc:   # its worker died twice, the second time on this page alone
            result.error = f"extraction failed: {exc.reason}"
            return                        # an `error` fetch; the response still goes to WARC
        except Exception as exc:          # a bug in extraction must not lose the response either
            self.logger.exception("extraction of %s raised", response.url)
            result.error = f"extraction failed: {type(exc).__name__}: {exc}".splitlines()[0][:500]
            return
        if result.snapshot.body_container and not result.snapshot.probe_only:
            self.containers[result.snapshot.body_container] += 1
        result.final_key = self._final_key(response.url, result)

    @staticmethod
    def _flash_may_stand(known) -> bool:
        """A one-sentence flash passes the quality gate on a first capture, and on an article
        whose latest version is a flash (so an unchanged flash is not refused as near-empty)."""
        return (known is None or not known.versions
                or (known.latest is not None and is_flash_text(known.latest.get("text"))))

    def _container_hint(self, known) -> str | None:
        """Where the body is likely to be: where it was on this article last time, else where it
        is on most of this source's pages so far (a source's articles share one template)."""
        if known is not None and known.body_container:
            return known.body_container
        common = self.containers.most_common(1)
        return common[0][0] if common else None

    def _noise(self, known) -> Noise:
        return self.noise.with_keys(known.noise) if known is not None else self.noise

    async def _baseline(self, result: FetchResult, known) -> None:
        """When the latest version was made by another extractor or other drop rules, re-read its
        own capture from WARC with the current ones, so only the publisher's edits count."""
        snap = result.snapshot
        if (snap is None or not snap.is_article or snap.probe_only or known is None or not known.latest
                or not known.latest_warc or known.latest.get("extractor") == snap.extractor):
            return
        from archive.warc_read import read_response
        warc_dir = Archive(self._setting("WIREWATCH_ARCHIVE")).warc_dir
        try:
            headers, body, uri, _ = await asyncio.to_thread(read_response, warc_dir, known.latest_warc)
        except OSError as exc:
            self.logger.warning("cannot re-read %s from WARC: %s", known.article_id, exc)
            return
        try:
            baseline = await extract_async(body, uri, dict(headers), self.seed.drop,
                                           self.crawler.settings.getint("WIREWATCH_EXTRACT_WORKERS"),
                                           timezone=self.seed.timezone, flash=self._flash_may_stand(known))
        except Exception as exc:          # ExtractionFailed included: compare with the stored latest
            self.logger.warning("cannot re-extract %s from WARC: %s", known.article_id, exc)
            return
        from crawler.reextract import drop_rules
        result.baseline = (known.versions, baseline, drop_rules(self.seed))
        fields = revision.fields(baseline)
        known.latest = dict(known.latest, **fields)   # compare with this from now on

    def _final_key(self, url: str, result: FetchResult) -> str | None:
        key = self.seed.article_key(url)
        canonical = result.snapshot.canonical_url if result.snapshot else None
        if key is None and canonical:
            key = self.seed.article_key(canonical)  # a redirect to a non-article URL of the same story
        return key
