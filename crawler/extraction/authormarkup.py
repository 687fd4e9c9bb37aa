"""trafilatura's author-markup expressions (AUTHOR_XPATHS) and the nodes it discards before
reading them (AUTHOR_DISCARD_XPATHS), evaluated in one pass over the page's elements.

Each of those XPaths tests regular expressions through EXSLT, which calls back into Python for
every element: ~2 ms an expression on a real page, ~8 ms for the byline, in every full extraction
and in every probe of an unchanged re-check. Here each element's attributes are read once and
tested with compiled patterns. The predicates are trafilatura 2.3's, transcribed; the node lists
must be the XPaths' own, in document order (tests/test_byline.py checks both on every corpus page,
so a trafilatura upgrade that changes them fails there, not in the archive).
"""
from __future__ import annotations

import re

from lxml.html import HtmlElement

# AUTHOR_XPATHS[0]: specific and almost specific (and any <author> element)
_TAGS_0 = frozenset(("a", "address", "div", "link", "p", "span", "strong"))
_CLASS_0 = re.compile("author-?name|AuthorName|authorName")
# AUTHOR_XPATHS[1]: almost generic and generic
_TAGS_1 = frozenset(("a", "div", "h3", "h4", "p", "span"))
_CLASSES_1 = frozenset(("byline", "username", "byl", "BBL"))
_ID_1 = re.compile("author|zuozhe|bianji|xiaobian")
_CLASS_1 = re.compile("author|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by|journalist-name")
# AUTHOR_XPATHS[2]: last resort, any element
_ID_2 = re.compile("[Aa]uthor")
_CLASS_2 = re.compile("[Aa]uthor|screenname|writer|[Bb]yline")
# AUTHOR_DISCARD_XPATHS[0] (below the root), then [1]: //time|//figure
_TAGS_D = frozenset(("a", "div", "section", "span"))
_ID_D = re.compile("^comments|comment-?list|ProductReviews")
_CLASS_D = re.compile("^[Cc]omments|commentlist|comments-list|sidebar|is-hidden|quote|embedly-instagram|"
                      "article-(?:share|support)|print|category|meta-date|meta-reviewer")


def author_matches(tree: HtmlElement) -> tuple[list, list, list]:
    """What each of AUTHOR_XPATHS selects in `tree`, in document order."""
    first, second, third = [], [], []
    rel_me = {child.getparent() for child in tree.iter("rel") if child.xpath("string()") == "me"}
    for el in tree.iter():
        tag = el.tag
        if not isinstance(tag, str):            # comments, processing instructions
            continue
        cls, ident, itemprop = el.get("class"), el.get("id"), el.get("itemprop")
        if tag == "author" or (tag in _TAGS_0 and (
                el.get("rel") == "author" or ident == "author" or cls == "author" or itemprop == "author name"
                or el in rel_me or el.get("data-testid") in ("AuthorCard", "AuthorURL")
                or (cls is not None and _CLASS_0.search(cls)))):
            first.append(el)
        author_prop = itemprop is not None and "author" in itemprop
        if tag in _TAGS_1 and (cls in _CLASSES_1 or author_prop or (ident is not None and _ID_1.search(ident))
                               or (cls is not None and _CLASS_1.search(cls))):
            second.append(el)
        component = el.get("data-component")
        if ((component is not None and "Byline" in component) or author_prop
                or (ident is not None and _ID_2.search(ident)) or (cls is not None and _CLASS_2.search(cls))):
            third.append(el)
    return first, second, third


def discarded(tree: HtmlElement) -> list:
    """What AUTHOR_DISCARD_XPATHS select in `tree` (a page or a detached copy of an element):
    never its root, as `.//*` and `//time|//figure` never select it."""
    root = tree.getroottree().getroot()
    out = []
    for el in tree.iter():
        tag = el.tag
        if el is root or not isinstance(tag, str):
            continue
        if tag in ("time", "figure"):
            out.append(el)
            continue
        if tag not in _TAGS_D:
            continue
        cls, ident, component = el.get("class"), el.get("id"), el.get("data-component")
        if (ident == "comments" or cls in ("comments", "title", "date") or (ident is not None and _ID_D.search(ident))
                or (cls is not None and _CLASS_D.search(cls)) or (component is not None and "Figure" in component)):
            out.append(el)
    return out
