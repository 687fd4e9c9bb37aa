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
from .container import line_key, region_lines
from .headline import headline_candidates
from .pagemeta import PageMeta
from .printlines import entry, same_revision  # noqa: F401  (same_revision: this module's API too)


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


def _inside(body: str, lines: list[str], noise: Noise) -> bool:
    """Every body line the noise does not hide is in the region, compared on letters and digits
    only (trafilatura prefixes list items with a dash, joins table cells with bars, splits and
    joins lines)."""
    region = line_key(" ".join(lines))
    return all(line_key(line) in region for line in body.split("\n") if line_key(line) and not noise.hides(line))
