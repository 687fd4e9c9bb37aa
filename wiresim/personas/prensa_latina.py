"""Prensa Latina (www.prensa-latina.cu), Spanish.

Follows ../shared/research/agencies.md (Prensa Latina) and the two saved 2019 captures of one
article (../shared/corpus/agencies/prensa_latina): article URLs
index.php?o=rn&id=<digits>&SEO=<slug>, the id in the query string. Any SEO value serves the same
page with 200 (a stray newline in it did, in the captures), and the page echoes the URL it was
asked for (og:url and the share script's linkurl), with today's date in its header: two
captures of an unchanged story differ in exactly those. Markup as the captures: the headline in
three responsive <h1> copies, div.fullNewsIntrotext (SPAN.fecha, then the lead),
div.fullNewsFulltext with paragraphs separated by <br><br>, "Temas Relacionados", and a hidden
print copy of the whole story (div#newsContainer, display: none). Listing: the homepage and the
section pages index.php?o=vt&id=<section>&SEO=noticias-<section>, relative links. No feed or
sitemap (none known)."""

from __future__ import annotations

import re

from . import render
from .base import CUBA, Listing, PageContext, Persona, UrlScheme, numeric_id
from .render import e, t

ORIGIN = "https://www.prensa-latina.cu"
SECTIONS = (("sudamerica", "Sudamérica"), ("centroamerica-caribe", "Centroamérica / Caribe"),
            ("cuba", "Cuba"), ("europa", "Europa"), ("economia", "Economía"))
DAYS = ["Lunes", "Martes", "Miércoles", "Jueves", "Viernes", "Sábado", "Domingo"]
MONTHS = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
          "septiembre", "octubre", "noviembre", "diciembre"]


def spanish_date(when, weekday: bool = False) -> str:
    day = f"{DAYS[when.weekday()]} " if weekday else ""
    return f"{day}{when.day} de {MONTHS[when.month - 1]} de {when.year}"


def article(ctx: PageContext) -> str:
    a, p, rng = ctx.article, ctx.persona, ctx.rng
    when = p.local(a.published)
    today = spanish_date(p.local(ctx.now), weekday=True)
    fecha = f"<SPAN class='fecha'>{spanish_date(when)},   {when:%H:%M}</SPAN>"
    h1 = t(a.shown_headline("h1"))
    text = "<br><br>".join(t(x) for x in a.paragraphs)
    copies = "".join(f'<h1 class="{cls}" style="font-weight: bold;">{h1}</h1>\n'
                     for cls in ("hidden-xs hidden-sm hidden-md", "visible-sm visible-md",
                                 "visible-xs"))
    main = (f'<div class="navbar-toolbar-right">{today}</div>\n'
            '<div class="widget" id="widgetUserList">\n'
            f'<div class="widget-header cover overlay">\n{copies}</div>\n'
            '<div class="widget-footer cover overlay">\n'
            f'<div class="fullNewsIntrotext">{fecha}{t(a.lead)}</div>\n<br/>\n'
            f'<div class="fullNewsFulltext">{text}</div>\n<hr/>\n'
            '<b style="color:#000;">Temas Relacionados:</b>\n</div>\n'
            f'<div id="newsContainer" style="display: none;visibility: hidden;">\n<h1>{h1}</h1>'
            f"<br/><p>{fecha}{t(a.lead)}</p><br/> {text}\n</div>\n"
            '<script type="text/javascript">var a2a_config = a2a_config || {};\n'
            f'a2a_config.linkname = "{e(a.shown_headline("h1"))}";\n'
            f'a2a_config.linkurl = "{e(ctx.requested)}";</script>\n</div>\n')
    # og:url echoes the address asked for, not the canonical one: as the captures do.
    head = render.head(ctx, og_url=ctx.requested, title_suffix="", times=False)
    return render.html_page(p, head, render.chrome(p, rng, main, most_read="Lo más leído"),
                            lang="en-gb")


def listing(ctx, listing: Listing, rng, target: str) -> str:
    # Relative links, as the site writes them: index.php?o=rn&amp;id=...&amp;SEO=...
    return render.listing_page(ctx, listing.heading, rng, link=lambda i, n: i.path.lstrip("/"),
                               item='<div class="item"><a class="animsition-link" '
                                    'href="{href}">{title}</a></div>',
                               wrap=('<div class="widget">', "</div>"))


PRENSA_LATINA = Persona(
    name="prensa_latina", title="Prensa Latina", site_name="prensa-latina.cu", origin=ORIGIN,
    hosts=("www.prensa-latina.cu", "prensa-latina.cu"), language="es", sections=SECTIONS,
    scheme=UrlScheme(build=lambda a, pid: f"/index.php?o=rn&id={pid}&SEO={a.slug}",
                     public_id=numeric_id(318_000), in_query=True,
                     pattern=re.compile(r"^/index\.php\?o=rn&id=(?P<key>\d+)(?:&SEO=.*)?$",
                                        re.S)),
    article_page=article, listing_page=listing, documents={},
    listings={"/": Listing("Portada"),
              **{f"/index.php?o=vt&id={name}&SEO=noticias-{name}": Listing(title, section=name)
                 for name, title in SECTIONS}},
    tz=CUBA, moves="slug", moved="serve", robots_disallow=("/administrator/",),
    imitates="www.prensa-latina.cu: index.php?o=rn&id=<digits>&SEO=<slug> (the id in the "
             "query; any SEO value, a stray newline included, serves the page with 200), og:url "
             "and the share script echo the URL asked for, today's date in the header, three "
             "<h1> copies and a hidden print copy of the story; homepage and o=vt section pages")
