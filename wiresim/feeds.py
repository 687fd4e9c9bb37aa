"""Machine-readable discovery: RSS 2.0 feed, sitemap index, Google News sitemap, listing-page
sitemap and robots.txt. These carry no rotating noise, so they are cached per site version."""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape

from .content import SECTIONS
from .pages import SITE_NAME, ListItem

FEED_SIZE = 50


def x(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def rss(items: list[ListItem], base_url: str, built: datetime) -> str:
    """RSS 2.0 of the latest articles, with the publisher's modified time per item as
    atom:updated and dcterms:modified (feeds in the wild use either)."""
    entries = []
    for i in items[:FEED_SIZE]:
        url = base_url + i.path
        entries.append(
            f"<item>\n<title>{x(i.headline)}</title>\n<link>{x(url)}</link>\n"
            f'<guid isPermaLink="false">wiresim-{i.id}</guid>\n'
            f"<pubDate>{format_datetime(i.published, usegmt=True)}</pubDate>\n"
            f"<atom:updated>{i.modified.isoformat()}</atom:updated>\n"
            f"<dcterms:modified>{i.modified.isoformat()}</dcterms:modified>\n"
            f"<category>{x(i.section)}</category>\n"
            f"<description>{x(i.lead)}</description>\n</item>\n")
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" '
            'xmlns:dcterms="http://purl.org/dc/terms/">\n<channel>\n'
            f"<title>{SITE_NAME}</title>\n<link>{base_url}/</link>\n"
            f"<description>Latest news from {SITE_NAME}</description>\n<language>en</language>\n"
            f"<lastBuildDate>{format_datetime(built, usegmt=True)}</lastBuildDate>\n"
            f'<atom:link href="{base_url}/rss.xml" rel="self" type="application/rss+xml"/>\n'
            + "".join(entries) + "</channel>\n</rss>\n")


def sitemap_index(base_url: str, modified: datetime) -> str:
    maps = "".join(f"<sitemap><loc>{base_url}/{name}</loc><lastmod>{modified.isoformat()}"
                   f"</lastmod></sitemap>\n" for name in ("sitemap-news.xml",
                                                          "sitemap-sections.xml"))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + maps + "</sitemapindex>\n")


def news_sitemap(items: list[ListItem], base_url: str) -> str:
    """Every live article (not only the last two days Google asks for): benchmarks discover a
    thousand-article site through it."""
    urls = "".join(
        f"<url>\n<loc>{x(base_url + i.path)}</loc>\n<lastmod>{i.modified.isoformat()}</lastmod>\n"
        f"<news:news>\n<news:publication><news:name>{SITE_NAME}</news:name>"
        f"<news:language>{i.language}</news:language></news:publication>\n"
        f"<news:publication_date>{i.published.isoformat()}</news:publication_date>\n"
        f"<news:title>{x(i.headline)}</news:title>\n"
        f"<news:keywords>{x(', '.join(i.tags))}</news:keywords>\n</news:news>\n</url>\n"
        for i in items)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n'
            + urls + "</urlset>\n")


def sections_sitemap(base_url: str, modified: datetime) -> str:
    paths = ["/", *(f"/section/{s}" for s in SECTIONS)]
    urls = "".join(f"<url><loc>{base_url}{p}</loc><lastmod>{modified.isoformat()}</lastmod>"
                   f"<changefreq>always</changefreq></url>\n" for p in paths)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + urls + "</urlset>\n")


def robots_txt(base_url: str) -> str:
    return ("User-agent: *\nDisallow: /_admin/\nDisallow: /private/\n\n"
            f"Sitemap: {base_url}/sitemap.xml\n")
