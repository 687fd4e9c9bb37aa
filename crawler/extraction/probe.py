"""A cheap fingerprint of what a revision is made of, read without trafilatura.

An unchanged re-check of a page whose boilerplate rotates (ads, counters, nonces, "most read")
would otherwise cost a full extraction. The fingerprint covers every headline place, the lead,
the byline and each text line of the DOM region the body was found in last time (its container
signature, crawler/extraction/container.py). Lines are kept as short keys (with their label's
key), so noise learned after a fingerprint was taken still applies to it: two fingerprints are
the same revision when they agree on everything but the lines the source's noise hides. It is
only taken when, at a full extraction, every body line lay inside that region: then a change
anywhere in the body changes the region. Dates are left out on purpose (they never make a
version).
"""
from __future__ import annotations

import hashlib
import json

from lxml.html import HtmlElement

from archive.noise import Noise
from archive.normalize import normalize_line

from . import metadata
from .container import line_elements, line_key, region_lines, signature_of
from .headline import headline_candidates
from .pagemeta import PageMeta
from .printlines import entry


def region(tree: HtmlElement, signature: str | None) -> list[str]:
    """The region's visible lines, normalized (container.region_lines); [] when it names nothing."""
    if not signature:
        return []
    return [x for x in (normalize_line(y) for y in region_lines(tree, signature) or []) if x]


def fingerprint(tree: HtmlElement, page: PageMeta, signature: str | None, body: str | None = None, *,
                noise: Noise = Noise(), head: tuple[dict, str, str] | None = None,
                lines: list[str] | None = None) -> str | None:
    """"<head hash>|<line>,<line>,…" where each line is its key, "/" and its label's key when it
    has one; None when there is no region to read, or (given the extracted `body`) when a body line
    the `noise` does not hide lies outside the region, so the fingerprint could miss its edit (a
    teaser placed outside the region is left out of every comparison anyway: 9 of the 20 real
    pages without a fingerprint had only such a line outside). head: (headline candidates, lead,
    byline) when the caller has them already (a full extraction), else read here; lines: the
    region's (`region`), when the caller has them."""
    if not signature:
        return None
    lines = region(tree, signature) if lines is None else lines
    if not lines or (body is not None and not _inside(body, lines, noise)):
        return None
    candidates, lead, byline = head or (headline_candidates(tree, page), metadata.lead(tree, page),
                                        metadata.byline(tree, page))
    head = [sorted(candidates.items()), lead, byline]
    digest = hashlib.sha256(json.dumps(head, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]
    return digest + "|" + ",".join(entry(x) for x in lines)


# A body with more lines outside its container than this, or needing more blocks to hold them,
# is not fingerprinted: the region would be most of the page.
MAX_OUTSIDE_LINES = 12
MAX_EXTRA_BLOCKS = 8
MIN_PART_KEY = 12            # a shorter block line says nothing about where a body line came from


def widened(tree: HtmlElement, container: str, body: str, noise: Noise) -> str | None:
    """The container plus the blocks holding the body's lines that lie outside it, as one
    signature (a selector list): the region a fingerprint covers the whole body with when the
    extractor took a line from elsewhere ("SOURCE: News agencies", a dateline, a note after the
    story's element: 13 of 181 real pages had no fingerprint for that). None when there are no such
    lines, too many, or a line no block holds."""
    region_key = line_key(" ".join(region(tree, container)))
    outside = [key for key in (line_key(x) for x in body.split("\n") if not noise.hides(x))
               if key and key not in region_key]
    if not outside or len(outside) > MAX_OUTSIDE_LINES:
        return None
    root = tree.find(".//body")
    pairs = [(line_key(line), element) for line, element in line_elements(root if root is not None else tree)]
    extra: list[str] = []
    for key in outside:
        holders = [element for part, element in pairs
                   if part and (key in part or (len(part) >= MIN_PART_KEY and part in key))]
        if not holders:
            return None
        for element in holders:
            signature = signature_of(element)
            if signature not in extra and signature != container:
                extra.append(signature)
    if not extra or len(extra) > MAX_EXTRA_BLOCKS:
        return None
    return ", ".join([container, *extra])


def _inside(body: str, lines: list[str], noise: Noise) -> bool:
    """Every body line the noise does not hide is in the region, compared on letters and digits
    only (trafilatura prefixes list items with a dash, joins table cells with bars, splits and
    joins lines)."""
    region = line_key(" ".join(lines))
    return all(line_key(line) in region for line in body.split("\n") if line_key(line) and not noise.hides(line))
