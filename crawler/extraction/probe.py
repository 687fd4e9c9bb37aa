"""A cheap fingerprint of what a revision is made of, read without trafilatura.

An unchanged re-check of a page whose boilerplate rotates (ads, counters, nonces, "most read")
would otherwise cost a full extraction. The fingerprint covers every headline place, the lead,
the byline and the text lines of the DOM region the body was found in last time (its container
signature, crawler/extraction/container.py) without the source's known noise lines. It is only
trusted when, at the last full extraction, every body line lay inside that region: then a
change anywhere in the body changes the region, and an equal fingerprint means the same
revision. Dates are left out on purpose (they never make a version).
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


def probe_hash(tree: HtmlElement, page: PageMeta, signature: str | None, noise: Noise,
               body: str | None = None) -> str | None:
    """The fingerprint; None when there is no region to read, or (given the extracted `body`)
    when a body line lies outside the region, so the fingerprint could miss its edit."""
    if not signature:
        return None
    lines = region_lines(tree, signature)
    if not lines:
        return None
    lines = [normalize_line(x) for x in lines]
    if body is not None and not _inside(body, lines):
        return None
    kept = [x for x in lines if x and not noise.hides(x)]
    parts = [sorted(headline_candidates(tree, page).items()), metadata.lead(tree, page),
             metadata.byline(tree, page), kept]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()


def _inside(body: str, lines: list[str]) -> bool:
    """Every body line is in the region, compared on letters and digits only (trafilatura
    prefixes list items with a dash, joins table cells with bars, splits and joins lines)."""
    region = line_key(" ".join(lines))
    return all(line_key(line) in region for line in body.split("\n") if line_key(line))
