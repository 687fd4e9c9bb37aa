"""Interfax: interfax.ru (Russian, windows-1251) and Interfax-Ukraine's English edition
(en.interfax.com.ua).

interfax.ru follows ../shared/research/agencies.md and the saved 2018 homepage
(../shared/corpus/agencies/interfax): every page in windows-1251, declared in the header and by
<meta http-equiv="Content-Type">; the homepage reloads itself (<meta http-equiv="refresh"
content="300">) and links its top stories three times each (picture, section, headline) with
?utm_source=topmain, its news list without; a photo gallery /photo/<digits> that looks like an
article URL. Feed /rss.asp (in windows-1251 too, as the site's pages), sitemap
/SEO_SiteMapLastChanges.xml with lastmod, listing / and /news/. Article URL /<section>/<digits>
(a section move keeps the id; the old URL answers 301). Article markup is not in the research
(gap): the <h1 itemprop="headline"> / <article itemprop="articleBody"> here is general knowledge.

Interfax-Ukraine: /news/<rubric>/<digits>.html, feeds /news/last.rss and /news/economic.rss
(calibre), homepage; markup article.article.article-content-view with
div.grid.article-content-secondary-header and div.article-tags inside (calibre's drop list)."""

from __future__ import annotations

import re
from dataclasses import replace

from . import feeds, render
from .base import EET, MSK, Document, Listing, PageContext, Persona, UrlScheme, numeric_id
from .render import e, t

SECTIONS_RU = (("russia", "В России"), ("world", "В мире"), ("business", "Экономика"),
               ("moscow", "Москва"), ("culture", "Культура"), ("sport", "Спорт"))
SECTIONS_UA = (("general", "General"), ("economic", "Economic"), ("political", "Political"),
               ("interview", "Interview"))
REFRESH = '<meta http-equiv="refresh" content="300">\n'
GALLERY = "/photo/3789"


def interfax_ru_article(ctx: PageContext) -> str:
    a, p, rng = ctx.article, ctx.persona, ctx.rng
    when = p.local(a.published)
    main = ('<div class="mainblock"><div class="leftside">\n<div class="infinitblock">\n'
            f'<aside class="textML"><a href="/{a.section}/">{t(p.section_title(a.section))}</a>'
            f'<time datetime="{when.isoformat()}">{when:%H:%M, %d.%m.%Y}</time></aside>\n'
            f'<h1 itemprop="headline">{t(a.shown_headline("h1"))}</h1>\n'
            f'<article itemprop="articleBody">\n<p><b>{t(a.lead)}</b></p>\n'
            + render.paragraphs(ctx) + "</article>\n</div>\n</div></div>\n"
            + render.related(rng, "Читайте также", cls="textMLink"))
    head = render.head(ctx, ld=render.jsonld(ctx, author="Интерфакс"))
    return render.html_page(p, head, render.chrome(p, rng, main, most_read="Самое читаемое"))


def interfax_ru_listing(ctx, listing: Listing, rng, target: str) -> str:
    if target != "/":
        return render.listing_page(ctx, listing.heading, rng, link=lambda i, n: i.path,
                                   item='<div><a href="{href}"><h3>{title}</h3></a></div>',
                                   wrap=('<div class="timeline">', "</div>"))
    # The homepage: a top block linking each story three times with ?utm_source=topmain, the
    # photo gallery, then the news list with plain links; the page reloads itself.
    top = "".join(
        f'<div><a href="{i.path}?utm_source=topmain" class="topnews__img"><img src="/ftproot/'
        f'{rng.getrandbits(32):08x}.jpg" alt="{e(i.headline)}"></a>'
        f'<a href="{i.path}?utm_source=topmain" class="topnews__sec">'
        f'{t(ctx.persona.section_title(i.section))}</a>'
        f'<a href="{i.path}?utm_source=topmain" class="topnews__lnk"><h3>{t(i.headline)}</h3></a>'
        f"</div>" for i in ctx.items[:3])
    extra = (f'<div class="v31__topnews"><div class="v31__psBlock">{top}</div></div>\n'
             f'<a href="{GALLERY}" class="photo">Фотохроника</a>\n')
    page = render.listing_page(ctx, listing.heading, rng, link=lambda i, n: i.path,
                               item='<div><a href="{href}"><h3>{title}</h3></a></div>',
                               wrap=('<div class="timeline">', "</div>"), extra_head=REFRESH)
    return page.replace("<main>\n", "<main>\n" + extra, 1)


def interfax_ua_article(ctx: PageContext) -> str:
    a, p, rng = ctx.article, ctx.persona, ctx.rng
    when = p.local(a.published)
    tags = "".join(f'<a href="/tags/{e(tag.lower())}">{t(tag)}</a>' for tag in a.tags)
    main = ('<article class="article article-content-view">\n'
            f'<h1 class="article-content-title">{t(a.shown_headline("h1"))}</h1>\n'
            '<div class="grid article-content-secondary-header">'
            f'<span class="article-time">{when:%H:%M %d.%m.%Y}</span>'
            f'<span class="article-views">{rng.randint(50, 5000)}</span></div>\n'
            f'<div class="article-content"><p><strong>{t(a.lead)}</strong></p>\n'
            + render.paragraphs(ctx) + f'</div>\n<div class="article-tags">{tags}</div>\n'
            "</article>\n" + render.related(rng, "Latest news"))
    head = render.head(ctx, ld=render.jsonld(ctx, author="Interfax-Ukraine"))
    return render.html_page(p, head, render.chrome(p, rng, main))


def interfax_ua_listing(ctx, listing: Listing, rng, target: str) -> str:
    return render.listing_page(ctx, listing.heading, rng, link=lambda i, n: i.path,
                               item='<div class="grid article-item"><a class="article-link" '
                                    'href="{href}">{title}</a></div>',
                               wrap=('<div class="articles-section">', "</div>"))


def gallery_page(ctx, listing: Listing, rng) -> str:
    """A photo gallery: an article-shaped URL (/photo/<digits>) that is not a story."""
    p = ctx.persona
    head = f"<head>\n{render.charset_meta(p)}<title>{t(listing.heading)}</title>\n</head>\n"
    main = f"<main><h1>{t(listing.heading)}</h1><p>Фото дня.</p></main>\n"
    return render.html_page(p, head, render.chrome(p, rng, main))


def _only(ctx, section: str):
    return replace(ctx, items=[i for i in ctx.items if i.section == section])


def _listing_or_gallery(ctx, listing: Listing, rng, target: str) -> str:
    if target == GALLERY:
        return gallery_page(ctx, listing, rng)
    return interfax_ru_listing(ctx, listing, rng, target)


INTERFAX = Persona(
    name="interfax", title="Интерфакс", site_name="Интерфакс", origin="https://www.interfax.ru",
    hosts=("www.interfax.ru",), language="ru", sections=SECTIONS_RU, charset="windows-1251",
    scheme=UrlScheme(build=lambda a, pid: f"/{a.section}/{pid}", public_id=numeric_id(832_000),
                     pattern=re.compile(r"^/(?!photo/)[a-z]+/(?P<key>\d+)$")),
    article_page=interfax_ru_article, listing_page=_listing_or_gallery,
    documents={
        "/rss.asp": Document(lambda ctx: feeds.rss(ctx, "Интерфакс", ctx.persona.origin + "/",
                                                   encoding="windows-1251"),
                             charset="windows-1251"),
        "/SEO_SiteMapLastChanges.xml": Document(feeds.urlset, "application/xml")},
    listings={"/": Listing("Главные новости"), "/news/": Listing("Все новости"),
              GALLERY: Listing("Фотохроника")},
    tz=MSK, moves="section", sitemaps=("https://www.interfax.ru/SEO_SiteMapLastChanges.xml",),
    imitates="www.interfax.ru: windows-1251 bytes declared in the header and a <meta "
             "http-equiv>, /<section>/<digits> (a section move keeps the id, 301), /rss.asp in "
             "windows-1251, /SEO_SiteMapLastChanges.xml with lastmod, a homepage that refreshes "
             "itself every 300 s, links each top story three times with ?utm_source=topmain, and "
             "links a /photo/<digits> gallery")

INTERFAX_UA = Persona(
    name="interfax_ua", title="Interfax-Ukraine (English)", site_name="Interfax-Ukraine",
    origin="https://en.interfax.com.ua", hosts=("en.interfax.com.ua",), language="en",
    sections=SECTIONS_UA,
    scheme=UrlScheme(build=lambda a, pid: f"/news/{a.section}/{pid}.html",
                     public_id=numeric_id(1_160_000),
                     pattern=re.compile(r"^/news/[a-z_-]+/(?P<key>\d+)\.html$")),
    article_page=interfax_ua_article, listing_page=interfax_ua_listing,
    documents={"/news/last.rss": Document(
                   lambda ctx: feeds.rss(ctx, "Interfax-Ukraine", ctx.persona.origin + "/")),
               "/news/economic.rss": Document(lambda ctx: feeds.rss(
                   _only(ctx, "economic"), "Interfax-Ukraine: Economic", ctx.persona.origin))},
    listings={"/": Listing("Latest news")},
    tz=EET, moves="section",
    imitates="en.interfax.com.ua: /news/<rubric>/<digits>.html (a rubric move keeps the id, "
             "301), /news/last.rss and /news/economic.rss (that rubric only), homepage, "
             "article.article.article-content-view with its secondary header and tags")
