"""The DOM element that holds an article's body, named so that it is found again on another page
of the same template, and the text inside it.

A signature is a CSS selector (lxml.cssselect, HTML translator): a child path from a landmark down
to the element, one step per level,

    main#main-content > article.article > div.content-background > div > div.article__chunks > div.grid > div.body

- the landmark is the nearest ancestor with a stable `id` (written `tag#id`), else `body`;
- every step below it is the tag plus its first MAX_CLASSES (one) stable class token, in the
  order the page writes them (CSS matches an element carrying more classes too). One, because
  the other classes vary between articles of one template (`page-content news` / `page-content
  sports`, `article column tech` / `column opinion`, `author-sbrock`): with up to three, 44 of 55
  hosts of the benchmark agreed on one signature for their two pages; with one, 50 of 55 do (the
  other five are sites with two templates). BEM modifiers (`x--y`) are never taken;
- "stable" leaves out what rotates between pages or deploys: tokens with a digit (`ad-1a2b3c`,
  `col-8`, `post-4711`), CSS-in-JS hashes (`css-…`, `sc-…`, `jsx-…`, `svelte-…`, the
  `Name-kufPUk` suffix of styled-components) and anything that is not a plain CSS identifier.
  No positions (`:nth-child`) either: an ad or a photo inserted above the body moves them.

Because it has no positions, a signature may match several elements: all of them are the body
(sites split long stories into chunks of one template - wired.com writes four `div.article__body`
siblings and trafilatura keeps the first). Nested matches count once.

Everything here is a plain function of the tree (no state, no network), deterministic for the
same input, and does not change the tree.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from cssselect import SelectorError
from lxml import etree
from lxml.cssselect import CSSSelector
from lxml.html import HtmlElement

from .printlines import BLOCK_TAGS, HIDING_STYLE, NEVER_TEXT_TAGS, text_key

MAX_CLASSES = 1
# Share of the matched text of trafilatura's paragraphs an element must hold to be the container
# (above one half, so the candidates lie on one ancestor chain and the deepest is unique).
CONTAINER_SHARE = 0.6
MIN_KEY_CHARS = 12               # shorter paragraphs say little about where the body is

_SPACES = re.compile(r"\s+")
_IDENT = re.compile(r"^-?[A-Za-z_][A-Za-z_-]*$")
_TAG = re.compile(r"^[a-z][a-z0-9-]*$")
_HASHED = re.compile(r"^(?:css|sc|jsx|svelte|emotion|styled)-|-[a-zA-Z]{5,7}$")
_HASH_SUFFIX = re.compile(r"[a-z][A-Z]|[A-Z]{2}")

# Never text of the body: code, media, controls, page furniture, the headline (a field of its own).
_SKIP_TAGS = frozenset(
    "script style noscript template iframe object embed svg canvas video audio picture img map "
    "button input select textarea option label form nav aside figure figcaption footer header "
    "h1 head title meta link".split())
# Class / id words of page furniture inside a body: ads, sharing, teasers, captions, sign-ups.
_BOILER_PARTS = frozenset(
    "ad ads adv advert adverts advertisement advertising adslot adunit dfp gpt banner sponsor "
    "sponsored promo promos promotion related recirc recirculation teaser teasers readmore "
    "readalso alsoread share sharing sharebar social newsletter subscribe subscription signup "
    "paywall caption credit credits byline tags tag comments comment breadcrumb breadcrumbs "
    "pagination toolbar widget outbrain taboola sronly tooltip modal popup cta disclaimer".split())
# Whole tokens that hide an element (Bootstrap and the like); `hidden-xs` only hides it on phones.
_HIDING_CLASSES = frozenset("hidden hide d-none is-hidden invisible".split())
_BOILER_PHRASES = ("read-also", "read-more", "also-read", "see-also", "more-from", "most-read",
                   "most-popular", "sr-only", "screen-reader", "visually-hidden", "ad-container",
                   "inline-ad")
_PARTS = re.compile(r"[-_]+|(?<=[a-z])(?=[A-Z])")
# The class of the <blockquote> each platform's embed code writes (the script that turns it into
# a widget in a browser leaves the page's HTML as it is): a post the story quotes.
_EMBEDDED_POSTS = frozenset(
    "twitter-tweet twitter-video instagram-media tiktok-embed reddit-card bluesky-embed "
    "text-post-media mastodon-embed".split())
_POSTS_INSIDE = etree.XPath(
    "boolean(.//blockquote[" + " or ".join(f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"
                                           for name in sorted(_EMBEDDED_POSTS)) + "])")
# Tags that can be the container (a paragraph or a list item is not a body).
_CONTAINER_TAGS = frozenset("div section article main td ul ol dl center font span body".split())
# Paragraph-like elements, and divs with text of their own (pages that write paragraphs as text
# between <br>s).
_PARAGRAPHS = ("p", "li", "h2", "h3", "h4", "h5", "h6", "pre", "td", "dd", "blockquote", "div")


# --- signatures -----------------------------------------------------------------------------------

def signature_of(element: HtmlElement) -> str:
    """The signature of one element (see the module docstring)."""
    steps: list[str] = []
    node = element
    while node is not None and isinstance(node.tag, str) and node.tag not in ("html", "body"):
        ident = node.get("id") or ""
        tag = node.tag if _TAG.match(node.tag or "") else "*"
        if _stable(ident):
            steps.append(f"{tag}#{ident}")
            break
        steps.append(tag + "".join(f".{c}" for c in _stable_classes(node)))
        node = node.getparent()
    else:
        steps.append("body")
    return " > ".join(reversed(steps))


def _stable_classes(element: HtmlElement) -> list[str]:
    out: list[str] = []
    for token in (element.get("class") or "").split():
        if _stable(token) and "--" not in token and token not in out:
            out.append(token)
            if len(out) == MAX_CLASSES:
                break
    return out


def _stable(token: str) -> bool:
    if not token or not _IDENT.match(token) or len(token) > 60:
        return False
    match = _HASHED.search(token)
    if match and (match.start() == 0 or _HASH_SUFFIX.search(match.group())):
        return False
    return True


@lru_cache(maxsize=1024)  # thread-safe; a source keeps reusing one signature
def _selector(signature: str) -> CSSSelector | None:
    try:
        return CSSSelector(signature, translator="html")
    except (SelectorError, ValueError, SyntaxError):
        return None


def matches(tree: HtmlElement, signature: str) -> list[HtmlElement]:
    """The elements the signature names, outermost only, in document order."""
    selector = _selector(signature)
    if selector is None:
        return []
    found = selector(tree)
    chosen = set(found)
    return [e for e in found if not any(a in chosen for a in e.iterancestors())]


# --- finding the container ------------------------------------------------------------------------

def _has_direct_text(element: HtmlElement) -> bool:
    if element.text and not element.text.isspace():
        return True
    return any(child.tail and not child.tail.isspace() for child in element)


def find_container(tree: HtmlElement, text: str) -> str | None:
    """The signature of the deepest element holding CONTAINER_SHARE of the extracted text.

    text: the extracted body, one paragraph per line. Each paragraph-like element of the page
    whose text occurs in it (compared alphanumerics only, case folded, so trafilatura's joins,
    splits and list dashes do not matter) weighs its length on every ancestor. None when nothing
    matches or only `body` / `html` holds that much (no container to speak of).
    """
    joined = "".join(line_key(line) for line in text.split("\n"))
    if len(joined) < MIN_KEY_CHARS:
        return None
    weight: dict[HtmlElement, int] = {}
    total = 0
    longest = 2 * len(text) + 200
    for element in tree.iter(*_PARAGRAPHS):
        if element.tag == "div" and not _has_direct_text(element):
            continue
        content = element.text_content()
        if not MIN_KEY_CHARS <= len(content) <= longest:   # a layout cell holding the page
            continue
        key = line_key(content)
        if len(key) < MIN_KEY_CHARS or key not in joined:
            continue
        total += len(key)
        for ancestor in element.iterancestors():
            weight[ancestor] = weight.get(ancestor, 0) + len(key)
    if not total:
        return None
    best, best_depth = None, -1
    for element, held in weight.items():
        if held < CONTAINER_SHARE * total or element.tag not in _CONTAINER_TAGS:
            continue
        depth = sum(1 for _ in element.iterancestors())
        if depth > best_depth:
            best, best_depth = element, depth
    if best is None or best.tag == "body":
        return None
    return signature_of(best)


# --- text inside the container --------------------------------------------------------------------

def paragraphs_in(tree: HtmlElement, signature: str) -> list[str] | None:
    """Every visible paragraph-like block inside the element(s) the signature names, as
    normalised lines in document order; None when it names nothing.

    Left out: script/style and other non-text, hidden elements (`hidden`, `aria-hidden`, inline
    display:none / visibility:hidden, class `hidden`), page furniture by tag (figure, figcaption,
    aside, nav, header, footer, form, button, h1) or by class/id words (ads, share, related,
    teaser, newsletter, caption, byline, …), and lines that are mostly link text (teasers,
    "Read also: <a>…</a>").
    """
    blocks = blocks_in(tree, signature)
    return None if blocks is None else [block.line for block in blocks]


class Block(NamedTuple):
    """A line of the container: its text, the path of its block's parent below the container
    (steps as in a signature, "" for the container itself), which tells a story paragraph from a
    teaser nested in a box of its own, and whether it is part of a post the story embeds."""
    line: str
    path: str
    post: bool = False


def blocks_in(tree: HtmlElement, signature: str) -> list[Block] | None:
    """paragraphs_in, each line as a Block.

    An embedded post (the blockquote a platform's embed code writes: a tweet, an Instagram or
    TikTok post, …; see _EMBEDDED_POSTS) is what the story quotes, so its lines are kept, its
    attribution line too ("— Name (@handle) November 18, 2019"), even when the box around it is
    named like furniture ("social-media-embed", "article-widget")."""
    elements = matches(tree, signature)
    if not elements:
        return None
    return [Block(line, path, post) for element in elements
            for line, linked, path, post in _lines(element, furniture=True) if linked * 2 <= len(line)]


def region_lines(tree: HtmlElement, signature: str) -> list[str] | None:
    """The visible text of the region the signature names, one normalised line per block, for
    fingerprinting a page without running trafilatura: one pass over the region, no filtering
    beyond what a reader cannot see (so any change a reader could see changes it). None when the
    signature names nothing."""
    elements = matches(tree, signature)
    if not elements:
        return None
    return [line for element in elements for line, _, _, _ in _lines(element, furniture=False)]


def line_elements(root: HtmlElement) -> list[tuple[str, HtmlElement]]:
    """Every visible line under root (as region_lines reads them) with the innermost block element
    that holds it (root for text directly in it)."""
    held: list[HtmlElement] = []
    lines = _lines(root, furniture=False, held=held)
    return [(line, element) for (line, _, _, _), element in zip(lines, held)]


def _lines(root: HtmlElement, furniture: bool, held: list | None = None) -> list[tuple[str, int, str, bool]]:
    """(line, characters of it inside links, parent path, inside an embedded post) for the text
    under root, split at block elements and <br>, in one iterwalk. furniture: also skip page
    furniture (see paragraphs_in). held: filled with each line's innermost open block element."""
    out: list[tuple[str, int, str, bool]] = []
    blocks: list[HtmlElement] = []  # the open block elements below root
    parts: list[str] = []
    linked = 0
    links = 0                      # how many <a> we are inside
    posts = 0                      # how many embedded posts we are inside
    skipped: set[HtmlElement] = set()
    path: list[str] = []           # steps of the open block elements below root

    def flush() -> None:
        nonlocal linked
        if parts:
            line = normalise_line("".join(parts))
            if line:
                out.append((line, min(linked, len(line)), " > ".join(path[:-1]), posts > 0))
                if held is not None:
                    held.append(blocks[-1] if blocks else root)
            parts.clear()
        linked = 0

    def add(text: str | None) -> None:
        nonlocal linked
        if text:
            parts.append(text)
            if links:
                linked += len(text.strip())

    walker = etree.iterwalk(root, events=("start", "end", "comment", "pi"))
    for event, element in walker:
        tag = element.tag
        if not isinstance(tag, str):            # a comment or processing instruction: its tail
            add(element.tail)
            continue
        tag = tag.lower()
        block = tag in BLOCK_TAGS and element is not root
        if event == "start":
            if element is not root and _skip(element, tag, furniture):
                skipped.add(element)
                walker.skip_subtree()
                if block:
                    flush()
                continue
            if block:
                flush()
                path.append(_step(element, tag))
                blocks.append(element)
            if tag == "a":
                links += 1
            if tag == "blockquote" and _is_post(element):
                posts += 1
            add(element.text)
        else:
            if element in skipped:
                skipped.discard(element)
            else:
                if tag == "a":
                    links -= 1
                if block:
                    flush()
                    path.pop()
                    blocks.pop()
                if tag == "blockquote" and _is_post(element):
                    posts -= 1
            if element is not root:
                add(element.tail)
    flush()
    return out


def _step(element: HtmlElement, tag: str) -> str:
    return tag + "".join(f".{c}" for c in _stable_classes(element))


def _skip(element: HtmlElement, tag: str, furniture: bool) -> bool:
    if tag in NEVER_TEXT_TAGS:
        return True
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    style = element.get("style")
    if style and HIDING_STYLE.search(style):
        return True
    if not furniture:
        return False
    if tag in _SKIP_TAGS:
        return True
    names = f"{element.get('class') or ''} {element.get('id') or ''}"
    return bool(names.strip()) and is_furniture(names) and not _POSTS_INSIDE(element)


def _is_post(element: HtmlElement) -> bool:
    return not _EMBEDDED_POSTS.isdisjoint((element.get("class") or "").split())


@lru_cache(maxsize=4096)
def is_furniture(names: str) -> bool:
    """Whether class/id names mark page furniture (ad, share, related, caption, …)."""
    lowered = names.lower()
    if any(token in _HIDING_CLASSES for token in lowered.split()):
        return True
    if any(phrase in lowered for phrase in _BOILER_PHRASES):
        return True
    return any(part.lower() in _BOILER_PARTS
               for token in names.split() for part in _PARTS.split(token) if part)


# --- normalisation --------------------------------------------------------------------------------

def normalise_line(text: str) -> str:
    """NFC, whitespace collapsed, stripped (as body.normalise_text does per line)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


line_key = text_key      # what two renderings of one paragraph share (printlines.py)
