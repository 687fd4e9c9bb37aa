"""Byline, lead, tags, canonical URL and language of an article page."""
from __future__ import annotations

import re
from copy import deepcopy
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement
from trafilatura.json_metadata import normalize_authors
from trafilatura.htmlprocessing import prune_unwanted_nodes
from trafilatura.metadata import examine_meta, extract_meta_json, extract_metainfo
from trafilatura.utils import trim
from trafilatura.xml import delete_element
from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS

from .authormarkup import author_matches, discarded
from .pagemeta import PageMeta, clean_text, text_of

MAX_TAGS = 50
MAX_TAG_LENGTH = 100

# Elements that hold a standfirst when a page has no description meta.
STANDFIRST_XPATH = (
    "//*[@itemprop='description' and not(self::meta)]"
    "|//*[contains(concat(' ', normalize-space(@class), ' '), ' standfirst ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' article-summary ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' article__summary ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' dek ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' subheadline ')]"
)


# --- byline -----------------------------------------------------------------------------------

def byline(tree: HtmlElement, page: PageMeta) -> str:
    """Author names, "; "-separated (`read_byline`)."""
    return read_byline(tree, page)[0]


def read_byline(tree: HtmlElement, page: PageMeta) -> tuple[str, bool]:
    """(author names, "; "-separated; whether author markup was read for them).

    The article's JSON-LD `author` names first (the cleanest statement: "Molly Wood" where the
    meta tag says "Condé Nast"), then the chain trafilatura.extract_metadata uses (meta tags,
    JSON-LD, byline markup) minus its htmldate call, which dates.py makes only when needed.
    Names go through trafilatura's normalisation either way ("By ...", e-mail, @handles out).
    Markup is read only when no statement (meta, JSON-LD, settings JSON) names an author: the
    quick print leaves it out otherwise (quickprint.py).
    """
    try:
        stated = page.article_value("author")
        names = stated if isinstance(stated, list) else [stated]
        authors: str | None = None
        for name in (text_of(item) for item in names):
            if name and not name.lower().startswith("http"):
                authors = normalize_authors(authors, name)
        if authors:
            return clean_text(authors), False
        found = examine_meta(tree)
        if found.author and " " not in found.author:  # as trafilatura: a lone word is no name
            found.author = None
        found = extract_meta_json(tree, found)
        if found.author:
            return clean_text(found.author), False
        return clean_text(markup_author(tree) or ""), True
    except Exception:  # a bug in metadata heuristics must not lose the article
        return "", True


AUTHOR_MAX_LENGTH = 120   # as trafilatura: longer is a paragraph, not a byline


def markup_author(tree: HtmlElement) -> str | None:
    """The byline from author markup: trafilatura's expressions, the innermost match first.

    trafilatura takes the first match in document order, often a wrapper such as
    `div.post__title__author-date` around `span.byline__author`: its text carries the date
    ("Carrie Arnold November") and whatever else sits in the box — on a page that rotates a teaser
    there, a different byline on every fetch. An element with a matching element inside it is a
    wrapper; the inner one states the names.

    As trafilatura, on the page without its AUTHOR_DISCARD_XPATHS nodes (comments, dates,
    figures, "share" boxes). It prunes a deep copy of the whole page for that: here a match inside
    a discarded node is passed over and only the matches read are copied and pruned. Both sets of
    expressions are evaluated in one pass over the elements (authormarkup.py: ~8 ms of XPath on a
    real page before, in every extraction and every probe); tests/test_byline.py compares the
    bylines with trafilatura's own way on every corpus page.
    """
    matches = author_matches(tree)
    if not any(matches):
        return None
    dropped = set(discarded(tree))
    root = tree.getroottree().getroot()
    for results in matches:
        kept = [elem for elem in results if not _inside_any(elem, dropped, root)]
        matched = set(kept)
        for elem in kept:
            if any(inner in matched for inner in elem.iterdescendants()):
                continue
            content = trim(" ".join(_pruned_copy(elem).itertext()))
            if content and 2 < len(content) < AUTHOR_MAX_LENGTH:
                return normalize_authors(None, content)
    # only wrappers hold a usable text: trafilatura's own choice (its extract_author), on the
    # pruned page
    author = extract_metainfo(prune_unwanted_nodes(deepcopy(tree), AUTHOR_DISCARD_XPATHS), AUTHOR_XPATHS,
                              len_limit=AUTHOR_MAX_LENGTH)
    return normalize_authors(None, author) if author else None


def _inside_any(elem: HtmlElement, dropped: set, root: HtmlElement) -> bool:
    """Whether pruning the page removes `elem`: it or an ancestor is discarded (the discard
    expressions never select the root)."""
    return any(node in dropped for node in (elem, *elem.iterancestors()) if node is not root)


def _pruned_copy(elem: HtmlElement) -> HtmlElement:
    """A copy of `elem` without its discarded descendants, their tails kept as pruning keeps them
    (the order of the deletions does not change where the tails end up)."""
    copy = deepcopy(elem)
    copy.tail = None
    for node in discarded(copy):
        delete_element(node)
    return copy


# --- lead -------------------------------------------------------------------------------------

def lead(tree: HtmlElement, page: PageMeta) -> str:
    """The standfirst as the page declares it: og:description, description, twitter:description,
    JSON-LD description, else a standfirst element. Empty if the page states none."""
    stated = page.first("og:description", "description", "twitter:description") or text_of(
        page.article_value("description")
    )
    if stated:
        return stated
    for element in tree.xpath(STANDFIRST_XPATH):
        text = clean_text(element.text_content())
        if text:
            return text
    return ""


# --- tags -------------------------------------------------------------------------------------

def tags(page: PageMeta) -> list[str]:
    """article:tag, keywords / news_keywords meta and JSON-LD keywords, de-duplicated
    (case-insensitively, first spelling kept), in that order."""
    raw: list[str] = list(page.all("article:tag"))
    for value in page.all("news_keywords", "keywords"):
        raw.extend(_split_keywords(value))
    keywords = page.article_value("keywords")
    if isinstance(keywords, str):
        raw.extend(_split_keywords(clean_text(keywords)))
    elif isinstance(keywords, list):
        raw.extend(text_of(item) for item in keywords)
    return _dedupe(raw)[:MAX_TAGS]


def _split_keywords(value: str) -> list[str]:
    separator = "," if "," in value else ";"
    return [part.strip() for part in value.split(separator)]


def _dedupe(values: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    result = []
    for value in values:
        value = clean_text(value)
        key = value.casefold()
        if value and len(value) <= MAX_TAG_LENGTH and key not in seen:
            seen.add(key)
            result.append(value)
    return result


# --- canonical URL ----------------------------------------------------------------------------

def canonical_url(tree: HtmlElement, url: str) -> str | None:
    """<link rel=canonical>, made absolute against the fetched URL; None if absent or not http(s).

    og:url is deliberately not used: some sites set it to their home page on every article, and
    the archive uses this field to keep an article's identity across redirects.
    """
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        href = (link.get("href") or "").strip()
        if "canonical" in rel and href:
            absolute = urljoin(url, href)
            if urlsplit(absolute).scheme in ("http", "https"):
                return absolute
    return None


# --- language ---------------------------------------------------------------------------------

# ISO 639-1 -> jusText stop-list name, for the languages wire services publish in.
_STOPLISTS = {
    "ar": "Arabic", "bg": "Bulgarian", "ca": "Catalan", "cs": "Czech", "da": "Danish",
    "de": "German", "el": "Greek", "en": "English", "es": "Spanish", "et": "Estonian",
    "fa": "Persian", "fi": "Finnish", "fr": "French", "he": "Hebrew", "hi": "Hindi",
    "hr": "Croatian", "hu": "Hungarian", "id": "Indonesian", "it": "Italian", "ka": "Georgian",
    "kk": "Kazakh", "ko": "Korean", "lt": "Lithuanian", "lv": "Latvian", "nl": "Dutch",
    "no": "Norwegian_Bokmal", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian",
    "ru": "Russian", "sk": "Slovak", "sl": "Slovenian", "sr": "Serbian", "sv": "Swedish",
    "tr": "Turkish", "uk": "Ukrainian", "uz": "Uzbek", "vi": "Vietnamese", "be": "Belarusian",
}
# jusText's long stop lists (Finnish, Uzbek, Korean ...) were built from text full of English
# and so "recognise" English; guesses only choose among these clean ones.
_GUESSABLE = ("en", "es", "fr", "de", "it", "pt", "nl", "sv", "da", "no", "pl", "cs", "ro", "id",
              "ru", "uk", "bg")
_WORDS = re.compile(r"[^\W\d_]+")
# Share of a text's words that must be stop words of a language for a guess (running text in a
# language is typically 35-55 % stop words; another language's list catches far fewer).
MIN_STOPWORDS = 0.3
GUESS_MARGIN = 1.25   # ... and this many times the share of the runner-up
MIN_GUESS_WORDS = 30
_SCRIPTS = (  # checked in this order: Japanese text also contains Han characters
    ("ja", re.compile(r"[\u3040-\u30ff]")),
    ("ko", re.compile(r"[\uac00-\ud7af]")),
    ("zh", re.compile(r"[\u4e00-\u9fff]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
    ("el", re.compile(r"[\u0370-\u03ff]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("ka", re.compile(r"[\u10a0-\u10ff]")),
)


def language(page: PageMeta, text: str) -> str | None:
    """The page's language as an ISO 639 primary subtag ("en", "es", "ru").

    Declarations: <html lang>, JSON-LD inLanguage, og:locale, Content-Language meta. Templates
    often hard-code one of them (a Spanish agency page with <html lang="en-gb">), so when they
    disagree the body text decides between them by stop-word share; a lone declaration that the
    text plainly contradicts gives way to a confident guess. With no declaration at all, the
    text's script or stop words give a guess; None when they do not.
    """
    declared = [
        page.html_lang,
        text_of(page.article_value("inLanguage")),
        page.first("og:locale"),
        page.first("content-language", "language", "dc.language"),
    ]
    codes = _dedupe_codes(declared)
    if not codes:
        return guess_language(text)
    if len(codes) > 1:
        scores = {code: _stopword_share(code, text) for code in codes}
        best = max(codes, key=lambda code: scores[code])  # max keeps the first on ties
        return best if scores[best] > 0 else codes[0]
    # One declaration: believe it unless the text plainly reads as another language (Business
    # Insider's German edition template on an English article declares "de").
    declared_share = _stopword_share(codes[0], text)
    if not _stoplist(codes[0]) or declared_share >= MIN_STOPWORDS:
        return codes[0]
    guess = guess_language(text)
    if guess and _stopword_share(guess, text) >= 2 * declared_share:
        return guess
    return codes[0]


def guess_language(text: str) -> str | None:
    """A guess from the text alone: by script for Chinese, Japanese, Korean, Thai; else the
    language whose stop words make up the largest share of the words, when that share is large
    and clearly ahead of the next language's."""
    sample = text[:2000]
    for code, pattern in _SCRIPTS:
        if len(pattern.findall(sample)) >= 20:
            return code
    if len(_WORDS.findall(sample)) < MIN_GUESS_WORDS:
        return None
    ranked = sorted(((_stopword_share(code, sample), code) for code in _GUESSABLE), reverse=True)
    (best, code), (second, _) = ranked[0], ranked[1]
    return code if best >= MIN_STOPWORDS and best >= GUESS_MARGIN * second else None


def _dedupe_codes(values: Iterable[str | None]) -> list[str]:
    codes: list[str] = []
    for value in values:
        code = re.split(r"[-_]", (value or "").strip().lower(), maxsplit=1)[0]
        if code.isalpha() and 2 <= len(code) <= 3 and code not in codes:
            codes.append(code)
    return codes


def _stopword_share(code: str, text: str) -> float:
    stoplist = _stoplist(code)
    words = _WORDS.findall(text[:5000].lower())
    if not stoplist or not words:
        return 0.0
    return sum(word in stoplist for word in words) / len(words)


@lru_cache(maxsize=64)
def _stoplist(code: str) -> frozenset[str]:
    name = _STOPLISTS.get(code)
    if not name:
        return frozenset()
    import justext  # trafilatura's dependency; only needed when declarations disagree

    return frozenset(justext.get_stoplist(name))
