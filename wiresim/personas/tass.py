"""TASS: tass.com (English) and tass.ru (Russian).

Follows ../shared/research/agencies.md (TASS table): article URLs /<section>/<digits> (the
number alone is the id, so a story moved to another section keeps it), the feed /rss/v2.xml,
listing on the homepage, markup .news-header__title / .news-header__lead / .news-media /
.text-block (RSSHub, 2024-26), utf-8. Quirks: tass.com's feed sat behind a JavaScript redirect
for a while (RSSHub #9226); tass.ru sits behind StormWall, which answers 403 to a default or
empty User-Agent. tass.ru's markup is the 2018 one the research names
(div.b-material-text__l.js-mediator-article), its headline class a guess. No sitemap and no
in-body "read also" block are known (gaps), so none are served."""

from __future__ import annotations

import re

from . import feeds, quirks, render
from .base import MSK, Document, Listing, PageContext, Persona, UrlScheme, numeric_id
from .render import t

SECTIONS_EN = (("politics", "Russian Politics & Diplomacy"), ("world", "World"),
               ("economy", "Business & Economy"), ("defense", "Military & Defense"),
               ("science", "Science & Space"), ("emergencies", "Emergencies"),
               ("society", "Society & Culture"), ("sports", "Sports"))
SECTIONS_RU = (("politika", "Политика"), ("mezhdunarodnaya-panorama", "Международная панорама"),
               ("ekonomika", "Экономика и бизнес"), ("obschestvo", "Общество"),
               ("proisshestviya", "Происшествия"), ("kultura", "Культура"), ("sport", "Спорт"))


def _scheme(offset: int) -> UrlScheme:
    return UrlScheme(build=lambda a, pid: f"/{a.section}/{pid}",
                     pattern=re.compile(r"^/(?P<section>[a-z-]+)/(?P<key>\d+)$"),
                     public_id=numeric_id(offset))


def _date(ctx: PageContext) -> str:
    when = ctx.persona.local(ctx.article.published)
    return f'<div class="news-header__date">{when.strftime("%d %b %Y, %H:%M").upper()}</div>'


def tass_com_article(ctx: PageContext) -> str:
    a, p, rng = ctx.article, ctx.persona, ctx.rng
    main = ("<main>\n<div class=\"news-header\">\n"
            f'<h1 class="news-header__title">{t(a.shown_headline("h1"))}</h1>\n'
            f'<div class="news-header__lead">{t(a.lead)}</div>\n{_date(ctx)}\n</div>\n'
            f'<div class="news-media"><figure><img src="/img/{rng.getrandbits(40):010x}.jpg" '
            f'alt=""><figcaption>&copy; TASS</figcaption></figure></div>\n'
            '<div class="text-block">\n' + render.paragraphs(ctx) + "</div>\n"
            + render.related(rng, "More on the topic") + "</main>\n")
    head = render.head(ctx, ld=render.jsonld(ctx, author="TASS"))
    return render.html_page(p, head, render.chrome(p, rng, main))


def tass_ru_article(ctx: PageContext) -> str:
    a, p, rng = ctx.article, ctx.persona, ctx.rng
    main = ("<main>\n<div class=\"b-material\">\n"
            f'<h1 class="b-material__title">{t(a.shown_headline("h1"))}</h1>\n'
            f'<div class="b-material__preview">{t(a.lead)}</div>\n{_date(ctx)}\n'
            '<div class="b-material-text__l js-mediator-article">\n' + render.paragraphs(ctx)
            + "</div>\n</div>\n" + render.related(rng, "Читайте также") + "</main>\n")
    head = render.head(ctx, ld=render.jsonld(ctx, author="ТАСС"))
    return render.html_page(p, head, render.chrome(p, rng, main, most_read="Самое читаемое"))


def listing(ctx, listing: Listing, rng, target: str) -> str:
    # The 2018 homepage linked its stories with absolute URLs (http://tass.com/politics/995070).
    return render.listing_page(ctx, listing.heading, rng,
                               item='<div class="news-list__item"><a class="news-preview" '
                                    'href="{href}">{title}</a></div>',
                               wrap=('<div class="news-list">', "</div>"))


def _feed(title: str):
    return Document(lambda ctx: feeds.rss(ctx, title, ctx.persona.origin + "/"))


TASS = Persona(
    name="tass", title="TASS (English)", site_name="TASS", origin="https://tass.com",
    hosts=("tass.com",), language="en", sections=SECTIONS_EN, scheme=_scheme(1_433_000),
    article_page=tass_com_article, listing_page=listing,
    documents={"/rss/v2.xml": _feed("TASS")},
    listings={"/": Listing("Top stories"),
              **{f"/{name}": Listing(title, section=name) for name, title in SECTIONS_EN}},
    tz=MSK, moves="section", robots_disallow=("/search", "/userApi/"),
    quirks=(quirks.js_redirect("/rss/v2.xml", count=1),),
    imitates="tass.com: /<section>/<digits> (a section move keeps the id, old URL 301), "
             "/rss/v2.xml behind a JavaScript redirect page for its first request, homepage and "
             "section listings, .news-header__title/.news-header__lead/.news-media/.text-block")

TASS_RU = Persona(
    name="tass_ru", title="ТАСС (Russian)", site_name="ТАСС", origin="https://tass.ru",
    hosts=("tass.ru",), language="ru", sections=SECTIONS_RU, scheme=_scheme(25_247_000),
    article_page=tass_ru_article, listing_page=listing,
    documents={"/rss/v2.xml": _feed("ТАСС")},
    listings={"/": Listing("Главные новости"),
              **{f"/{name}": Listing(title, section=name) for name, title in SECTIONS_RU}},
    tz=MSK, moves="section", quirks=(quirks.stormwall(),),
    imitates="tass.ru: /<rubric>/<digits>, /rss/v2.xml, homepage; StormWall answers 403 to an "
             "empty or library-default User-Agent on every path; 2018 markup "
             "div.b-material-text__l.js-mediator-article")

