"""HTML pages of the simulated agency. Every page carries rotating boilerplate drawn from a
per-request random source (never the simulator's seed), so two fetches of an unchanged article
always differ in bytes while the article itself does not: the situation a revision archive has to
see through."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime
from html import escape
from urllib.parse import quote_plus

from .content import SECTION_TITLES, SECTIONS, Article
from .pool import NOISE_HEADLINES

SITE_NAME = "WireSim News Agency"
LABELS = {
    "en": {"home": "Home", "read_also": "Read also:", "related": "Related stories",
           "most_read": "Most read", "updated": "Updated", "published": "Published",
           "views": "Views", "tags": "Tags", "minutes_ago": "Site updated {n} minutes ago"},
    "ru": {"home": "Главная", "read_also": "Читайте также:", "related": "По теме",
           "most_read": "Самое читаемое", "updated": "Обновлено", "published": "Опубликовано",
           "views": "Просмотры", "tags": "Теги", "minutes_ago": "Обновлено {n} минут назад"},
}


@dataclass(frozen=True)
class ListItem:
    """What a listing page, feed or sitemap needs of an article."""
    id: str
    path: str
    headline: str
    section: str
    lead: str
    tags: tuple[str, ...]
    language: str
    published: datetime
    modified: datetime

    @classmethod
    def of(cls, a: Article, path: str | None = None) -> "ListItem":
        """`path`: where the site links the article (a persona's URL scheme), else a.path."""
        return cls(a.id, a.path if path is None else path, a.headline, a.section, a.lead,
                   tuple(a.tags), a.language, a.published, a.modified)


def e(text: str) -> str:
    """Escape for an attribute value."""
    return escape(text, quote=True)


def t(text: str) -> str:
    """Escape for element text: quotes stay as written, as they do on real pages."""
    return escape(text, quote=False)


def display_time(t: datetime) -> str:
    return t.strftime("%d %B %Y, %H:%M UTC")


def tag_path(tag: str) -> str:
    return "/tag/" + quote_plus(tag.lower())


def search_path(headline: str) -> str:
    # Noise links point at search results, a real page of the site that is not an article.
    return "/search?q=" + quote_plus(headline)


def _labels(language: str) -> dict:
    return LABELS.get(language, LABELS["en"])


def _head(title: str, rng: random.Random, charset: str = "utf-8", extra: str = "") -> str:
    nonce = f"{rng.getrandbits(128):032x}"
    return (f'<head>\n<meta charset="{charset}">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{t(title)}</title>\n"
            f'<link rel="alternate" type="application/rss+xml" title="{SITE_NAME}" '
            f'href="/rss.xml">\n{extra}'
            f'<script nonce="{nonce}">window.__CSRF_TOKEN__ = "{rng.getrandbits(160):040x}"; '
            f'window.__PAGE_VIEW_ID__ = {rng.randrange(10**9)};</script>\n</head>\n')


def _header(rng: random.Random, language: str = "en") -> str:
    labels = _labels(language)
    menu = "".join(f'<li><a href="/section/{s}">{SECTION_TITLES[s]}</a></li>' for s in SECTIONS)
    return (f'<header class="site-header">\n<a class="logo" href="/">{SITE_NAME}</a>\n'
            f'<nav class="menu"><ul><li><a href="/">{labels["home"]}</a></li>{menu}'
            f'<li><a href="/about">About us</a></li></ul></nav>\n'
            f'<div class="ticker">{labels["minutes_ago"].format(n=rng.randint(1, 59))}</div>\n'
            f'<div class="ad-slot" id="ad-top-{rng.getrandbits(32):08x}" data-slot="leaderboard">'
            f"</div>\n</header>\n")


def _footer(rng: random.Random, language: str = "en") -> str:
    most = "".join(f'<li><a href="{search_path(h)}">{t(h)}</a></li>'
                   for h in rng.sample(NOISE_HEADLINES, 3))
    return (f'<footer class="site-footer">\n<div class="most-read"><h2>'
            f'{_labels(language)["most_read"]}</h2><ul>{most}</ul></div>\n'
            f'<p>&copy; {SITE_NAME}. All rights reserved. <a href="/about">About us</a> | '
            f'<a href="/rss.xml">RSS</a> | <a href="/private/">Staff area</a></p>\n'
            f"<!-- rendered in {rng.randint(3, 90)} ms by node {rng.randint(1, 16)} -->\n"
            f"</footer>\n")


def _page(lang: str, head: str, body: str) -> str:
    return f'<!DOCTYPE html>\n<html lang="{lang}">\n{head}<body>\n{body}</body>\n</html>\n'


def _related(rng: random.Random, language: str) -> str:
    items = "".join(f'<li><a href="{search_path(h)}">{t(h)}</a></li>'
                    for h in rng.sample(NOISE_HEADLINES, 5))
    return (f'<aside class="related"><h2>{_labels(language)["related"]}</h2>'
            f"<ul>{items}</ul></aside>\n")


def article_page(a: Article, base_url: str, rng: random.Random, teaser: str | None = None) -> str:
    url = base_url + a.path
    labels = _labels(a.language)
    section_title = SECTION_TITLES.get(a.section, a.section.title())
    pub, mod = a.published.isoformat(), a.modified.isoformat()
    ld = {"@context": "https://schema.org", "@type": "NewsArticle",
          "headline": a.shown_headline("jsonld"),
          "description": a.lead, "datePublished": pub, "dateModified": mod,
          "author": {"@type": "Person", "name": a.byline.split(" ", 1)[-1]},
          "publisher": {"@type": "Organization", "name": SITE_NAME},
          "mainEntityOfPage": url, "articleSection": section_title,
          "keywords": ", ".join(a.tags), "inLanguage": a.language}
    ld_json = json.dumps(ld, ensure_ascii=False).replace("</", "<\\/")
    meta = (f'<meta name="description" content="{e(a.lead)}">\n'
            f'<meta property="og:type" content="article">\n'
            f'<meta property="og:title" content="{e(a.shown_headline("og"))}">\n'
            f'<meta property="og:site_name" content="{SITE_NAME}">\n'
            f'<meta property="og:description" content="{e(a.lead)}">\n'
            f'<meta property="og:url" content="{e(url)}">\n'
            f'<meta name="twitter:title" content="{e(a.shown_headline("twitter"))}">\n'
            f'<meta property="article:published_time" content="{pub}">\n'
            f'<meta property="article:modified_time" content="{mod}">\n'
            f'<meta property="article:section" content="{e(section_title)}">\n'
            + "".join(f'<meta property="article:tag" content="{e(tag)}">\n' for tag in a.tags)
            + f'<link rel="canonical" href="{e(url)}">\n'
            f'<script type="application/ld+json">{ld_json}</script>\n')
    body_parts = []
    read_also_at = min(2, len(a.paragraphs))
    ad_at = min(4, len(a.paragraphs))
    for i, p in enumerate(a.paragraphs + [None]):
        if i == read_also_at:
            teaser = teaser or rng.choice(NOISE_HEADLINES)
            # A paragraph, as on TASS pages: text extractors keep it, so only noise immunity
            # (or a seed's drop rule) keeps it out of the versions.
            body_parts.append(f'<p class="read-also">{labels["read_also"]} '
                              f'<a href="{search_path(teaser)}">{t(teaser)}</a></p>')
        if i == ad_at:
            body_parts.append(f'<div class="ad-slot" id="ad-{rng.getrandbits(32):08x}" '
                              f'data-slot="in-article"></div>')
        if p is not None:
            body_parts.append(f"<p>{t(p)}</p>")
    tags = "".join(f'<li><a href="{tag_path(tag)}">{t(tag)}</a></li>' for tag in a.tags)
    body = (_header(rng, a.language)
            + f'<nav class="breadcrumb"><a href="/">{labels["home"]}</a> &rsaquo; '
            f'<a href="/section/{a.section}">{t(section_title)}</a></nav>\n<main>\n'
            f'<article class="news-article" data-article-id="{a.id}">\n'
            f'<h1 class="headline">{t(a.shown_headline("h1"))}</h1>\n'
            f'<div class="article-meta"><span class="byline">{t(a.byline)}</span>\n'
            f'<time class="published" datetime="{pub}">{labels["published"]}: '
            f"{display_time(a.published)}</time>\n"
            f'<time class="modified" datetime="{mod}">{labels["updated"]}: '
            f"{display_time(a.modified)}</time>\n"
            f'<span class="views">{labels["views"]}: {rng.randint(120, 99999)}</span></div>\n'
            f'<p class="lead">{t(a.lead)}</p>\n'
            f'<div class="article-body">\n' + "\n".join(body_parts) + "\n</div>\n"
            f'<ul class="tags" aria-label="{labels["tags"]}">{tags}</ul>\n</article>\n'
            + _related(rng, a.language) + "</main>\n" + _footer(rng, a.language))
    head = _head(f"{a.shown_headline('title')} - {SITE_NAME}", rng, charset=a.charset,
                 extra=meta)
    return _page(a.language, head, body)


def listing_page(title: str, heading: str, items: list[ListItem], rng: random.Random,
                 tags: list[str] = ()) -> str:
    rows = "".join(
        f'<li class="news-item"><a class="title" href="{i.path}">{t(i.headline)}</a> '
        f'<time datetime="{i.published.isoformat()}">{display_time(i.published)}</time>'
        f'<p class="summary">{t(i.lead)}</p></li>\n' for i in items)
    tag_links = "".join(f'<li><a href="{tag_path(tag)}">{t(tag)}</a></li>' for tag in tags)
    body = (_header(rng) + f'<main>\n<h1>{t(heading)}</h1>\n<ul class="news-list">\n{rows}</ul>\n'
            + (f'<nav class="popular-tags"><ul>{tag_links}</ul></nav>\n' if tag_links else "")
            + "</main>\n" + _footer(rng))
    return _page("en", _head(title, rng), body)


def simple_page(title: str, heading: str, paragraphs: list[str], rng: random.Random,
                links: list[tuple[str, str]] = ()) -> str:
    text = "".join(f"<p>{t(p)}</p>\n" for p in paragraphs)
    link_list = "".join(f'<li><a href="{href}">{t(label)}</a></li>' for href, label in links)
    body = (_header(rng) + f"<main>\n<h1>{t(heading)}</h1>\n{text}"
            + (f"<ul>{link_list}</ul>\n" if link_list else "") + "</main>\n" + _footer(rng))
    return _page("en", _head(f"{title} - {SITE_NAME}", rng), body)


def about_page(rng: random.Random) -> str:
    return simple_page("About us", "About WireSim News Agency", [
        "WireSim News Agency is a simulated wire service. It publishes, edits, moves and pulls "
        "stories the way real agencies do, so that archiving tools can be tested against it.",
        "Our correspondents file around the clock from bureaus in many capitals."], rng)


def private_page(rng: random.Random, items: list[ListItem]) -> str:
    # Linked from every footer but disallowed in robots.txt: a crawler that fetches it ignored
    # robots.txt.
    return simple_page("Staff area", "Staff area", [
        "Internal desk notes. This area is for agency staff only."], rng,
        links=[(f"/private/draft/{i.id}", i.headline) for i in items[:10]])


def not_found_page(rng: random.Random, status: int = 404) -> str:
    heading = "This story is no longer available" if status == 410 else "Page not found"
    return simple_page(heading, heading, [
        "The page you requested could not be found. It may have been moved or removed."], rng)


def error_page(status: int, rng: random.Random) -> str:
    return simple_page(f"Error {status}", "Something went wrong",
                       [f"The server could not complete your request (error {status}). "
                        "Please try again later."], rng)


def challenge_page(rng: random.Random) -> str:
    # What an anti-bot wall answers with status 200: no site chrome, no article, only a script.
    ray = f"{rng.getrandbits(64):016x}"
    return ('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<title>Just a moment...</title>\n<meta name="robots" content="noindex,nofollow">\n'
            "</head>\n<body>\n<div class=\"challenge\">\n<h1>Checking your browser before "
            "accessing the site.</h1>\n<p>Please enable JavaScript and cookies to continue.</p>\n"
            "<p>This process is automatic. Your browser will redirect to your requested content "
            "shortly.</p>\n<noscript>Please enable JavaScript to view this page.</noscript>\n"
            f'<script>window._cf_chl_opt = {{cRay: "{ray}", cType: "managed"}};</script>\n'
            f"<p class=\"ray\">Ray ID: {ray}</p>\n</div>\n</body>\n</html>\n")


def near_empty_page(a: Article | None, rng: random.Random) -> str:
    """The site chrome around a headline and one short line: what a CMS serves mid-publish."""
    headline = a.headline if a else "Breaking news"
    return simple_page(headline, headline, ["More details to follow."], rng)


def pad_huge(html: str, size: int, rng: random.Random) -> str:
    """Grow a page to `size` bytes with an inline state blob before </body>, as bloated
    single-page-app pages do; the article stays intact and extractable."""
    missing = max(0, size - len(html.encode("utf-8")))
    chunk = f"{rng.getrandbits(256):064x}"
    blob = (chunk * (missing // len(chunk) + 1))[:missing]
    script = f'<script>window.__INITIAL_STATE__ = "{blob}";</script>\n'
    at = html.rfind("</body>")
    return html[:at] + script + html[at:] if at >= 0 else html + f"<!-- {blob} -->"
