"""The quick print: whether a re-checked page is the same revision, read in the crawl process.

A page whose boilerplate rotates (ads, counters, nonces, an in-body "Read also: …") differs in its
bytes on every re-check, so the digest cannot prove it unchanged; the region fingerprint
(probe.py) can, but costs a worker round trip, a decode and an lxml parse: ~10 ms a real page,
twice a byte-identical re-check's whole cost. The quick print is read with lexbor (selectolax) in
~1.6 ms, in the crawl process, and only ever says "unchanged": anything else goes to the worker as
before. It is made of

- a digest of everything a compared field (headlines, byline, lead) or a fetch's dates are read
  from, each taken whole, more than the extractor reads (every <title> and <h1>, every <meta> but
  per-request tokens, every JSON-LD and settings JSON block, <link rel=canonical>, every element
  whose markup names an author or byline as trafilatura's author expressions do and more (only
  when the byline was read from markup: a byline a statement gives cannot change otherwise),
  standfirst elements, date markup, the Content-Type), so a change in any of them changes it;
- the text of those elements and the lines of the body's region (the fingerprint's region: the
  container, or the container widened, see probe.widened), split and hidden as the region
  fingerprint's are (printlines.py): each a key, so noise learned later still hides a teaser.

It is taken in the worker, from the same bytes as a full extraction or a matching fingerprint,
and stored only when it covers what the worker read there (`take`): every line of the region as
lxml read it lies in the region as lexbor read it (so the body, which lies in that region, does
too), and every headline, byline name and lead lies in the digested material. A page lexbor reads
otherwise than lxml (a charset other than UTF-8, broken markup) gets no quick print, and keeps
the worker's. The dates stored beside it are those of that page: with the same print, every
place they are read from is the same.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from archive.noise import Noise
from archive.normalize import normalize_line
from archive.snapshot import Snapshot

from .printlines import BLOCK_TAGS, HIDING_STYLE, NEVER_TEXT_TAGS, entry, region_of, same_revision, text_key

log = logging.getLogger(__name__)

QUICK_VERSION = 1             # bump when what a print is made of changes: stored prints then never match
# <meta> names that carry a per-request token (Rails, Django, Laravel, CSP nonces): never read by
# the extractor, new on every response.
_VOLATILE_META = re.compile(r"csrf|nonce|token|request[-_]?id", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
# Every element trafilatura's author expressions (authormarkup.py) can select, and more: their
# class, id, itemprop and data- tests as attribute substrings ("uthor" for [Aa]uthor, "yline" for
# [Bb]yline); tests/test_quickprint.py checks the superset on every corpus page. Case-sensitive
# substrings: lexbor takes these in ~0.5 ms on a real page, case-insensitive ones cost 0.6 ms more.
_AUTHOR_CSS = ", ".join([
    "author", "[rel='author']", "[itemprop*='author']", "[class~='byl']", "[class~='BBL']", "[class~='username']",
    "[data-testid='AuthorCard']", "[data-testid='AuthorURL']", "[data-component*='Byline']",
    *(f"[class*='{word}']" for word in ("uthor", "yline", "channel-name", "zuozhe", "bianji", "xiaobian",
                                         "submitted-by", "posted-by", "journalist-name", "screenname", "writer")),
    *(f"[id*='{word}']" for word in ("uthor", "zuozhe", "bianji", "xiaobian"))])
# metadata.STANDFIRST_XPATH, as CSS
_STANDFIRST_CLASSES = frozenset(("standfirst", "article-summary", "article__summary", "dek", "subheadline"))
# One pass of lexbor over the page for everything but author markup (a selector list costs ~0.1 ms
# a real page per call, whatever it holds); each node is then sorted into what it is read for.
_MARKUP_CSS = ", ".join(["title", "h1", "meta", "script", "link", "time", "rel", "[itemprop]",
                         *(f".{name}" for name in sorted(_STANDFIRST_CLASSES))])
_MARK = "\x00"              # starts the lines of each place: text moved between places is a change


@dataclass
class Reading:
    print: str                # "<digest>|<entry>,<entry>,…"
    material: list[str]       # what the digest covers, as text, and the text elements' lines
    lines: list[str]          # the region's lines


def read(body: bytes, content_type: str | None, signature: str, authors: bool = True) -> Reading | None:
    """The page's quick print; None when the signature names nothing on it. authors: whether
    author markup is read (the byline came from it, or from nowhere: metadata.read_byline); when a
    statement the digest covers gave the byline, markup cannot change it, and leaving it out saves
    the costliest selector of the print (~0.45 ms of ~1.6 a real page)."""
    try:
        tree = LexborHTMLParser(body)
        regions = tree.css(signature)
    except Exception:            # a selector lexbor does not take, or bytes it refuses
        return None
    if not regions:
        return None
    stated, places = _scan(tree, content_type)
    places["author"] = tree.css(_AUTHOR_CSS) if authors else []
    # Text elements are read as lines, like the region, so that a teaser a page puts inside its
    # byline or standfirst box is hidden by the noise that hides it in the body.
    texts: list[str] = []
    for place in ("title", "h1", "author", "standfirst", "rel"):
        for node in places[place]:
            texts.append(_MARK + place)
            _region_lines(node, texts, hide=False)
    lines: list[str] = []
    for node in regions:
        _region_lines(node, lines)
    digest = hashlib.sha256("\x1e".join(stated).encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return Reading(digest + "|" + ",".join(entry(x) for x in [*texts, _MARK + "region", *lines]),
                   [*stated, *texts], lines)


def take(body: bytes, content_type: str | None, signature: str | None, *, region: list[str],
         values: list[str], stated: tuple[str | None, str | None], canonical_url: str | None,
         headlines: dict[str, str], timezone: str | None, authors: bool = True) -> str | None:
    """The quick print to store for this page (JSON, with the dates, canonical URL and headlines
    the worker read from it), when it covers what the worker read: every line of `region` (the
    region as lxml read it) lies in the region as lexbor read it, and each of `values` (the
    headline places, the byline's names, the lead) in the digested material; else None. authors:
    whether the byline was read from author markup (`read`)."""
    if not signature or not region:
        return None
    reading = read(body, content_type, signature, authors)
    if reading is None:
        return None
    region_key = "".join(text_key(x) for x in reading.lines)
    if not all(text_key(line) in region_key for line in region):
        return None
    if not _covers([text_key(v) for v in values if v and text_key(v)], reading.material):
        return None
    return json.dumps({"v": QUICK_VERSION, "signature": signature, "print": reading.print,
                       "published_at": stated[0], "modified_at": stated[1], "canonical_url": canonical_url,
                       "headlines": headlines, "timezone": timezone, "authors": authors},
                      ensure_ascii=False, sort_keys=True)


def unchanged(body: bytes, content_type: str | None, stored: str | None, noise: Noise,
              timezone: str | None) -> dict | None:
    """What was stored with the quick print (dates, canonical URL, headlines) when this page
    prints the same revision under `noise`; None when it does not, or nothing usable is stored."""
    if not stored:
        return None
    try:
        kept = json.loads(stored)
    except ValueError:
        return None
    if not isinstance(kept, dict) or kept.get("v") != QUICK_VERSION or kept.get("timezone") != timezone:
        return None
    reading = read(body, content_type, kept.get("signature") or "", kept.get("authors") is not False)
    if reading is None or not same_revision(reading.print, kept.get("print"), noise):
        return None
    return kept


def unchanged_snapshot(url: str, body: bytes, headers, *, stored: str | None, container: str | None,
                       probe_hash: str | None, noise: Noise, timezone: str | None) -> Snapshot | None:
    """A probe-only snapshot of this page when its quick print shows the stored revision (the
    dates, canonical URL and headlines stored with the print: the same print, the same places
    they are read from), as the worker's region fingerprint would; None otherwise."""
    if not probe_hash or not stored:
        return None
    try:
        kept = unchanged(body, content_type(headers), stored, noise, timezone)
    except Exception:           # a bug here must cost a worker's probe, never the fetch
        log.exception("quick print of %s failed", url)
        return None
    if kept is None or kept.get("signature") != region_of(probe_hash, container)[0]:
        return None
    return Snapshot(url=url, headlines=dict(kept.get("headlines") or {}), published_at=kept.get("published_at"),
                    modified_at=kept.get("modified_at"), canonical_url=kept.get("canonical_url"),
                    body_container=container, probe_hash=probe_hash, probe_only=True)


def content_type(headers) -> str | None:
    """The Content-Type of a response's headers (a mapping, any case; bytes or str values)."""
    for key, value in (headers or {}).items():
        key = key.decode("latin-1") if isinstance(key, bytes) else str(key)
        if key.lower() == "content-type":
            if isinstance(value, (list, tuple)):
                value = value[0] if value else ""
            return value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return None


def _scan(tree: LexborHTMLParser, content_type: str | None) -> tuple[list[str], dict[str, list[LexborNode]]]:
    """What the page states in markup, taken whole (every <meta> but per-request tokens, JSON-LD,
    the canonical link, the attributes dates.py reads dates from), and the elements whose text
    a field is read from: every <title> and <h1> (headline.headline_candidates), standfirsts
    (metadata.STANDFIRST_XPATH), and the parent of an author element's <rel>me</rel>
    (authormarkup.py)."""
    stated = [f"content-type {content_type or ''}"]
    places: dict[str, list[LexborNode]] = {"title": [], "h1": [], "standfirst": [], "rel": []}
    for node in tree.css(_MARKUP_CSS):
        tag, attrs = node.tag, node.attributes
        itemprop = attrs.get("itemprop")
        if tag in ("title", "h1"):
            places[tag].append(node)
        elif tag == "meta":
            key = " ".join(attrs.get(a) or "" for a in ("property", "name", "itemprop", "http-equiv")).strip()
            if key and not _VOLATILE_META.search(key):
                stated.append(f"meta {key.lower()} {attrs.get('content') or ''}")
            continue
        elif tag == "script":
            # JSON-LD, and Drupal's settings JSON, which trafilatura's extract_meta_json reads a
            # byline from too
            if (attrs.get("type") or "").strip().lower() in ("application/ld+json", "application/settings+json"):
                stated.append("jsonld " + node.text(deep=True))
        elif tag == "link":
            if "canonical" in (attrs.get("rel") or "").lower().split():
                stated.append(f"canonical {attrs.get('href') or ''}")
        elif tag == "rel" and node.parent is not None:
            places["rel"].append(node.parent)
        # dates.PUBLISHED_XPATH and MODIFIED_XPATH
        if itemprop in ("datePublished", "dateModified") or (tag == "time" and (
                "pubdate" in attrs or ("datetime" in attrs and _inside_article(node)))):
            stated.append(f"date {itemprop or ''} {attrs.get('datetime') or ''} {attrs.get('content') or ''}")
        if itemprop == "description" or not _STANDFIRST_CLASSES.isdisjoint((attrs.get("class") or "").split()):
            places["standfirst"].append(node)
    return stated, places


def _inside_article(node: LexborNode) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.tag == "article":
            return True
        parent = parent.parent
    return False


def _covers(keys: list[str], material: list[str]) -> bool:
    """Whether every key lies in the material's text: its elements' lines and <meta> first, JSON-LD
    (decoded: escapes undone) only for what those do not hold, as it is the largest and the
    slowest to read (a whole articleBody, often)."""
    plain = "".join(text_key(x) for x in material if not x.startswith("jsonld "))
    keys = [k for k in keys if k not in plain]
    if not keys:
        return True
    decoded = []
    for item in material:
        if item.startswith("jsonld "):
            try:
                item = json.dumps(json.loads(item[7:], strict=False), ensure_ascii=False)
            except (ValueError, RecursionError):
                pass
            decoded.append(text_key(item))
    joined = "".join(decoded)
    return all(k in joined for k in keys)


def _region_lines(root: LexborNode, out: list[str], hide: bool = True) -> None:
    """The region's visible text, one line per block (as container.region_lines reads it); with
    hide=False every text under root, hidden or not (as the extractor reads a byline or an h1)."""
    parts: list[str] = []

    def flush() -> None:
        if parts:
            raw = "".join(parts)
            parts.clear()
            if not raw.isspace():             # most flushes are the spacing between two tags
                line = normalize_line(_SPACES.sub(" ", raw))
                if line:
                    out.append(line)

    def walk(node: LexborNode) -> None:
        for child in node.iter(include_text=True):
            tag = child.tag
            if tag == "-text":
                parts.append(child.text_content or "")
                continue
            if not tag or tag.startswith("-") or (hide and _hidden(child, tag)):
                continue
            block = tag in BLOCK_TAGS
            if block:
                flush()
            walk(child)
            if block:
                flush()

    walk(root)
    flush()


def _hidden(node: LexborNode, tag: str) -> bool:
    if tag in NEVER_TEXT_TAGS:
        return True
    attrs = node.attributes
    if "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return True
    style = attrs.get("style")
    return bool(style and HIDING_STYLE.search(style))
