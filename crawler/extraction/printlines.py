"""Fingerprints of a page's lines that noise learned later still applies to: the shared part of
the region fingerprint (probe.py, read with lxml in a worker) and the quick print (quickprint.py,
read with lexbor in the crawl process). Plain string work, so the crawl process can compare
prints without importing the extractor (lxml, trafilatura).

A print is "<head digest>|<entry>,<entry>,…": each entry a line's key and, when the line has a
label ("Read also:"), "/" and its label's key. Two prints are the same revision when they agree
on everything but the lines the source's noise hides.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from archive.noise import Noise, teaser_label
from archive.normalize import label_key, line_key

LINE_KEY = 12                 # hex digits of a line's key kept (48 bits: no collision within a page)
LABEL_KEY = len("label:") + 12

# What splits a region's text into lines, and what a reader does not see: both readers of a region
# (container.py with lxml, quickprint.py with lexbor) follow these.
BLOCK_TAGS = frozenset(
    "address article aside blockquote body center dd details div dl dt fieldset figcaption figure "
    "footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody td "
    "tfoot th thead tr ul br".split())
NEVER_TEXT_TAGS = frozenset(("script", "style", "noscript", "template", "head", "title", "meta", "link"))
HIDING_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_KEY_DROP = re.compile(r"[\W_]+")


@lru_cache(maxsize=1 << 16)     # the same paragraphs are keyed again on every capture of a page
def text_key(line: str) -> str:
    """What two renderings of one paragraph share: alphanumerics, NFKC, case folded."""
    return _KEY_DROP.sub("", unicodedata.normalize("NFKC", line).casefold())


# A fingerprint of a region other than the body's container names it: "<signature>\x1d<print>".
REGION_SEP = "\x1d"


def with_region(signature: str, fp: str) -> str:
    return signature + REGION_SEP + fp


def region_of(fp: str | None, container: str | None) -> tuple[str | None, str | None]:
    """(the signature of the region a stored fingerprint covers, the print itself): the region it
    names, else the body's container."""
    if fp and REGION_SEP in fp:
        signature, _, rest = fp.partition(REGION_SEP)
        return signature, rest
    return container, fp


def entry(line: str) -> str:
    """A normalized line as a print entry: its key, and its label's key when it is a teaser
    ("Read also: …": labelled and headline-sized). A longer labelled line is never hidden by its
    label: a print's lines are split by markup, not as the extractor splits the body, so a line
    here can be a teaser and the story's next sentence run together (`<p>Read also: <a>…</a>
    Officials said …`), and the label must not hide an edit of that sentence."""
    label = teaser_label(line)
    return line_key(line)[:LINE_KEY] + ("/" + label_key(label)[:LABEL_KEY] if label else "")


def same_revision(a: str | None, b: str | None, noise: Noise) -> bool:
    """Whether two prints agree once the lines `noise` hides are left out of both."""
    if not a or not b:
        return False
    return visible(a, noise) == visible(b, noise)


def visible(fp: str, noise: Noise) -> tuple[str, list[str]]:
    """The head digest and the keys of the lines `noise` does not hide."""
    head, _, body = fp.partition("|")
    lines, labels = _hiding(noise.keys)
    kept = []
    for item in body.split(","):
        key, _, label = item.partition("/")
        if key not in lines and not (label and label in labels):
            kept.append(key)
    return head, kept


@lru_cache(maxsize=256)     # a source's noise is the same for every check of a crawl
def _hiding(keys: frozenset[str]) -> tuple[frozenset[str], frozenset[str]]:
    return (frozenset(k[:LINE_KEY] for k in keys if not k.startswith("label:")),
            frozenset(k[:LABEL_KEY] for k in keys if k.startswith("label:")))
