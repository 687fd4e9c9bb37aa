"""Feeds and sitemaps as agencies write them: RSS 2.0 with the agency's date format and time
zone (Yonhap's carry none), Google News sitemaps with lastmod (AP's in US Eastern time without an
offset), sitemap indexes at query-string addresses (Reuters). Builders take a DocContext and
return text; the running site encodes it in the document's charset."""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from typing import Callable
from xml.sax.saxutils import escape

from .base import DocContext

FEED_SIZE = 50


def x(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def rfc822(when: datetime) -> str:
    """RFC 822 in the time's own zone: "Tue, 17 Oct 2023 12:00:00 +0300"."""
    return format_datetime(when)


def rfc822_no_zone(when: datetime) -> str:
    """RFC 822 with the zone left off, as Yonhap's English feeds do (the reader must know it
    is Korea time)."""
    return when.strftime("%a, %d %b %Y %H:%M:%S")


def iso(when: datetime) -> str:
    return when.isoformat()


def iso_no_zone(when: datetime) -> str:
    return when.replace(tzinfo=None).isoformat()


def rss(ctx: DocContext, title: str, link: str, description: str = "",
        date: Callable[[datetime], str] = rfc822, item_link=None, encoding: str = "utf-8",
        guid: Callable | None = None, categories: bool = True, full_text: bool = False) -> str:
    """RSS 2.0 of the latest stories. `item_link(item)` gives the link as the agency writes it
    (default: the article URL); `guid(item)` an isPermaLink="false" guid if the agency has one."""
    p = ctx.persona
    item_link = item_link or ctx.url
    entries = []
    for i in ctx.items[:FEED_SIZE]:
        parts = [f"<title>{x(i.headline)}</title>", f"<link>{x(item_link(i))}</link>",
                 (f'<guid isPermaLink="false">{x(guid(i))}</guid>' if guid
                  else f"<guid>{x(ctx.url(i))}</guid>"),
                 f"<pubDate>{date(p.local(i.published))}</pubDate>",
                 f"<description>{x(i.lead)}</description>"]
        if categories:
            parts.append(f"<category>{x(p.section_title(i.section))}</category>")
        if full_text:
            parts.append(f"<yandex:full-text>{x(i.lead)}</yandex:full-text>")
        entries.append("<item>\n" + "\n".join(parts) + "\n</item>\n")
    ns = ' xmlns:yandex="http://news.yandex.ru"' if full_text else ""
    return (f'<?xml version="1.0" encoding="{encoding}"?>\n<rss version="2.0"{ns}>\n<channel>\n'
            f"<title>{x(title)}</title>\n<link>{x(link)}</link>\n"
            f"<description>{x(description or title)}</description>\n"
            f"<language>{p.language}</language>\n"
            f"<lastBuildDate>{date(p.local(ctx.modified))}</lastBuildDate>\n"
            + "".join(entries) + "</channel>\n</rss>\n")


def news_sitemap(ctx: DocContext, name: str, lastmod: Callable[[datetime], str] = iso,
                 limit: int | None = None) -> str:
    """A Google News sitemap: <lastmod> is the story's modified time (the publisher's signal),
    news:publication_date its first publication."""
    p = ctx.persona
    items = ctx.items[:limit] if limit else ctx.items
    urls = "".join(
        f"<url>\n<loc>{x(ctx.url(i))}</loc>\n<lastmod>{lastmod(p.local(i.modified))}</lastmod>\n"
        f"<news:news>\n<news:publication><news:name>{x(name)}</news:name>"
        f"<news:language>{i.language}</news:language></news:publication>\n"
        f"<news:publication_date>{lastmod(p.local(i.published))}</news:publication_date>\n"
        f"<news:title>{x(i.headline)}</news:title>\n</news:news>\n</url>\n" for i in items)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n' + urls + "</urlset>\n")


def urlset(ctx: DocContext, lastmod: Callable[[datetime], str] = iso) -> str:
    """A plain sitemap of the stories with their modified time."""
    p = ctx.persona
    urls = "".join(f"<url><loc>{x(ctx.url(i))}</loc><lastmod>{lastmod(p.local(i.modified))}"
                   f"</lastmod></url>\n" for i in ctx.items)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + urls + "</urlset>\n")


def sitemap_index(ctx: DocContext, locations: list[str]) -> str:
    maps = "".join(f"<sitemap><loc>{x(loc)}</loc><lastmod>{ctx.modified.isoformat()}</lastmod>"
                   f"</sitemap>\n" for loc in locations)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + maps + "</sitemapindex>\n")
