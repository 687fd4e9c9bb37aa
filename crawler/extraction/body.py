"""The article body: trafilatura's main-text extraction, one paragraph per line."""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from copy import deepcopy
from itertools import accumulate

from lxml.etree import XPath
from lxml.html import HtmlElement
from trafilatura import bare_extraction

from .container import Block, blocks_in, find_container, line_key
from .words import word_count

_SPACES = re.compile(r"[^\S\n]+")
# Scripts written without spaces between words: count characters, not space-separated tokens.
# Below this many words from the precise pass, try again in balanced mode (measured on the
# article-extraction benchmark: lifts mean F1 from 0.965 to 0.969 at the cost of a second pass on
# a few pages).
RETRY_BELOW_WORDS = 50
_STYLED = XPath("//body//*[@hidden or @style]")
# A table cell holding several paragraphs is page layout (a 1990s template puts the whole story
# in one cell), not data: trafilatura would join its paragraphs into one "| … |" line.
_LAYOUT_CELLS = XPath("//body//td[count(.//p) >= 2] | //body//th[count(.//p) >= 2]")
_TABLE_PARTS = {"table", "thead", "tbody", "tfoot", "tr", "td", "th"}
_HIDING_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# A source's learned container is used on a page when it holds this share of trafilatura's text.
HINT_SHARE = 0.6
# Paragraphs of the container that trafilatura dropped are added from this many words on.
MIN_ADDED_WORDS = 4
# A dropped paragraph whose words are this much in the text already is a different rendering
# of a kept one (trafilatura left out an inline element), not a new paragraph.
COVERED_SHARE = 0.8
# A kept paragraph this long (key characters) marks where the story's paragraphs sit.
MIN_STORY_KEY = 30
DATELINE_MAX_WORDS = 12
_DATEISH = re.compile(r"\b(?:1[89]|20)\d\d\b|\b\d{1,2}:\d\d\b")
_TOKENS = re.compile(r"\w+")
# A kept line that holds this share of a container paragraph's words, in order, is that paragraph
# with an inline element taken out.
FULLER_SHARE = 0.5
_PREFIX = re.compile(r"^(?:[-*•|]\s+)?")          # trafilatura's list dash or table bar


class BodyText(str):
    """The body, one paragraph per line, and where it came from.

    text: the body. container: the signature (see container.py) of the element(s) holding the
    body on this page, whose paragraphs were merged in: the hint when it held trafilatura's text
    here, else the one found from that text (container.find_container); None when there was
    none (then the text is trafilatura's alone). A source's container is learned from these;
    region_lines(tree, container) fingerprints the page cheaply on a later fetch.

    It is also the text itself (a str), so callers written for the str that body_text used to
    return keep working until they read .text and .container.
    """
    container: str | None

    def __new__(cls, text: str, container: str | None = None) -> BodyText:
        self = super().__new__(cls, text)
        self.container = container
        return self

    @property
    def text(self) -> str:
        return str.__str__(self)

    def __repr__(self) -> str:
        return f"BodyText(text={self.text!r}, container={self.container!r})"

    def __reduce__(self):
        return BodyText, (self.text, self.container)


def body_text(tree: HtmlElement, url: str | None, container: str | None = None) -> BodyText:
    """trafilatura's text (see trafilatura_text) plus every paragraph of the body's container
    that trafilatura dropped, in document order (see merge_lines).

    container: a hint, the signature learned for the page's source. It is used when the
    element(s) it names hold HINT_SHARE of trafilatura's text on this page (then the page is not
    searched: that is the cheap, usual case); else the container is found on the page itself.
    The result depends only on the tree, the URL and the hint.
    """
    text = trafilatura_text(tree, url)
    kept = text.split("\n") if text else []
    if container:
        blocks = blocks_in(tree, container)
        if blocks and _held(kept, blocks) >= HINT_SHARE:
            return BodyText(merge_lines(kept, blocks), container)
    found = find_container(tree, text) if text else None
    if found is None:
        return BodyText(text, None)
    return BodyText(merge_lines(kept, blocks_in(tree, found) or []), found)


def trafilatura_text(tree: HtmlElement, url: str | None) -> str:
    """Main text via trafilatura, favouring precision (boilerplate out), no comments.

    Content hidden from readers (`hidden`, inline display:none / visibility:hidden) is left out
    first: pages keep hidden duplicates of the article (Prensa Latina repeats the whole story in
    a display:none block) that otherwise end up in the text twice or in place of the visible
    copy. When that yields next to nothing (the article is hidden until a script shows it, or
    precision threw the baby out), trafilatura runs again on the whole page in balanced mode.
    The caller's tree is not changed.
    """
    text = _trafilatura(without_layout_tables(without_hidden(tree)), url, favor_precision=True)
    if word_count(text) < RETRY_BELOW_WORDS:
        retry = _trafilatura(tree, url, favor_precision=False)
        # Only a retry that keeps each line the precise pass found as a line of its own: on a
        # short flash the balanced pass sometimes runs the page's whole text into one line
        # (byline, dates, counter, teaser and the story), which rotates with the page, so an
        # edit in it passed for rotation.
        if word_count(retry) > word_count(text) and set(text.split("\n")) - {""} <= set(retry.split("\n")):
            text = retry
    return text


def _held(kept: list[str], blocks: Sequence[Block]) -> float:
    """The share of trafilatura's text (key characters) that the blocks hold."""
    joined = "".join(line_key(block.line) for block in blocks)
    keys = [line_key(line) for line in kept]
    total = sum(len(key) for key in keys)
    return sum(len(key) for key in keys if key and key in joined) / total if total else 0.0


def merge_lines(kept: list[str], blocks: Sequence[Block]) -> str:
    """trafilatura's lines (kept) with the container's paragraphs it lacks, in document order.

    blocks: the container's paragraphs (container.blocks_in).
    A paragraph is already there when its key (alphanumerics, case folded) occurs in the keys of
    the kept lines run together, which covers lines trafilatura joined, split or prefixed (list
    dashes, table bars); or when nearly all its words are there. When they are there because one
    kept line is that paragraph with words taken out (trafilatura's precision pass drops inline
    elements whose class or style it reads as chrome: a `<span class="link">` around "the NFL will
    fine Rudolph" left "has reported that for his role in the fight"), the container's paragraph
    replaces that line, where the story's paragraphs are (`_fuller`: a line that is a paragraph of
    its own is never replaced). A missing paragraph is added only where the story's paragraphs
    are: when its parent path is that of a paragraph trafilatura kept (a sibling of the story's
    paragraphs, or of those in another chunk of the body), not in a box of its own (teasers,
    galleries, date lines); and when it has MIN_ADDED_WORDS words. It goes right after the kept line that holds
    the paragraph before it (before the first kept line when none does). A paragraph of a post
    the story embeds (a Block with `post`: a quoted tweet and its attribution line) is added
    wherever it sits and whatever it states: it is what the story quotes.
    """
    keys = [line_key(line) for line in kept]
    joined = "".join(keys)
    ends = list(accumulate(len(key) for key in keys))        # key offsets -> kept line index
    words = Counter(_TOKENS.findall("\n".join(kept).casefold()))
    placed: list[tuple[str, str, bool, int]] = []             # (paragraph, path, post, anchor)
    fuller: list[tuple[int, str, str]] = []                   # (kept line index, paragraph, path)
    kept_tokens: list[list[str]] = []                         # each kept line's words, read once
    story_paths: set[str] = set()
    block_keys = [line_key(block.line) for block in blocks]
    position, anchor = 0, -1                                 # search from here; insert after
    for (paragraph, path, post), key in zip(blocks, block_keys):
        if not key:
            continue
        at = joined.find(key, position)
        if at < 0:
            at = joined.find(key)
        if at >= 0:
            anchor = min(bisect_right(ends, at + len(key) - 1), len(kept) - 1)
            position = at + len(key)
            if len(key) >= MIN_STORY_KEY:
                story_paths.add(path)
            continue
        tokens = Counter(_TOKENS.findall(paragraph.casefold()))
        if sum((tokens & words).values()) >= COVERED_SHARE * sum(tokens.values()):
            kept_tokens = kept_tokens or [_TOKENS.findall(line.casefold()) for line in kept]
            line = _fuller(paragraph, kept_tokens, max(anchor, 0))
            if line is not None and not any(keys[line] in other for other in block_keys if other != key):
                fuller.append((line, paragraph, path))
            continue
        placed.append((paragraph, path, post, anchor))
    kept = list(kept)
    replaced: set[int] = set()
    for line, paragraph, path in fuller:
        if path in story_paths and line not in replaced:
            replaced.add(line)
            prefix = _PREFIX.match(kept[line]).group()
            kept[line] = paragraph if paragraph.startswith(prefix) else prefix + paragraph
    inserts: dict[int, list[str]] = {}
    seen: set[str] = set(keys)
    for paragraph, path, post, after in placed:
        key = line_key(paragraph)
        if key in seen or word_count(paragraph) < MIN_ADDED_WORDS:
            continue
        if not post and (path not in story_paths or _is_dateline(paragraph)):
            continue
        seen.add(key)
        inserts.setdefault(after, []).append(paragraph)
    if not inserts:
        return "\n".join(kept)
    out = list(inserts.get(-1, []))
    for index, line in enumerate(kept):
        out.append(line)
        out.extend(inserts.get(index, []))
    return "\n".join(out)


def _fuller(paragraph: str, kept_tokens: list[list[str]], near: int) -> int | None:
    """The index of the kept line (given as its words) that is `paragraph` with words taken out:
    its words, in order, are most of the paragraph's (FULLER_SHARE) and not all of them. Searched
    outward from `near` (the line that holds the paragraph before it)."""
    want = _TOKENS.findall(paragraph.casefold())
    for i in sorted(range(len(kept_tokens)), key=lambda i: abs(i - near)):
        have = kept_tokens[i]
        if FULLER_SHARE * len(want) <= len(have) < len(want) and _in_order(have, want):
            return i
    return None


def _in_order(part: list[str], whole: list[str]) -> bool:
    rest = iter(whole)
    return all(token in rest for token in part)


def _is_dateline(line: str) -> bool:
    """A short line stating a date or time, not a sentence: "Published 10:02 AM EST Nov 19,
    2019", "By admin - 2018-09-16" (the story's dates are fields of their own)."""
    return (word_count(line) <= DATELINE_MAX_WORDS and bool(_DATEISH.search(line))
            and not line.rstrip("\"'”’»)").endswith((".", "!", "?", "…")))


def without_hidden(tree: HtmlElement) -> HtmlElement:
    """The tree without the elements a reader cannot see: a copy when there are any, else the
    tree itself (trafilatura copies it again before cleaning, so it is not changed)."""
    if not any(_is_hidden(element) for element in _STYLED(tree)):
        return tree
    copy = deepcopy(tree)
    for element in _STYLED(copy):
        if _is_hidden(element) and element.getparent() is not None:
            element.drop_tree()
    return copy


def without_layout_tables(tree: HtmlElement) -> HtmlElement:
    """The tree with layout tables (see _LAYOUT_CELLS) turned into plain blocks, so each of their
    paragraphs is a line of its own: a copy when there are any, else the tree itself. Data tables
    (cells of words and figures) are left as they are."""
    if not _LAYOUT_CELLS(tree):
        return tree
    copy = deepcopy(tree)
    for cell in _LAYOUT_CELLS(copy):
        table = next((a for a in cell.iterancestors("table")), None)
        if table is None:
            continue
        for element in [table, *table.iter(*_TABLE_PARTS)]:
            if element.tag in _TABLE_PARTS:
                element.tag = "div"
    return copy


def _is_hidden(element: HtmlElement) -> bool:
    return element.get("hidden") is not None or bool(_HIDING_STYLE.search(element.get("style") or ""))


def _trafilatura(tree: HtmlElement, url: str | None, favor_precision: bool) -> str:
    document = bare_extraction(
        tree,
        url=url,
        favor_precision=favor_precision,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        with_metadata=False,
    )
    return normalise_text(document.text if document is not None else "")


def normalise_text(text: str) -> str:
    """NFC, whitespace collapsed inside lines, one non-empty line per paragraph."""
    text = unicodedata.normalize("NFC", text or "")
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


# How far into the body a repeat of the headline or lead is looked for. Not only the first line:
# a rotating teaser kept before it on one fetch and not on the next would otherwise decide
# whether the repeat is dropped, and the body would differ between fetches of one page.
REPEAT_WINDOW = 3


def strip_leading_repeats(text: str, repeats: Iterable[str]) -> str:
    """Drop lines among the first REPEAT_WINDOW that repeat the headline or the lead
    (trafilatura sometimes keeps the <h1> or standfirst as a first paragraph; they have fields of
    their own)."""
    keys = {line_key(value) for value in repeats} - {""}
    lines = text.split("\n")
    head = [x for x in lines[:REPEAT_WINDOW] if line_key(x) not in keys]
    return "\n".join(head + lines[REPEAT_WINDOW:])
