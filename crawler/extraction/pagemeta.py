"""Read a page's declared metadata once: <meta> tags, JSON-LD objects, <html lang>.

Everything else (dates, byline, headline candidates, tags ...) reads from the `PageMeta` this
returns, so the tree is walked for metadata a single time.
"""
from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml.html import HtmlElement

# schema.org types whose `headline`, dates, author and keywords describe the article itself.
ARTICLE_TYPES = frozenset({
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle",
    "backgroundnewsarticle", "opinionnewsarticle", "reviewnewsarticle", "askpublicnewsarticle",
    "blogposting", "liveblogposting", "socialmediaposting", "report", "techarticle",
    "scholarlyarticle", "medicalscholarlyarticle", "advertisercontentarticle", "satiricalarticle",
})

_WHITESPACE = re.compile(r"\s+")
_JSON_COMMENTS = re.compile(r"^\s*(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)|(?:-->|//\s*\]\]>|\]\]>)\s*$")
_TRAILING_COMMAS = re.compile(r",\s*([}\]])")


@dataclass(frozen=True)
class PageMeta:
    # lower-cased name / property / itemprop / http-equiv -> stated values, in page order
    meta: dict[str, list[str]] = field(default_factory=dict)
    # every JSON-LD object on the page, flattened (lists, @graph) and in page order
    jsonld: list[dict[str, Any]] = field(default_factory=list)
    html_lang: str | None = None

    def first(self, *keys: str) -> str | None:
        """The first non-empty value among the given meta keys, in the order of the keys."""
        for key in keys:
            for value in self.meta.get(key, ()):
                if value:
                    return value
        return None

    def all(self, *keys: str) -> list[str]:
        return [value for key in keys for value in self.meta.get(key, ()) if value]

    def articles(self) -> list[dict[str, Any]]:
        """JSON-LD objects of an article type; failing that, any object with a headline."""
        typed = [obj for obj in self.jsonld if _types(obj) & ARTICLE_TYPES]
        return typed or [obj for obj in self.jsonld if obj.get("headline")]

    def article_value(self, key: str) -> Any:
        """The first article object's non-empty value for `key`."""
        for obj in self.articles():
            value = obj.get(key)
            if value not in (None, "", [], {}):
                return value
        return None

    def organisation_names(self) -> list[str]:
        """Names of publishers / organisations / websites declared in JSON-LD."""
        names: list[str] = []
        for obj in self.jsonld:
            if _types(obj) & {"organization", "newsmediaorganization", "website"}:
                names.append(text_of(obj.get("name")))
            publisher = obj.get("publisher")
            for pub in publisher if isinstance(publisher, list) else [publisher]:
                if isinstance(pub, dict):
                    names.append(text_of(pub.get("name")))
        return [name for name in names if name]


def read_page_meta(tree: HtmlElement) -> PageMeta:
    meta: dict[str, list[str]] = {}
    for element in tree.iter("meta"):
        content = element.get("content")
        if content is None:
            continue
        content = clean_text(content)
        for attribute in ("property", "name", "itemprop", "http-equiv"):
            key = element.get(attribute)
            if key:
                meta.setdefault(key.strip().lower(), []).append(content)
    jsonld: list[dict[str, Any]] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() == "application/ld+json" and script.text:
            jsonld.extend(_flatten(_load_json(script.text)))
    root = tree.getroottree().getroot()
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang") or root.get("xml:lang")
    return PageMeta(meta=meta, jsonld=jsonld, html_lang=(lang or "").strip() or None)


def clean_text(value: str) -> str:
    """Unescape HTML entities (also double-escaped ones) and collapse whitespace."""
    for _ in range(3):  # "&amp;#39;" takes two rounds
        unescaped = html.unescape(value)
        if unescaped == value:
            break
        value = unescaped
    return _WHITESPACE.sub(" ", value.replace("\u200b", "").replace("\ufeff", "")).strip()


def text_of(value: Any) -> str:
    """A JSON-LD value as plain text: strings as they are, {"name": ...} / {"@value": ...} objects
    by their name, lists joined with ", "."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return text_of(value.get("name") or value.get("@value") or "")
    if isinstance(value, list):
        return ", ".join(part for part in (text_of(item) for item in value) if part)
    return ""


def _types(obj: dict[str, Any]) -> set[str]:
    declared = obj.get("@type")
    values = declared if isinstance(declared, list) else [declared]
    return {value.rsplit("/", 1)[-1].lower() for value in values if isinstance(value, str)}


def _load_json(text: str) -> Any:
    text = _JSON_COMMENTS.sub("", text.strip())
    for candidate in (text, _TRAILING_COMMAS.sub(r"\1", text)):
        try:
            return json.loads(candidate, strict=False)
        except (ValueError, RecursionError):
            continue
    return None


def _flatten(value: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 3:
        return
    if isinstance(value, list):
        for item in value:
            yield from _flatten(item, depth + 1)
    elif isinstance(value, dict):
        yield value
        if "@graph" in value:
            yield from _flatten(value["@graph"], depth + 1)
        main = value.get("mainEntity")
        if isinstance(main, dict) and _types(main) & ARTICLE_TYPES:
            yield main
