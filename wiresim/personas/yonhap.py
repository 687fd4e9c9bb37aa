"""Yonhap News Agency, English service (en.yna.co.kr).

Follows ../shared/research/agencies.md and the saved 2020 homepage
(../shared/corpus/agencies/yonhap): article URLs /view/AEN<YYYYMMDD><9-digit serial> (Korea
date; nothing else in the path, so stories never move), linked protocol-relative
(//en.yna.co.kr/view/...) with a ?section=<where it was listed> query that differs from page to
page for one story; the feed /RSS/news.xml whose dates are Korea time with no zone (RSSHub adds
+09:00); listing pages / and /news; the same pages on the mobile host m-en.yna.co.kr. Markup
(RSSHub): h1.tit, article.story-news, .tit-name for the author, a rotating .related-group and a
.writer-zone01 box."""

from __future__ import annotations

import re

from . import feeds, render
from .base import KST, Document, Listing, PageContext, Persona, UrlScheme
from .render import t

SECTIONS = (("national/politics", "Politics"), ("nk/nk", "North Korea"),
            ("economy/economy", "Economy"), ("culture/entertainment", "Culture"),
            ("national/national", "National"))


def public_id(a) -> str:
    return f"AEN{a.published.astimezone(KST):%Y%m%d}{int(a.id) * 1000 + 315:09d}"


def article(ctx: PageContext) -> str:
    a, p, rng = ctx.article, ctx.persona, ctx.rng
    when = p.local(a.published)
    related = "".join(f'<li><a href="//en.yna.co.kr/view/AEN{when:%Y%m%d}{rng.randrange(10**9):09d}'
                      f'?section=news">{t(h)}</a></li>' for h in rng.sample(render.NOISE_HEADLINES, 3))
    main = ('<main>\n<div class="content03">\n'
            f'<h1 class="tit">{t(a.shown_headline("h1"))}</h1>\n'
            f'<p class="update-time" data-published-time="{when:%Y%m%d%H%M}">'
            f"{when:%H:%M %B %d, %Y}</p>\n"
            f'<article class="story-news article">\n<p>{t(a.lead)}</p>\n' + render.paragraphs(ctx)
            + f'<p class="tit-name">{t(a.byline)}</p>\n</article>\n'
            f'<div class="writer-zone01"><a href="mailto:desk@yna.co.kr">desk@yna.co.kr</a></div>\n'
            f'<div class="related-group"><h2>Related articles</h2><ul>{related}</ul></div>\n'
            "</div>\n</main>\n")
    head = render.head(ctx, title_suffix=" | Yonhap News Agency")
    return render.html_page(p, head, render.chrome(p, rng, main))


def listing(ctx, listing: Listing, rng, target: str) -> str:
    # Protocol-relative links that say where the story was listed: ?section= differs per page.
    where = "news" if target == "/news" else None

    def link(item, n):
        return f"//en.yna.co.kr/view/{public_of(item)}?section={where or item.section}"
    return render.listing_page(ctx, listing.heading, rng, link=link,
                               item='<li><a href="{href}" class="tit-wrap">'
                                    '<strong class="tit-news">{title}</strong></a></li>',
                               wrap=('<ul class="list">', "</ul>"))


def public_of(item) -> str:
    return item.path.rsplit("/", 1)[-1]


YONHAP = Persona(
    name="yonhap", title="Yonhap News Agency (English)", site_name="Yonhap News Agency",
    origin="https://en.yna.co.kr", hosts=("en.yna.co.kr", "m-en.yna.co.kr"), language="en",
    sections=SECTIONS,
    scheme=UrlScheme(build=lambda a, pid: f"/view/{pid}", public_id=public_id,
                     pattern=re.compile(r"^/view/(?P<key>AEN\d{14,})$")),
    article_page=article, listing_page=listing,
    documents={"/RSS/news.xml": Document(lambda ctx: feeds.rss(
        ctx, "Yonhap News Agency", ctx.persona.origin + "/", date=feeds.rfc822_no_zone))},
    listings={"/": Listing("Top News"), "/news": Listing("All Headlines")},
    tz=KST, moves=None,
    imitates="en.yna.co.kr: /view/AEN<date><serial> (nothing can move), protocol-relative "
             "listing links whose ?section= differs per page, /RSS/news.xml with Korea times "
             "and no zone, / and /news, the mobile host m-en.yna.co.kr, article.story-news")

