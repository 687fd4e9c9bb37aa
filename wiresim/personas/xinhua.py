"""Xinhua: the English service (english.news.cn, feeds on www.xinhuanet.com) and the Spanish
one (spanish.news.cn).

Follows ../shared/research/agencies.md (Xinhua table): article URLs /YYYYMMDD/<32 hex>/c.html
(Beijing date; the hex is the id, and nothing in the URL can change, so stories never move),
the RSS feeds http://www.xinhuanet.com/english/rss/worldrss.xml and chinarss.xml (NewsGrabber
2016: old, on the old host, plain http), the homepage as listing, body #detailContent
(RSSHub); the headline and date markup around it are guesses. The Spanish service uses the
markup of the one saved Xinhua page (../shared/corpus/agencies/xinhua, 2020): div.bt > h2,
div.sj "Actualizado <time>" (Beijing time, no zone), div.nr > font#Zoom > p; its homepage is
its only listing (no feed known)."""

from __future__ import annotations

import re
from dataclasses import replace

from . import feeds, render
from .base import CST_CN, Document, Listing, PageContext, Persona, UrlScheme, hex_id
from .render import t

SECTIONS = (("world", "World"), ("china", "China"), ("business", "Business"),
            ("sci-tech", "Sci-Tech"))
SECTIONS_ES = (("mundo", "Mundo"), ("china", "China"), ("economia", "Economía"))


def _scheme(salt: str) -> UrlScheme:
    return UrlScheme(build=lambda a, pid: f"/{a.published.astimezone(CST_CN):%Y%m%d}/{pid}/c.html",
                     public_id=hex_id(salt, 32),
                     pattern=re.compile(r"^/\d{8}/(?P<key>[0-9a-f]{32})/c\.html$"))


def english_article(ctx: PageContext) -> str:
    a, p, rng = ctx.article, ctx.persona, ctx.rng
    when = p.local(a.published)
    main = ('<div class="main clearfix">\n<div class="head-line clearfix">'
            f'<h1><span class="title">{t(a.shown_headline("h1"))}</span></h1></div>\n'
            f'<div class="header-time"><span class="year"><em>{when:%Y}</em>-{when:%m-%d}</span>'
            f'<span class="time">{when:%H:%M:%S}</span></div>\n'
            f'<div class="source">Source: Xinhua</div>\n'
            f'<div id="detailContent">\n<p>{t(a.lead)}</p>\n' + render.paragraphs(ctx)
            + f'<p class="editor">Editor: {t(a.byline.split(" ", 1)[-1])}</p>\n</div>\n</div>\n'
            + render.related(rng, "Related"))
    head = render.head(ctx, ld=render.jsonld(ctx, author="Xinhua"), title_suffix="-Xinhua")
    return render.html_page(p, head, render.chrome(p, rng, main))


def spanish_article(ctx: PageContext) -> str:
    a, p, rng = ctx.article, ctx.persona, ctx.rng
    when = p.local(a.modified).strftime("%Y-%m-%d %H:%M:%S")
    main = ('<div class="webpage_content"><div class="layout_col33"><div class="col_left">\n'
            f'<div class="bt">\n<h2> {t(a.shown_headline("h1"))}</h2>\n</div>\n'
            f'<div class="sj"><span>Actualizado  {when} | <a href="https://spanish.news.cn/">'
            "Spanish. xinhuanet. com </a></span></div>\n"
            '<div class="nr">\n<font id="Zoom">\n<p>' + t(a.lead) + "</p>\n"
            + render.paragraphs(ctx) + "</font>\n</div>\n</div></div></div>\n")
    head = render.head(ctx, title_suffix=" | Spanish.xinhuanet.com",
                       extra=f'<meta name="pubdate" content="{p.local(a.published):%Y-%m-%dT%H:%M:%S}Z">\n')
    return render.html_page(p, head, render.chrome(p, rng, main, most_read="Lo más leído"))


def listing(ctx, listing: Listing, rng, target: str) -> str:
    return render.listing_page(ctx, listing.heading, rng,
                               item='<div class="tit"><a href="{href}">{title}</a></div>',
                               wrap=('<div class="list">', "</div>"))


def _feed(section: str, title: str) -> Document:
    def build(ctx):
        ctx = replace(ctx, items=[i for i in ctx.items if i.section == section])
        return feeds.rss(ctx, title, "http://www.xinhuanet.com/english/")
    return Document(build)


XINHUA = Persona(
    name="xinhua", title="Xinhua (English)", site_name="Xinhua", origin="https://english.news.cn",
    hosts=("english.news.cn", "www.xinhuanet.com"), language="en", sections=SECTIONS,
    scheme=_scheme("xinhua-en"), article_page=english_article, listing_page=listing,
    documents={"/english/rss/worldrss.xml": _feed("world", "Xinhua World News"),
               "/english/rss/chinarss.xml": _feed("china", "Xinhua China News")},
    listings={"/": Listing("Latest")}, tz=CST_CN, moves=None,
    imitates="english.news.cn: /YYYYMMDD/<32 hex>/c.html (nothing can move), RSS on the old "
             "host http://www.xinhuanet.com/english/rss/{world,china}rss.xml (one section each), "
             "homepage, body #detailContent")

XINHUA_ES = Persona(
    name="xinhua_es", title="Xinhua (Spanish)", site_name="Spanish.xinhuanet.com",
    origin="https://spanish.news.cn", hosts=("spanish.news.cn",), language="es",
    sections=SECTIONS_ES, scheme=_scheme("xinhua-es"), article_page=spanish_article,
    listing_page=listing, documents={}, listings={"/": Listing("Portada")}, tz=CST_CN,
    moves=None,
    imitates="spanish.news.cn: /YYYYMMDD/<32 hex>/c.html, homepage only, the saved 2020 page's "
             "markup (div.bt > h2, div.sj \"Actualizado\" without a zone, div.nr > font#Zoom)")
