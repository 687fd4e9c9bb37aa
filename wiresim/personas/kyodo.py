"""Kyodo News, English service (english.kyodonews.net).

Follows ../shared/research/agencies.md and the saved 2020 homepage and article
(../shared/corpus/agencies/kyodo): article URLs /news/YYYY/MM/<12 hex>-<slug>.html (Japan date;
the hex is the id). The slug keeps the first headline ("breaking-news-..." while the story is
retitled), so a headline edit never moves a story; an explicit slug change answers 301 from the
old URL (assumed). Feeds /rss/all.xml (the share bar's link) and /rss/news.xml (RSSHub's path
on the other editions); listing pages / (div.sec-latest > ul > li a, relative links) and /news.
Markup as the saved article: div.main > h1, p.credit (byline, "Mar 10, 2020 - 16:46", the
categories), div.mainpic with a lazy data-src image, div.article-body, p.time. Quirk: the
JSON-LD (a list with a BreadcrumbList) states datePublished and dateModified as
"2020-03-10 16:46:00", Japan time with no zone, and the page has no article:published_time."""

from __future__ import annotations

import json
import re

from . import feeds, render
from .base import JST, Document, Listing, PageContext, Persona, UrlScheme, hex_id
from .render import e, t

ORIGIN = "https://english.kyodonews.net"
SECTIONS = (("japan", "Japan"), ("world", "World"), ("asia", "Asia"), ("business", "Business"),
            ("sports", "Sports"))


def _build(a, pid) -> str:
    # Breaking stories keep the "breaking-news-" slug they were first filed under.
    prefix = "breaking-news-" if int(a.id) % 2 else ""
    return f"/news/{a.published.astimezone(JST):%Y/%m}/{pid}-{prefix}{a.slug}.html"


def _ld(ctx: PageContext) -> str:
    a = ctx.article
    when = ctx.persona.local(a.published).strftime("%Y-%m-%d %H:%M:%S")
    modified = ctx.persona.local(a.modified).strftime("%Y-%m-%d %H:%M:%S")
    ld = [{"@context": "http://schema.org", "@type": "NewsArticle", "url": ORIGIN,
           "publisher": {"@type": "Organization", "name": "KYODO NEWS+"},
           "headline": a.shown_headline("jsonld"),
           "author": {"@type": "Person", "name": "KYODO NEWS"},
           "datePublished": when, "dateModified": modified,
           "mainEntityOfPage": {"@type": "WebPage", "@id": ctx.url}},
          {"@context": "http://schema.org", "@type": "BreadcrumbList", "itemListElement": [
              {"@type": "ListItem", "position": 1, "item": {"@id": ORIGIN, "name": "TOP"}},
              {"@type": "ListItem", "position": 2,
               "item": {"@id": ctx.url, "name": a.shown_headline("jsonld")}}]}]
    text = json.dumps(ld).replace("/", "\\/")
    return f'<script type="application/ld+json">{text}</script>\n'


def article(ctx: PageContext) -> str:
    a, p, rng = ctx.article, ctx.persona, ctx.rng
    when = p.local(a.published)
    section = p.section_title(a.section)
    credit = (f'<p class="credit" >\n<img src="/en/img/thumbnail.png" alt="KYODO NEWS" />\n'
              f'<a href="/kyodo_news">KYODO NEWS</a>\n-\n{when:%b %d, %Y - %H:%M} |  '
              f'<a href="/news" >All</a>, <a href="/news/{a.section}" >{t(section)}</a>\n</p>\n')
    main = ('<div class="main">\n'
            f'<h1>{t(a.shown_headline("h1"))}</h1>\n'
            f'<div class="js-more-url" data-title="{e(a.shown_headline("h1"))}" '
            f'data-url="{e(ctx.url[len(ORIGIN):])}"></div>\n{credit}'
            f'<div class="mainpic"><img src="/en/img/thumbnail.png" data-src="https://img.'
            f'kyodonews.net/english/public/images/posts/{rng.getrandbits(128):032x}/'
            'cropped_image_l.jpg" alt=""></div>\n'
            '<div class="article-body">\n' + render.paragraphs(ctx) + "</div>\n"
            f'<p class="time">\n{when:%b %d, %Y}\n| <a href="/kyodo_news">KYODO NEWS</a>\n</p>\n'
            "</div>\n"
            + render.related(rng, f"More from {section}", cls="sec-related"))
    head = render.head(ctx, ld=_ld(ctx), title_suffix="", times=False)
    return render.html_page(p, head, render.chrome(p, rng, main, most_read="Popular"),
                            lang="en").replace('<html lang="en">', '<html class="full">', 1)


def listing(ctx, listing: Listing, rng, target: str) -> str:
    return render.listing_page(ctx, listing.heading, rng, link=lambda i, n: i.path,
                               item='<li><a href="{href}">{title}</a></li>',
                               wrap=('<div class="sec-latest"><ul>', "</ul></div>"))


def _feed() -> Document:
    return Document(lambda ctx: feeds.rss(ctx, "Kyodo News+", ORIGIN + "/"))


KYODO = Persona(
    name="kyodo", title="Kyodo News (English)", site_name="Kyodo News+", origin=ORIGIN,
    hosts=("english.kyodonews.net",), language="en", sections=SECTIONS,
    scheme=UrlScheme(build=_build, public_id=hex_id("kyodo", 12),
                     pattern=re.compile(r"^/news/\d{4}/\d{2}/(?P<key>[0-9a-f]{12})-[a-z0-9-]+"
                                        r"\.html$")),
    article_page=article, listing_page=listing,
    documents={"/rss/all.xml": _feed(), "/rss/news.xml": _feed()},
    listings={"/": Listing("Latest"), "/news": Listing("News")},
    tz=JST, moves="slug",
    imitates="english.kyodonews.net: /news/YYYY/MM/<12 hex>-<slug>.html (slug frozen at the "
             "first headline, \"breaking-news-...\"; an explicit new slug: 301), /rss/all.xml and "
             "/rss/news.xml, / (div.sec-latest) and /news, the saved article's markup, JSON-LD "
             "dates in Japan time with no zone and no article:published_time")
