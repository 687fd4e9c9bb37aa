"""What a persona is: a description of one real agency's site (hosts, URL and id scheme, markup,
charset, feeds and sitemaps at their real paths, listing pages, quirks) that the simulator's
own articles, edits, pulls and faults are served through. A persona holds no state: the
running site (wiresim/personas/site.py) does.

The facts each persona follows, and where they come from, are in ../shared/research/agencies.md;
each agency module says which ones it uses and which are guesses."""

from __future__ import annotations

import dataclasses
import hashlib
import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Callable

from ..content import Article
from ..pages import ListItem

UTC = timezone.utc
MSK = timezone(timedelta(hours=3), "MSK")
KST = timezone(timedelta(hours=9), "KST")
JST = timezone(timedelta(hours=9), "JST")
CST_CN = timezone(timedelta(hours=8), "CST")      # Beijing
EET = timezone(timedelta(hours=2), "EET")         # Kyiv (winter time; the offset is stated)
TRT = timezone(timedelta(hours=3), "TRT")         # Istanbul / Ankara
CUBA = timezone(timedelta(hours=-5), "CST")       # Havana (standard time)
US_EASTERN = timezone(timedelta(hours=-4), "EDT")  # New York (daylight time)


# -- ids ---------------------------------------------------------------------------------------

def numeric_id(offset: int) -> Callable[[Article], str]:
    """An agency's running number: the simulator's id (1001, 1002 ...) plus an offset that
    gives it the agency's length (TASS 7 digits, RIA 10)."""
    return lambda a: str(offset + int(a.id))


def hex_id(salt: str, length: int) -> Callable[[Article], str]:
    """A content-management hash id (AP, Xinhua 32 hex digits; Kyodo 12), stable per article."""
    return lambda a: hashlib.md5(f"{salt}:{a.id}".encode()).hexdigest()[:length]


@dataclass(frozen=True)
class UrlScheme:
    """How an agency names article URLs, and how a request finds the article again.

    build(article, public id) gives the path (with its query, if the id lives there) on the
    persona's article origin. `pattern` is matched on the request's path, or on "path?query"
    when `in_query`; its group `key` is what finds the article: the public id, or for an agency
    with no id in its URLs (Reuters, `by_slug`) the slug part, every earlier slug included."""
    build: Callable[[Article, str], str]
    pattern: re.Pattern
    public_id: Callable[[Article], str]
    in_query: bool = False
    by_slug: bool = False

    def path(self, a: Article) -> str:
        return self.build(a, self.public_id(a))

    def key_of(self, path: str, query: str = "") -> str | None:
        target = f"{path}?{query}" if self.in_query and query else path
        m = self.pattern.match(target)
        return m.group("key") if m else None

    def keys(self, a: Article) -> list[str]:
        """Every key that leads to `a`: its id, or (by_slug) its current and earlier slugs."""
        if not self.by_slug:
            return [self.public_id(a)]
        keys = []
        for slug in [a.slug, *a.old_slugs]:
            path, _, query = self.build(dataclasses.replace(a, slug=slug), "").partition("?")
            key = self.key_of(path, query)
            if key:
                keys.append(key)
        return keys


# -- pages and documents -----------------------------------------------------------------------

@dataclass(frozen=True)
class PageContext:
    """What an article template gets: the article, where it lives, and the per-request noise."""
    persona: "Persona"
    article: Article
    url: str                 # the article's current (canonical) URL
    requested: str           # the URL the client asked for (a persona may echo it)
    rng: random.Random       # per-request noise, never the simulator's seed
    teaser: str              # this response's in-body "read also" headline
    now: datetime


@dataclass(frozen=True)
class DocContext:
    """What a feed, sitemap or listing builder gets: the live articles, newest first."""
    persona: "Persona"
    items: list[ListItem]
    modified: datetime       # the site's last change

    def url(self, item: ListItem) -> str:
        return self.persona.origin_for(item.language) + item.path


@dataclass(frozen=True)
class Document:
    """A feed or sitemap at its real address: the path, or "path?query" when the agency's
    address has a query (Reuters' ?outputType=xml). build(ctx) -> text, encoded in `charset`."""
    build: Callable[[DocContext], str]
    content_type: str = "application/rss+xml"
    charset: str = "utf-8"


@dataclass(frozen=True)
class Listing:
    """A listing page: a heading and which articles it shows (all, one section's, one
    edition's)."""
    heading: str
    section: str | None = None
    language: str | None = None     # one edition's stories only (a site in two languages)


@dataclass(frozen=True)
class Quirk:
    """A misbehaviour acted out before routing (a block, a challenge, a redirect page). `gate`
    returns a Response or None; `options` are defaults the running site lets tests change."""
    name: str
    gate: Callable
    options: dict = field(default_factory=dict)
    doc: str = ""


@dataclass(frozen=True)
class Persona:
    name: str                      # the seed name it imitates: "tass"
    title: str                     # "TASS (English)"
    site_name: str                 # as the pages say it: og:site_name, the <title> suffix
    origin: str                    # scheme and host of article URLs: "https://tass.com"
    hosts: tuple[str, ...]         # every host it answers for (feeds may live on another)
    language: str
    sections: tuple[tuple[str, str], ...]   # (URL name, title)
    scheme: UrlScheme
    article_page: Callable[[PageContext], str]
    listing_page: Callable[[DocContext, Listing, random.Random, str], str]
    documents: dict[str, Document]
    listings: dict[str, Listing]
    charset: str = "utf-8"
    tz: tzinfo = UTC               # the zone its pages state times in
    moves: str | None = "slug"     # what WireSim.move() changes: "slug", "section" or None
    moved: str = "redirect"        # an earlier URL of a moved article: "redirect" (301) or "serve"
    amp: Callable[[str], str] | None = None   # AMP path of an article path, if the site has AMP
    robots_disallow: tuple[str, ...] = ("/search",)
    sitemaps: tuple[str, ...] = ()  # announced in robots.txt
    quirks: tuple[Quirk, ...] = ()
    imitates: str = ""             # one paragraph for the docs: what it follows, and from where
    # Other editions on other hosts: {language: origin}. Articles publish in turns in
    # `language` and these; listings and documents keyed "<host>/<path>" are that host's own.
    editions: dict[str, str] = field(default_factory=dict)

    @property
    def languages(self) -> tuple[str, ...]:
        return (self.language, *self.editions)

    def origin_for(self, language: str) -> str:
        return self.editions.get(language, self.origin)

    def section_title(self, name: str) -> str:
        return dict(self.sections).get(name, name.replace("-", " ").title())

    def local(self, when: datetime) -> datetime:
        return when.astimezone(self.tz)

    def url(self, a: Article) -> str:
        return self.origin_for(a.language) + self.scheme.path(a)
