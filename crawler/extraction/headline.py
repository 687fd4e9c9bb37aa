"""Choose an article's headline among the candidates a page carries.

Candidates: JSON-LD `headline`, og:title, twitter:title, the article's <h1>, <title>.
They often disagree: a site name added ("Foo - TASS", "Reuters | Foo", "Site: Foo"), a kicker
only some carry, entities left escaped ("&amp;#39;"), stray whitespace.

The chooser
1. cleans each candidate (entities unescaped repeatedly, whitespace collapsed);
2. strips leading or trailing segments that name the site (og:site_name, application-name,
   JSON-LD publisher, twitter:site, the host name); a candidate that is only the site name (a
   logo <h1>) drops out;
3. reduces a candidate that is another one plus separated additions ("Opinion | Foo - Site"
   when another says "Foo") to that core, unless only JSON-LD says "Foo": structured data is
   often a separate SEO field, left stale when the visible headline gains a kicker or changes;
4. takes the article's <h1> when another candidate agrees with it after steps 1-3, or rewords
   it (shares a good part of its words: the same story headlined differently for search or
   social media); otherwise the value most other candidates agree on, ties broken in the order
   JSON-LD, og:title, twitter:title, <title>.

Measured on 55 hand-labelled pages of the article-extraction benchmark (tests/fixtures/
headlines.json; the label is the headline the page shows its reader): the chooser is right on
all 55, the single candidates on 85 % (<h1>), 55 % (og), 42 % (twitter), 31 % (JSON-LD), 13 %
(<title>); a majority vote on 58 %.

Kickers such as Reuters' "UPDATE 2-" are kept when every visible candidate carries them (they
are part of the headline as published, and their change is an edit worth seeing) and dropped
when the <h1> or another visible candidate shows the headline without them (step 3); a stale
JSON-LD `headline` without the kicker does not drop it.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from .pagemeta import PageMeta, clean_text, text_of

# Where each candidate comes from, in the order that breaks ties.
SOURCES = ("h1", "jsonld", "og", "twitter", "title")
# Candidates no reader sees (a browser tab, a shared link and the <h1> are seen).
HIDDEN_SOURCES = frozenset({"jsonld"})

# Separators between a headline and a site name or section.
_SEPARATOR = r"(?:\s+[|\-\u2013\u2014:\u00b7\u2022/\\~»«]+\s+|\s*[|\u2013\u2014\u00b7\u2022»«]\s*|\s*::\s*)"
_SPLIT = re.compile(_SEPARATOR)
_SEPARATOR_CHARS = "|-:\u00b7\u2022/\\~\u00bb\u00ab"
_PREFIX_COLON = re.compile(r"^([^:]{2,40}):\s+")
_NON_ALNUM = re.compile(r"[\W_]+")
_WORD = re.compile(r"\w+")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2032": "'",
                         "\u2013": "-", "\u2014": "-", "\u00a0": " "})
MAX_HEADLINE_LENGTH = 400
STEM_CHARS = 5             # words compare by this many leading characters (inflections)
REWORD_SHARE = 0.3         # share of the h1's words another candidate must share to reword it
H1_MATCH_JACCARD = 0.3     # an <h1> this similar to another candidate is the article's


@dataclass(frozen=True)
class Candidate:
    source: str   # one of SOURCES
    raw: str      # as the page states it, after entity unescaping and whitespace cleanup
    value: str    # with the site name stripped


def headline_candidates(tree: HtmlElement, page: PageMeta) -> dict[str, str]:
    """The raw candidates the page carries: source -> text (entities unescaped)."""
    found: dict[str, str] = {}
    jsonld = text_of(page.article_value("headline"))
    if jsonld:
        found["jsonld"] = jsonld
    og = page.first("og:title")
    if og:
        found["og"] = og
    twitter = page.first("twitter:title")
    if twitter:
        found["twitter"] = twitter
    title = tree.find(".//head/title")
    title = title if title is not None else tree.find(".//title")
    if title is not None:
        text = clean_text(title.text_content())
        if text:
            found["title"] = text
    h1 = _article_h1(tree, [found[key] for key in ("jsonld", "og", "twitter", "title") if key in found])
    if h1:
        found["h1"] = h1
    return {source: value[:MAX_HEADLINE_LENGTH] for source, value in found.items()}


def site_names(page: PageMeta, url: str | None) -> list[str]:
    """Names the site goes by, for stripping from headlines."""
    names = [
        *page.all("og:site_name", "application-name", "apple-mobile-web-app-title",
                  "al:android:app_name", "al:ios:app_name"),
        *page.organisation_names(),
    ]
    names += [name.lstrip("@") for name in page.all("twitter:site")]
    host = (urlsplit(url).hostname or "") if url else ""
    if host:
        host = host.removeprefix("www.")
        names.append(host)
        labels = host.split(".")
        if len(labels) >= 2:
            names.append(labels[-2] if len(labels[-2]) > 3 or len(labels) == 2 else labels[-3])
    return [name for name in names if name]


def choose_headline(candidates: dict[str, str], names: list[str]) -> str:
    """The headline (see the module docstring); "" when the page has no candidate."""
    # A "site name" that is one of the candidates is a page title mislabelled (MSN's JSON-LD).
    headlines = {_key_loose(raw) for raw in candidates.values()}
    names = [name for name in names if _key_loose(name) not in headlines]
    cands = [Candidate(source, raw, strip_site_name(raw, names)) for source, raw in candidates.items()]
    cands = [c for c in cands if c.value]
    if not cands:
        return ""
    return _vote(_reduce_to_cores(cands))


def strip_site_name(text: str, names: list[str]) -> str:
    """Remove leading or trailing segments that name the site; "" if the text is only that."""
    keys = {_key_loose(name) for name in names} - {""}
    if not keys or not text:
        return text
    while True:
        parts = _SPLIT.split(text)
        seps = _SPLIT.findall(text)
        if len(parts) >= 2 and _key_loose(parts[-1]) in keys:
            text = text[: len(text) - len(parts[-1]) - len(seps[-1])].strip()
        elif len(parts) >= 2 and _key_loose(parts[0]) in keys:
            text = text[len(parts[0]) + len(seps[0]):].strip()
        elif (match := _PREFIX_COLON.match(text)) and _key_loose(match.group(1)) in keys:
            text = text[match.end():].strip()
        else:
            break
    return "" if _key_loose(text) in keys else text


def _reduce_to_cores(cands: list[Candidate]) -> list[Candidate]:
    """A candidate that is another one plus separated additions ("Opinion | Foo - Site" when
    another says "Foo") is replaced by that other, shorter one: the additions are not headline.
    A core only JSON-LD carries reduces no visible candidate: structured data is often a
    separate SEO field left stale when the visible headline gains a kicker ("UPDATE: Foo")."""
    visible = {_key(c.value) for c in cands if c.source not in HIDDEN_SOURCES}
    result = []
    for cand in cands:
        cores = [o.value for o in cands if o.value != cand.value and _only_adds_to(cand.value, o.value)
                 and (cand.source in HIDDEN_SOURCES or _key(o.value) in visible)]
        value = max(cores, key=len) if cores else cand.value
        result.append(Candidate(cand.source, cand.raw, value))
    return result


def _only_adds_to(longer: str, core: str) -> bool:
    """True when `longer` is `core` with a separated prefix and/or suffix shorter than `core`."""
    lk, ck = _key(longer), _key(core)
    at = lk.find(ck)
    if at < 0 or len(ck) >= len(lk):
        return False
    before, after = lk[:at].strip(), lk[at + len(ck):].strip()
    if len(before) + len(after) > len(ck):
        return False
    if before and before[-1] not in _SEPARATOR_CHARS:
        return False
    return not after or after[0] in _SEPARATOR_CHARS


def _vote(cands: list[Candidate]) -> str:
    """The h1 when the others agree with it, only add to it or reword it; else the value most
    candidates agree on, ties broken in SOURCES order."""
    support: dict[str, int] = {}
    for cand in cands:
        support[_key(cand.value)] = support.get(_key(cand.value), 0) + 1
    by_source = {c.source: c for c in cands}
    others = [c for c in cands if c.source != "h1"]
    h1 = by_source.get("h1")
    if h1 is not None and (
        not others or support[_key(h1.value)] >= 2 or _rewords(h1.value, [c.value for c in others])
    ):
        return h1.value
    best = max(support[_key(c.value)] for c in others)
    for source in SOURCES[1:]:
        cand = by_source.get(source)
        if cand is not None and support[_key(cand.value)] == best:
            return cand.value
    return others[0].value


def _rewords(text: str, others: list[str]) -> bool:
    """True when REWORD_SHARE of the h1's words (and two or more) appear in another candidate:
    the same story headlined differently for search or social media, not another story.
    Words compare by their first STEM_CHARS characters, so inflections still match."""
    words = _stems(text)
    if not words:
        return False
    need = max(2, REWORD_SHARE * len(words))
    return any(len(words & _stems(other)) >= need for other in others)


def _stems(text: str) -> set[str]:
    return {word[:STEM_CHARS] for word in _WORD.findall(text.casefold())}


def _article_h1(tree: HtmlElement, others: list[str]) -> str:
    """The <h1> that is the article's: the one most like the other candidates, else the first
    inside <article>/<main>, else the page's only <h1>."""
    texts = []
    for element in tree.iter("h1"):
        text = clean_text(element.text_content())
        if text and len(text) <= MAX_HEADLINE_LENGTH:
            texts.append((element, text))
    if not texts:
        return ""
    if others:
        other_words = [set(_WORD.findall(o.casefold())) for o in others]
        best, best_score = "", 0.0
        for _, text in texts:
            words = set(_WORD.findall(text.casefold()))
            score = max((len(words & ow) / len(words | ow) for ow in other_words if words | ow), default=0)
            if score > best_score:
                best, best_score = text, score
        if best_score >= H1_MATCH_JACCARD:
            return best
    for element, text in texts:
        if any(a.tag in ("article", "main") for a in element.iterancestors()):
            return text
    return texts[0][1] if len(texts) == 1 else ""


def _key(text: str) -> str:
    """Comparison key: case, quote style, dashes and spacing do not matter."""
    return " ".join(unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold().split())


def _key_loose(text: str) -> str:
    return _NON_ALNUM.sub("", _key(text))
