"""Anadolu Agency, English service (www.aa.com.tr/en).

Follows ../shared/research/agencies.md (Anadolu table): article URLs /en/<section>/<slug>/<digits>
(the number is the id; a new slug or section answers 301); the feeds /en/rss/default?cat=<cat>
at a query-string address (the English feed is a lead from feed lists, the Turkish one is
verified by fundus); the /en listing. Markup V2, valid since 2026-04-05 (fundus): body
div[dir] > p, summary span.text-descriptionColor, title, date and authors from JSON-LD, the share
bar div.detay-paylas and a "Related news" block around the story."""

from __future__ import annotations

import re
from dataclasses import replace

from . import feeds, render
from .base import TRT, Document, Listing, PageContext, Persona, UrlScheme, numeric_id
from .render import t

SECTIONS = (("world", "World"), ("middle-east", "Middle East"), ("europe", "Europe"),
            ("asia-pacific", "Asia - Pacific"), ("economy", "Economy"), ("americas", "Americas"))


def article(ctx: PageContext) -> str:
    a, p, rng = ctx.article, ctx.persona, ctx.rng
    name = a.byline.split(" ", 1)[-1]
    main = ("<main>\n<div class=\"container\">\n"
            f'<h1 class="text-h1">{t(a.shown_headline("h1"))}</h1>\n'
            f'<span class="text-descriptionColor">{t(a.lead)}</span>\n'
            f'<div class="detay-paylas"><a href="#">Share</a> <span>{rng.randint(1, 900)}</span></div>\n'
            f'<div dir="ltr">\n' + render.paragraphs(ctx) + "</div>\n"
            + render.related(rng, "Related news", cls="related-news") + "</div>\n</main>\n")
    ld = render.jsonld(ctx, author=name)
    head = render.head(ctx, ld=ld, title_suffix="")
    return render.html_page(p, head, render.chrome(p, rng, main))


def listing(ctx, listing: Listing, rng, target: str) -> str:
    return render.listing_page(ctx, listing.heading, rng,
                               item='<div class="card"><a href="{href}"><h3>{title}</h3></a></div>',
                               wrap=('<div class="cards">', "</div>"))


def _feed(sections: tuple[str, ...] | None):
    def build(ctx):
        if sections is not None:
            ctx = replace(ctx, items=[i for i in ctx.items if i.section in sections])
        return feeds.rss(ctx, "Anadolu Ajansı", ctx.persona.origin + "/en")
    return Document(build)


ANADOLU = Persona(
    name="anadolu", title="Anadolu Agency (English)", site_name="Anadolu Ajansı",
    origin="https://www.aa.com.tr", hosts=("www.aa.com.tr",), language="en", sections=SECTIONS,
    scheme=UrlScheme(build=lambda a, pid: f"/en/{a.section}/{a.slug}/{pid}",
                     public_id=numeric_id(3_841_000),
                     pattern=re.compile(r"^/en/[a-z-]+/[a-z0-9-]+/(?P<key>\d+)$")),
    article_page=article, listing_page=listing,
    documents={"/en/rss/default?cat=guncel": _feed(None),
               "/en/rss/default?cat=world": _feed(("world", "middle-east", "europe",
                                                   "asia-pacific", "americas"))},
    listings={"/en": Listing("Latest news")}, tz=TRT, moves="slug",
    imitates="www.aa.com.tr: /en/<section>/<slug>/<digits> (new slug: 301), feeds at "
             "/en/rss/default?cat=guncel and ?cat=world (query-string addresses), /en, the V2 "
             "markup (div[dir] > p, span.text-descriptionColor, JSON-LD authors)")
