"""The Associated Press (apnews.com).

Follows ../shared/research/agencies.md (AP table): no RSS; article URLs /article/<slug>-<32 hex>
(the hex is the id; an earlier slug, the slug-less /article/<hex> and the pre-2020 /<hex> all
answer 301 to the current URL); the news sitemap /news-sitemap-content.xml and
/ap-sitemap-latest.xml with news:title and news:publication_date, whose <lastmod> is US Eastern
time written without an offset (RSSHub shifts it); the sitemap index /sitemap.xml, which also
lists hub pages; the homepage with a[href^="https://apnews.com/article/"] links and hub links.
Markup since 2023 (fundus V1_1, RSS-Bridge): h1.Page-headline, div.Page-authors,
div.RichTextStoryBody.RichTextBody with in-body div.Enhancement promos (a different one on every
request), dates in JSON-LD and article:published_time in UTC."""

from __future__ import annotations

import re

from . import feeds, render
from .base import US_EASTERN, Document, Listing, PageContext, Persona, UrlScheme, hex_id
from .render import t

SECTIONS = (("world-news", "World News"), ("politics", "Politics"), ("business", "Business"),
            ("science", "Science"))
ORIGIN = "https://apnews.com"


def article(ctx: PageContext) -> str:
    a, p, rng = ctx.article, ctx.persona, ctx.rng
    promo = (f'<div class="Enhancement"><div class="PagePromo"><a class="Link" '
             f'href="{ORIGIN}/article/{rng.getrandbits(128):032x}">{t(ctx.teaser)}</a>'
             "</div></div>")
    stamp = int(a.published.timestamp() * 1000)
    main = ('<main class="Page-main">\n<div class="Page-above">\n'
            f'<h1 class="Page-headline">{t(a.shown_headline("h1"))}</h1>\n'
            f'<div class="Page-authors"><span class="Link">{t(a.byline)}</span></div>\n'
            f'<bsp-timestamp data-timestamp="{stamp}"></bsp-timestamp>\n</div>\n'
            '<div class="RichTextStoryBody RichTextBody">\n<p>' + t(a.lead) + "</p>\n"
            + render.paragraphs(ctx, card=promo, card_at=3) + "</div>\n"
            + render.related(rng, "Related Stories", cls="PageList") + "</main>\n")
    head = render.head(ctx, title_suffix=" | AP News")
    return render.html_page(p, head, render.chrome(p, rng, main))


def listing(ctx, listing: Listing, rng, target: str) -> str:
    hubs = "".join(f'<a class="Link" href="{ORIGIN}/hub/{name}">{t(title)}</a>'
                   for name, title in SECTIONS)
    page = render.listing_page(ctx, listing.heading, rng,
                               item='<div class="PagePromo"><h3 class="PagePromo-title"><a '
                                    'class="Link" href="{href}">{title}</a></h3></div>',
                               wrap=('<div class="PageList-items">', "</div>"))
    return page.replace("<main>\n", f'<main>\n<nav class="Hubs">{hubs}</nav>\n', 1)


def eastern_no_offset(when) -> str:
    return feeds.iso_no_zone(when.astimezone(US_EASTERN).replace(microsecond=0))


def _hubs(ctx) -> str:
    """Hub pages, not stories: a crawler filters them out by the article pattern."""
    urls = "".join(f"<url><loc>{ORIGIN}/hub/{name}</loc><lastmod>{ctx.modified.isoformat()}"
                   "</lastmod></url>\n" for name, _ in SECTIONS)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + urls + "</urlset>\n")


def _index(ctx) -> str:
    return feeds.sitemap_index(ctx, [f"{ORIGIN}/news-sitemap-content.xml",
                                     f"{ORIGIN}/ap-sitemap-latest.xml",
                                     f"{ORIGIN}/hub/sitemap.xml"])


AP = Persona(
    name="ap", title="The Associated Press", site_name="AP News", origin=ORIGIN,
    hosts=("apnews.com",), language="en", sections=SECTIONS,
    scheme=UrlScheme(build=lambda a, pid: f"/article/{a.slug}-{pid}", public_id=hex_id("ap", 32),
                     pattern=re.compile(r"^/(?:article/(?:[a-z0-9-]+-)?)?(?P<key>[0-9a-f]{32})$")),
    article_page=article, listing_page=listing,
    documents={
        "/sitemap.xml": Document(_index, "application/xml"),
        "/hub/sitemap.xml": Document(_hubs, "application/xml"),
        "/news-sitemap-content.xml": Document(
            lambda ctx: feeds.news_sitemap(ctx, "Associated Press", lastmod=eastern_no_offset),
            "application/xml"),
        "/ap-sitemap-latest.xml": Document(
            lambda ctx: feeds.news_sitemap(ctx, "Associated Press", lastmod=eastern_no_offset,
                                           limit=20), "application/xml")},
    listings={"/": Listing("AP News"),
              **{f"/hub/{name}": Listing(title) for name, title in SECTIONS}},
    moves="slug", robots_disallow=("/search", "/graphql/"),
    sitemaps=(f"{ORIGIN}/sitemap.xml", f"{ORIGIN}/news-sitemap-content.xml"),
    imitates="apnews.com: /article/<slug>-<32 hex> (new slug, slug-less and pre-2020 /<hex> "
             "URLs: 301), no feed, /news-sitemap-content.xml and /ap-sitemap-latest.xml with "
             "<lastmod> in US Eastern time without an offset, homepage with hub links, "
             "div.RichTextStoryBody with rotating div.Enhancement promos")

