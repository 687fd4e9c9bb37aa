"""Extraction: response bytes, URL and headers in, a `Snapshot` out.

Imports no Scrapy: the crawler calls it from a thread pool, and re-extraction from WARC records,
benchmarks and tests call it alone. It keeps no mutable state of its own, so concurrent calls
are safe. The steps, one module each under crawler/extraction/:

    decode (charset) -> parse, drop selectors (dom) -> read <meta> and JSON-LD once (pagemeta)
    -> headline, dates, byline, lead, tags, canonical -> body text (trafilatura)
    -> language -> quality gate
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence

import trafilatura

from archive.noise import Noise
from archive.snapshot import Snapshot

from .extraction import body, dates, metadata
from .extraction.charset import decode_html
from .extraction.dom import DropSelectorError, drop_elements, parse_html, validate_selectors
from .extraction.headline import choose_headline, headline_candidates, site_names
from .extraction.pagemeta import read_page_meta
from .extraction import quickprint
from .extraction.printlines import region_of, same_revision, with_region
from .extraction.probe import fingerprint, region, widened
from .extraction.quality import judge, prose_words

# Bump the second number whenever a change here can change a Snapshot for the same bytes: the
# archive records it with every version, so re-extraction knows what produced what.
EXTRACTOR_VERSION = 8   # 3: valid UTF-8 wins over a declared single-byte charset; 4: layout tables as
                        # blocks, the byline from the innermost author element; 5: no one-line retry;
                        # 6: a date found in prose is read in the page's language and English only;
                        # 7: posts the story embeds (tweets and their attribution) are in the text;
                        # 8: words trafilatura takes out of a kept paragraph are put back
EXTRACTOR_NAME = f"trafilatura {trafilatura.__version__} / wirewatch-extract {EXTRACTOR_VERSION}"

__all__ = ["EXTRACTOR_NAME", "DropSelectorError", "extract", "extractor_id", "validate_selectors"]


def extractor_id(drop: Sequence[str] | str = (), timezone: str | None = None) -> str:
    """What produced a snapshot: the extractor and, when there are any, the drop rules (hashed)
    and the source's time zone, so a change of any of them is told apart from a publisher's edit."""
    rules = [drop] if isinstance(drop, str) else list(drop or ())
    name = EXTRACTOR_NAME
    if rules:
        name += f" / drop {hashlib.sha1(json.dumps(rules).encode('utf-8')).hexdigest()[:10]}"
    if timezone:
        name += f" / tz {timezone}"
    return name


def extract(
    body_bytes: bytes,
    url: str,
    headers: Mapping[str, str] | None = None,
    drop: Sequence[str] = (),
    *,
    noise: Noise = Noise(),
    probe: tuple[str | None, str] | None = None,
    container: str | None = None,
    timezone: str | None = None,
    flash: bool = False,
    quick_print: bool = True,
) -> Snapshot:
    """Extract one fetched page.

    body_bytes: the response body as received; url: the URL fetched (after redirects);
    headers: response headers (only Content-Type is read); drop: CSS selectors removed from the
    page before anything is read from it; noise: the source's known noise; probe: (container
    signature, region fingerprint `probe_hash`) of the article's last capture — when this page's
    fingerprint is the same revision as it under `noise`, trafilatura is not run
    and a `probe_only` snapshot (headlines, dates, fingerprint) comes back; container: where the
    source's body usually is (a hint: used when it holds the body on this page); timezone: the IANA
    zone the source's pages mean when they state a time without an offset (the seed's
    `[article] timezone`); flash: a one-sentence flash may pass the quality gate (a first
    capture, or an article whose versions are flashes: crawler/extraction/quality.py);
    quick_print: whether a matching probe also takes the page's quick print (the archive keeps a
    probe's at most once a day: archive.known.quick_print_due; a full extraction always takes
    one). Never raises on bad bytes; raises DropSelectorError for an invalid selector.
    """
    html = decode_html(body_bytes or b"", headers)
    tree = parse_html(html)
    if tree is None:
        verdict = judge(None, html, "", [], 0)
        return Snapshot(url=url, quality=verdict.quality, quality_reason=verdict.reason,
                        extractor=extractor_id(drop, timezone))
    if drop:
        drop_elements(tree, [drop] if isinstance(drop, str) else drop)

    page = read_page_meta(tree)
    candidates = headline_candidates(tree, page)
    lead, (byline, markup_byline) = metadata.lead(tree, page), metadata.read_byline(tree, page)
    signature, stored = region_of(probe[1], probe[0]) if probe is not None else (None, None)
    if signature:
        lines = region(tree, signature)
        seen = fingerprint(tree, page, signature, head=(candidates, lead, byline), lines=lines)
        if same_revision(seen, stored, noise):
            stated = dates.stated_published_at(tree, page, timezone), dates.modified_at(tree, page, timezone)
            canonical = metadata.canonical_url(tree, url)
            return Snapshot(url=url, headlines=dict(candidates), published_at=stated[0], modified_at=stated[1],
                            canonical_url=canonical, extractor=extractor_id(drop, timezone), body_container=probe[0],
                            probe_hash=probe[1], probe_only=True,
                            quick_print=_quick(body_bytes, headers, signature, lines, candidates, lead, byline,
                                               stated, canonical, timezone, markup_byline) if quick_print else None)
    title = choose_headline(candidates, site_names(page, url))

    found = body.body_text(tree, url, container)
    text = body.strip_leading_repeats(found.text, [title, lead, *candidates.values()])
    words = prose_words(text, [title, lead])

    verdict = judge(tree, html, text, [title, candidates.get("title", "")], words, flash=flash)
    stated = dates.stated_published_at(tree, page, timezone)
    modified = dates.modified_at(tree, page, timezone)
    canonical = metadata.canonical_url(tree, url)
    language = metadata.language(page, text)
    published = stated or dates.found_published_at(tree, url, timezone, language)
    signature, lines, probe_hash = _print_region(tree, page, found.container, text, noise, (candidates, lead, byline)) \
        if verdict.quality == "ok" else (None, [], None)
    return Snapshot(
        url=url,
        title=title,
        headlines=dict(candidates),
        byline=byline,
        published_at=published,
        published_found=stated is None and published is not None,
        modified_at=modified,
        lead=lead,
        text=text,
        language=language,
        tags=metadata.tags(page),
        canonical_url=canonical,
        quality=verdict.quality,
        quality_reason=verdict.reason,
        extractor=extractor_id(drop, timezone),
        body_container=found.container,
        probe_hash=probe_hash,
        quick_print=_quick(body_bytes, headers, signature, lines, candidates, lead, byline, (stated, modified),
                           canonical, timezone, markup_byline) if probe_hash else None,
    )


def _print_region(tree, page, container: str | None, text: str, noise: Noise,
                  head: tuple[dict, str, str]) -> tuple[str | None, list[str], str | None]:
    """(signature, lines, fingerprint) of the region that holds every line of the body: the
    container, else the container widened to the blocks its outside lines come from (the
    fingerprint then names that region: printlines.with_region)."""
    lines = region(tree, container)
    probe_hash = fingerprint(tree, page, container, text, noise=noise, head=head, lines=lines)
    if probe_hash is not None or not container:
        return container, lines, probe_hash
    wider = widened(tree, container, text, noise)
    if wider is None:
        return container, lines, None
    lines = region(tree, wider)
    probe_hash = fingerprint(tree, page, wider, text, noise=noise, head=head, lines=lines)
    return wider, lines, with_region(wider, probe_hash) if probe_hash else None


def _quick(body_bytes: bytes, headers: Mapping[str, str] | None, signature: str, lines: list[str],
           candidates: dict[str, str], lead: str, byline: str, stated: tuple[str | None, str | None],
           canonical: str | None, timezone: str | None, markup_byline: bool) -> str | None:
    """The quick print of this page (crawler/extraction/quickprint.py), when it covers what was
    read here: the region's lines, every headline place, the byline's names and the lead; author
    markup in it only when the byline was read from there (markup_byline)."""
    values = [*candidates.values(), lead, *(byline or "").split("; ")]
    return quickprint.take(body_bytes, quickprint.content_type(headers), signature, region=lines, values=values,
                           stated=stated, canonical_url=canonical, headlines=dict(candidates), timezone=timezone,
                           authors=markup_byline)
