"""The Ukrainian agencies: UNIAN (www.unian.net in Russian, www.unian.ua in Ukrainian, feeds on
rss.unian.net) and Ukrinform's English service (www.ukrinform.net).

UNIAN follows ../shared/research/agencies.md (UNIAN table) and the saved 2018 homepage: article
URLs /<section>/<slug>-<digits>.html (the 2020-onwards form; the number is the id, a new slug
answers 301), the feeds https://rss.unian.net/site/news_rus.rss and news_ukr.rss, each
edition's homepage and /detail/main_news. Two editions on two hosts: stories are published in
turns in Russian (unian.net) and Ukrainian (unian.ua), each listed by its own host and feed.
Markup (calibre): h1 to div.article-text, comment and view counters
(span.article__info-item.comments / .views), an in-body div.read-also-slider that changes on
every request, div.nts-video-wrapper, lazy images (data-src).

Ukrinform follows the research's Ukrinform table: /rubric-<rubric>/<digits>-<slug>.html (the
number is the id; a rubric move answers 301), feeds /rss/block-lastnews and /rss/rubric-<rubric>
(calibre), the homepage. Markup (calibre's keep and drop lists): article, an in-body
section.read "read also" box that changes on every request, aside, img.pixel and
div[data-name="int_hidden"]."""

from __future__ import annotations

import re
from dataclasses import replace

from . import feeds, render
from .base import EET, Document, Listing, PageContext, Persona, UrlScheme, numeric_id
from .render import t

UNIAN_SECTIONS = (("politics", "Политика"), ("world", "Мир"), ("economics", "Экономика"),
                  ("society", "Общество"), ("war", "Война"))
UKRINFORM_RUBRICS = (("ato", "War"), ("polytics", "Politics"), ("economy", "Economy"),
                     ("defense", "Defense"), ("society", "Society"), ("sports", "Sports"))
READ_ALSO = {"ru": "Читайте также", "uk": "Читайте також"}


def unian_article(ctx: PageContext) -> str:
    a, p, rng = ctx.article, ctx.persona, ctx.rng
    when = p.local(a.published)
    origin = p.origin_for(a.language)
    teasers = "".join(f'<a class="read-also-slider__item" href="{origin}/{a.section}/'
                      f'{rng.randrange(10**7, 10**8)}-novost.html">{t(h)}</a>'
                      for h in [ctx.teaser, *rng.sample(render.NOISE_HEADLINES, 2)])
    slider = (f'<div class="read-also-slider"><div class="read-also-slider__title">'
              f"{READ_ALSO[a.language]}</div>{teasers}</div>")
    main = ('<div class="article">\n'
            f'<h1 class="article__title">{t(a.shown_headline("h1"))}</h1>\n'
            f'<div class="article__info"><span class="article__info-item time">'
            f"{when:%H:%M, %d.%m.%Y}</span>"
            f'<span class="article__info-item comments">{rng.randint(0, 300)}</span>'
            f'<span class="article__info-item views">{rng.randint(100, 90000)}</span></div>\n'
            f'<div class="article-text">\n<p><strong>{t(a.lead)}</strong></p>\n'
            + render.paragraphs(ctx, card=slider)
            + f'<div class="nts-video-wrapper"><iframe data-src="https://www.youtube.com/embed/'
            f'{rng.getrandbits(40):010x}"></iframe></div>\n'
            f'<p><img src="/img/blank.gif" data-src="/photos/{rng.getrandbits(32):08x}.jpg" '
            'alt=""></p>\n</div>\n</div>\n')
    head = render.head(ctx, title_suffix=" | УНИАН" if a.language == "ru" else " | УНІАН")
    return render.html_page(p, head, render.chrome(p, rng, main), lang=a.language)


def unian_listing(ctx, listing: Listing, rng, target: str) -> str:
    return render.listing_page(ctx, listing.heading, rng,
                               item='<div class="list-thumbs__item"><a class="list-thumbs__'
                                    'title" href="{href}">{title}</a></div>',
                               wrap=('<div class="list-thumbs">', "</div>"),
                               lang=listing.language)


def ukrinform_article(ctx: PageContext) -> str:
    a, p, rng = ctx.article, ctx.persona, ctx.rng
    when = p.local(a.published)
    read = (f'<section class="read"><span>Read also:</span> <a href="{p.origin}/rubric-'
            f'{a.section}/{rng.randrange(10**6, 5 * 10**6)}-news.html">{t(ctx.teaser)}</a>'
            "</section>")
    main = ('<article class="news">\n'
            f'<h1 class="newsTitle">{t(a.shown_headline("h1"))}</h1>\n'
            f'<div class="newsDate"><time datetime="{when.isoformat()}">{when:%d.%m.%Y %H:%M}'
            "</time></div>\n"
            f'<div class="newsHeading">{t(a.lead)}</div>\n'
            '<div class="newsText"><div>\n' + render.paragraphs(ctx, card=read)
            + '</div></div>\n<img class="pixel" src="/counter.gif" alt="">\n'
            f'<div data-name="int_hidden">{rng.getrandbits(64):016x}</div>\n</article>\n'
            + render.related(rng, "Latest news", cls="aside"))
    head = render.head(ctx, title_suffix=" - Ukrinform")
    return render.html_page(p, head, render.chrome(p, rng, main))


def ukrinform_listing(ctx, listing: Listing, rng, target: str) -> str:
    return render.listing_page(ctx, listing.heading, rng,
                               item='<div class="newsItem"><a href="{href}">{title}</a></div>',
                               wrap=('<section class="restNews">', "</section>"))


def _feed(title: str, language: str | None = None, section: str | None = None) -> Document:
    def build(ctx):
        ctx = replace(ctx, items=[i for i in ctx.items if (language is None or i.language ==
                                                          language) and (section is None or
                                                                         i.section == section)])
        return feeds.rss(ctx, title, ctx.persona.origin_for(language or "") + "/")
    return Document(build)


UNIAN = Persona(
    name="unian", title="УНИАН / УНІАН", site_name="УНИАН", origin="https://www.unian.net",
    hosts=("www.unian.net", "www.unian.ua", "rss.unian.net"), language="ru",
    editions={"uk": "https://www.unian.ua"}, sections=UNIAN_SECTIONS,
    scheme=UrlScheme(build=lambda a, pid: f"/{a.section}/{a.slug}-{pid}.html",
                     public_id=numeric_id(12_058_000),
                     pattern=re.compile(r"^/(?:[a-z0-9_-]+/)+(?:[a-z0-9-]+-)?(?P<key>\d{7,})"
                                        r"\.html$")),
    article_page=unian_article, listing_page=unian_listing,
    documents={"/site/news_rus.rss": _feed("УНИАН", language="ru"),
               "/site/news_ukr.rss": _feed("УНІАН", language="uk")},
    listings={"www.unian.net/": Listing("Главные новости", language="ru"),
              "/": Listing("Главные новости", language="ru"),     # any other host
              "/detail/main_news": Listing("Все главные новости", language="ru"),
              "www.unian.ua/": Listing("Головні новини", language="uk")},
    tz=EET, moves="slug",
    imitates="www.unian.net (Russian) and www.unian.ua (Ukrainian), stories in turns: "
             "/<section>/<slug>-<digits>.html (new slug: 301), rss.unian.net/site/news_rus.rss "
             "and news_ukr.rss, each edition's homepage and /detail/main_news, div.article-text "
             "with a rotating div.read-also-slider, view and comment counters")

UKRINFORM = Persona(
    name="ukrinform", title="Ukrinform (English)", site_name="Ukrinform",
    origin="https://www.ukrinform.net", hosts=("www.ukrinform.net",), language="en",
    sections=UKRINFORM_RUBRICS,
    scheme=UrlScheme(build=lambda a, pid: f"/rubric-{a.section}/{pid}-{a.slug}.html",
                     public_id=numeric_id(4_143_000),
                     pattern=re.compile(r"^/rubric-[a-z]+/(?P<key>\d+)-[a-z0-9-]+\.html$")),
    article_page=ukrinform_article, listing_page=ukrinform_listing,
    documents={"/rss/block-lastnews": _feed("Ukrinform"),
               **{f"/rss/rubric-{name}": _feed(f"Ukrinform: {title}", section=name)
                  for name, title in UKRINFORM_RUBRICS}},
    listings={"/": Listing("Latest news")}, tz=EET, moves="section",
    imitates="www.ukrinform.net: /rubric-<rubric>/<digits>-<slug>.html (a rubric move keeps "
             "the id, 301), /rss/block-lastnews and /rss/rubric-<rubric>, homepage, article "
             "with a rotating in-body section.read, aside, img.pixel, div[data-name=int_hidden]")

