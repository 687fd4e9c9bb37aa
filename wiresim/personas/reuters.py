"""Reuters (www.reuters.com).

Follows ../shared/research/agencies.md (Reuters table): no feed; article URLs
/<section>[/<subsection>]/<slug>-YYYY-MM-DD/ with no id at all, so a request finds its story by
slug and date: every earlier slug (and any section) answers 301 to the current URL; the news
sitemap index /arc/outboundfeeds/news-sitemap-index/?outputType=xml and the full one
/arc/outboundfeeds/sitemap-index/?outputType=xml, whose sitemaps are at query-string addresses
too; the /world/ listing. Markup 2024+ (fundus): h1[data-testid="Heading"],
div[data-testid^="paragraph"] (the first is the dateline paragraph), date and author in JSON-LD.
Quirk: DataDome answers some requests with 401 or 403 and an "enable JS" challenge page (one in
four requests of each article page by default: sim.quirks["datadome"]["every"])."""

from __future__ import annotations

import re

from . import feeds, quirks, render
from .base import Document, Listing, PageContext, Persona, UrlScheme
from .render import t

ORIGIN = "https://www.reuters.com"
SECTIONS = (("world", "World"), ("world/europe", "Europe"), ("world/asia-pacific", "Asia Pacific"),
            ("business", "Business"), ("technology", "Technology"))
NEWS_INDEX = "/arc/outboundfeeds/news-sitemap-index/?outputType=xml"
NEWS_MAP = "/arc/outboundfeeds/news-sitemap/?outputType=xml&from=0"
FULL_INDEX = "/arc/outboundfeeds/sitemap-index/?outputType=xml"
FULL_MAP = "/arc/outboundfeeds/sitemap/?outputType=xml&from=0"


def _build(a, pid) -> str:
    return f"/{a.section}/{a.slug}-{a.published:%Y-%m-%d}/"


def article(ctx: PageContext) -> str:
    a, p, rng = ctx.article, ctx.persona, ctx.rng
    blocks = [a.lead, *a.paragraphs]
    body = "\n".join(f'<div data-testid="paragraph-{n}" class="article-body__paragraph">{t(text)}'
                     "</div>" for n, text in enumerate(blocks))
    promo = (f'<div class="article-body__element"><a href="{ORIGIN}/world/" '
             f'data-testid="Link">{t(ctx.teaser)}<span>, opens new tab</span></a></div>')
    title = p.section_title(a.section)
    main = ('<main id="main-content"><article class="article__container">\n'
            '<header class="article-header__container">\n'
            f'<nav data-testid="Breadcrumbs"><a href="/{a.section}/">{t(title)}</a></nav>\n'
            f'<h1 data-testid="Heading">{t(a.shown_headline("h1"))}</h1>\n'
            f'<time data-testid="DateLineText" datetime="{a.published.isoformat()}">'
            f'{a.published:%B %d, %Y %I:%M %p} UTC</time>\n'
            f'<div data-testid="AuthorByline">{t(a.byline)}</div>\n</header>\n'
            f'<div class="article-body__content" data-testid="ArticleBody">\n{body}\n{promo}\n'
            '</div>\n<p class="trust-badge">Our Standards: The Thomson Reuters Trust Principles.'
            "</p>\n</article>\n" + render.related(rng, "Read Next") + "</main>\n")
    head = render.head(ctx, title_suffix=" | Reuters")
    return render.html_page(p, head, render.chrome(p, rng, main))


def listing(ctx, listing: Listing, rng, target: str) -> str:
    return render.listing_page(ctx, listing.heading, rng, link=lambda i, n: i.path,
                               item='<li class="story-collection__story"><a data-testid='
                                    '"Heading" href="{href}">{title}</a></li>',
                               wrap=('<ul class="story-collection__list">', "</ul>"))


REUTERS = Persona(
    name="reuters", title="Reuters", site_name="Reuters", origin=ORIGIN,
    hosts=("www.reuters.com",), language="en", sections=SECTIONS,
    scheme=UrlScheme(build=_build, public_id=lambda a: f"{a.slug}-{a.published:%Y-%m-%d}",
                     pattern=re.compile(r"^/(?:[a-z-]+/)+(?P<key>[a-z0-9-]+-\d{4}-\d{2}-\d{2})/$"),
                     by_slug=True),
    article_page=article, listing_page=listing,
    documents={
        NEWS_INDEX: Document(lambda ctx: feeds.sitemap_index(ctx, [ORIGIN + NEWS_MAP]),
                             "application/xml"),
        NEWS_MAP: Document(lambda ctx: feeds.news_sitemap(ctx, "Reuters", limit=100),
                           "application/xml"),
        FULL_INDEX: Document(lambda ctx: feeds.sitemap_index(ctx, [ORIGIN + FULL_MAP]),
                             "application/xml"),
        FULL_MAP: Document(feeds.urlset, "application/xml")},
    listings={"/world/": Listing("World", section=None)},
    moves="slug", robots_disallow=("/search/", "/pf/api/", "/mobile/"),
    sitemaps=(ORIGIN + NEWS_INDEX, ORIGIN + FULL_INDEX),
    quirks=(quirks.datadome(every=4),),
    imitates="www.reuters.com: /<section>/<slug>-YYYY-MM-DD/ with no id (every earlier slug "
             "answers 301), news and full sitemap indexes at ?outputType=xml addresses, /world/, "
             "div[data-testid=paragraph-N]; DataDome answers one request in four to each article "
             "page (after its first) with 401/403 and a challenge page")
