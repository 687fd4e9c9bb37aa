"""Parse decoded HTML into an lxml tree, and remove what a source's `drop` selectors name."""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from cssselect import SelectorError
from lxml.cssselect import CSSSelector
from lxml.html import HtmlElement
from trafilatura.utils import load_html

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


class DropSelectorError(ValueError):
    """A `drop` selector that is not valid CSS; the message names it."""


def parse_html(text: str) -> HtmlElement | None:
    """The document tree, or None when the text is not HTML at all (empty, binary, plain text)."""
    if not text or not text.strip():
        return None
    # lxml refuses str input that carries an encoding declaration; the text is decoded already.
    text = _XML_DECLARATION.sub("", text, count=1)
    try:
        tree = load_html(text)
    except (TypeError, ValueError):
        return None
    if tree is None or len(tree) == 0:
        return None
    return tree


@lru_cache(maxsize=512)  # lru_cache is thread-safe; seeds reuse the same few selectors
def compile_selector(selector: str) -> CSSSelector:
    """Compile one CSS selector; raise DropSelectorError naming it when it is invalid."""
    try:
        return CSSSelector(selector, translator="html")
    except (SelectorError, ValueError) as err:
        raise DropSelectorError(f"invalid drop selector {selector!r}: {err}") from None


def validate_selectors(selectors: Iterable[str]) -> None:
    """Raise DropSelectorError for the first invalid selector (for seed loading)."""
    for selector in selectors:
        compile_selector(selector)


def drop_elements(tree: HtmlElement, selectors: Sequence[str]) -> int:
    """Remove every element matching any selector (keeping the text that follows it).

    Returns how many elements were removed. The tree is changed in place.
    """
    removed = 0
    for selector in selectors:
        for element in compile_selector(selector)(tree):
            if element.getparent() is None:  # never the root
                continue
            element.drop_tree()
            removed += 1
    return removed
