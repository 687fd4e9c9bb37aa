"""RIA Novosti (ria.ru) and Sputnik (sputnikglobe.com): one platform, the MIA "Rossiya Segodnya"
CMS.

Follows ../shared/research/agencies.md (RIA table): article URLs /YYYYMMDD/<slug>-<id>.html
(the trailing number is the id; date and slug are not stable: a new slug answers 301 from the
old URL, and the 2018 form /<section>/YYYYMMDD/<id>.html redirects too), the feed
/export/rss2/archive/index.xml, the homepage (links carrying ?referrer_block=<block>_<n>, as on
the saved 2018 homepage) and /lenta/. Markup: div.article__header, the body
div.article__body > div.article__block[data-type="text"], an inline "read also" card
div.article__block[data-type="article"] that changes on every request, div.article__userbar
(calibre; unattributed parsers). AMP pages at /amp/<path> with a canonical link back (general
knowledge, not in the research). Sputnik: same scheme and markup on sputnikglobe.com, English
(calibre sputnik.recipe names the feed; the rest is the shared platform, assumed)."""

from __future__ import annotations

import re

from . import feeds, render
from .base import MSK, Document, Listing, PageContext, Persona, UrlScheme, numeric_id
from .render import e, t

SECTIONS = (("politics", "Политика"), ("world", "В мире"), ("economy", "Экономика"),
            ("society", "Общество"), ("incidents", "Происшествия"), ("science", "Наука"))
SECTIONS_EN = (("world", "World"), ("russia", "Russia"), ("military", "Military"),
               ("economy", "Economy"), ("science", "Science"))


def _scheme(offset: int) -> UrlScheme:
    def build(a, pid):
        return f"/{a.published.astimezone(MSK):%Y%m%d}/{a.slug}-{pid}.html"
    return UrlScheme(build=build, public_id=numeric_id(offset),
                     pattern=re.compile(r"^/(?:[a-z0-9_]+/)?\d{8}/(?:[a-z0-9-]+-)?(?P<key>\d+)"
                                        r"\.html$"))


def _card(ctx: PageContext, label: str) -> str:
    """The inline "read also" card: another story, a new one on every request."""
    rng = ctx.rng
    href = f"{ctx.persona.origin}/{ctx.now.astimezone(MSK):%Y%m%d}/" \
           f"{rng.choice(['vstrecha', 'zayavlenie', 'reshenie', 'itogi'])}-{rng.randrange(10**9, 2 * 10**9)}.html"
    return (f'<div class="article__block" data-type="article"><div class="article__article">'
            f'<span class="article__article-label">{t(label)}</span>'
            f'<a class="article__article-title" href="{e(href)}">{t(ctx.teaser)}</a>'
            f"</div></div>")


def article(ctx: PageContext, read_also: str, share: str) -> str:
    a, p, rng = ctx.article, ctx.persona, ctx.rng
    when = p.local(a.published)
    blocks = render.paragraphs(
        ctx, wrap='<div class="article__block" data-type="text"><div class="article__text">{}'
                  "</div></div>", card=_card(ctx, read_also))
    main = ('<div class="article">\n<div class="article__header">\n'
            f'<div class="article__info"><div class="article__info-date">'
            f'<a href="/{when:%Y%m%d}/">{when:%H:%M %d.%m.%Y}</a></div></div>\n'
            f'<h1 class="article__title">{t(a.shown_headline("h1"))}</h1>\n'
            f'<div class="article__second-title">{t(a.lead)}</div>\n</div>\n'
            f'<div class="article__body js-mediator-article">\n{blocks}</div>\n'
            f'<div class="article__userbar"><span class="share">{t(share)}</span>'
            f'<span class="views">{rng.randint(1000, 90000)}</span></div>\n</div>\n')
    head = render.head(ctx, ld=render.jsonld(ctx, author=p.site_name))
    return render.html_page(p, head, render.chrome(p, rng, main))


def ria_article(ctx: PageContext) -> str:
    return article(ctx, "Читайте также:", "Поделиться")


def sputnik_article(ctx: PageContext) -> str:
    return article(ctx, "Also read:", "Share")


def listing(ctx, listing: Listing, rng, target: str) -> str:
    if target == "/":
        # Homepage blocks add where the link was: ?referrer_block=index_main_<n>.
        def link(item, n):
            return f"{ctx.url(item)}?referrer_block=index_main_{n + 1}"
    else:
        link = None
    return render.listing_page(ctx, listing.heading, rng, link=link,
                               item='<div class="list-item"><a class="list-item__title" '
                                    'href="{href}">{title}</a></div>',
                               wrap=('<div class="list">', "</div>"))


def _feed(title: str):
    return Document(lambda ctx: feeds.rss(ctx, title, ctx.persona.origin + "/", full_text=True))


RIA = Persona(
    name="ria", title="РИА Новости", site_name="РИА Новости", origin="https://ria.ru",
    hosts=("ria.ru",), language="ru", sections=SECTIONS, scheme=_scheme(1_781_300_000),
    article_page=ria_article, listing_page=listing,
    documents={"/export/rss2/archive/index.xml": _feed("РИА Новости")},
    listings={"/": Listing("Главное"), "/lenta/": Listing("Лента новостей")},
    tz=MSK, moves="slug", amp=lambda path: "/amp" + path,
    imitates="ria.ru: /YYYYMMDD/<slug>-<10 digits>.html (new slug: 301; the 2018 "
             "/<section>/YYYYMMDD/<id>.html form redirects too), /export/rss2/archive/index.xml, "
             "homepage links with ?referrer_block=, /lenta/, div.article__block[data-type=text] "
             "with a rotating data-type=article \"read also\" card, AMP at /amp/...")

SPUTNIK = Persona(
    name="sputnik", title="Sputnik (English)", site_name="Sputnik International",
    origin="https://sputnikglobe.com", hosts=("sputnikglobe.com",), language="en",
    sections=SECTIONS_EN, scheme=_scheme(1_117_000_000), article_page=sputnik_article,
    listing_page=listing,
    documents={"/export/rss2/archive/index.xml": _feed("Sputnik International")},
    listings={"/": Listing("Latest news"), "/lenta/": Listing("All news")},
    tz=MSK, moves="slug", amp=lambda path: "/amp" + path,
    imitates="sputnikglobe.com: RIA's platform in English: /YYYYMMDD/<slug>-<10 digits>.html, "
             "/export/rss2/archive/index.xml, the same article__block markup and inline card")
