"""Pieces every persona's pages share: the <head> with its five headline places, the site chrome
with rotating boilerplate, paragraphs with an in-body card, listing, AMP, not-found pages and
robots.txt. Agency modules assemble their own article markup from these, so each keeps only
what differs (class names, structure, date formats)."""

from __future__ import annotations

import json
import random
from datetime import datetime
from html import escape
from urllib.parse import quote_plus, urlsplit

from ..pool import NOISE_HEADLINES
from .base import DocContext, PageContext, Persona

__all__ = ["NOISE_HEADLINES"]


def e(text: str) -> str:
    """Escape for an attribute value."""
    return escape(text, quote=True)


def t(text: str) -> str:
    """Escape for element text: quotes stay as written, as on real pages."""
    return escape(text, quote=False)


def fill(template: str, html: str) -> str:
    """Put already escaped html where the template says {} (no str.format: text has braces)."""
    return template.replace("{}", html, 1)


def search_href(headline: str) -> str:
    # Noise links point at the search page, a real page of every site that is not an article.
    return "/search?q=" + quote_plus(headline)


def charset_meta(p: Persona) -> str:
    if p.charset.lower() == "utf-8":
        return '<meta charset="utf-8">\n'
    # Old CMSs declare a legacy charset the HTML 4 way (interfax.ru, 2018 homepage).
    return f'<meta http-equiv="Content-Type" content="text/html; charset={p.charset}">\n'


def jsonld(ctx: PageContext, date=lambda d: d.isoformat(), author: str | None = None,
           **extra) -> str:
    """A NewsArticle JSON-LD block; `date` formats datePublished/dateModified as the agency
    does (Kyodo: local time with no offset)."""
    a, p = ctx.article, ctx.persona
    ld = {"@context": "https://schema.org", "@type": "NewsArticle",
          "headline": a.shown_headline("jsonld"), "description": a.lead,
          "datePublished": date(p.local(a.published)), "dateModified": date(p.local(a.modified)),
          "author": {"@type": "Person", "name": author or a.byline.split(" ", 1)[-1]},
          "publisher": {"@type": "Organization", "name": p.site_name},
          "mainEntityOfPage": ctx.url, "inLanguage": a.language, **extra}
    text = json.dumps(ld, ensure_ascii=False).replace("</", "<\\/")
    return f'<script type="application/ld+json">{text}</script>\n'


def head(ctx: PageContext, extra: str = "", ld: str | None = None, og_url: str | None = None,
         title_suffix: str | None = None, times: bool = True) -> str:
    """<head> with the headline in <title>, og:title, twitter:title and JSON-LD, canonical (the
    current URL), amphtml when the site has AMP pages, and a per-request token. times=False
    leaves out article:published_time/modified_time (sites whose only times are elsewhere)."""
    a, p, rng = ctx.article, ctx.persona, ctx.rng
    suffix = f" - {p.site_name}" if title_suffix is None else title_suffix
    pub, mod = p.local(a.published).isoformat(), p.local(a.modified).isoformat()
    amp = ""
    if p.amp is not None:
        parts = urlsplit(ctx.url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        amp = f'<link rel="amphtml" href="{e(f"{parts.scheme}://{parts.netloc}" + p.amp(path))}">\n'
    return (f"<head>\n{charset_meta(p)}"
            f"<title>{t(a.shown_headline('title'))}{t(suffix)}</title>\n"
            f'<meta name="description" content="{e(a.lead)}">\n'
            f'<meta property="og:type" content="article">\n'
            f'<meta property="og:title" content="{e(a.shown_headline("og"))}">\n'
            f'<meta property="og:description" content="{e(a.lead)}">\n'
            f'<meta property="og:url" content="{e(og_url or ctx.url)}">\n'
            f'<meta property="og:site_name" content="{e(p.site_name)}">\n'
            f'<meta name="twitter:title" content="{e(a.shown_headline("twitter"))}">\n'
            + (f'<meta property="article:published_time" content="{pub}">\n'
               f'<meta property="article:modified_time" content="{mod}">\n' if times else "")
            + f'<link rel="canonical" href="{e(ctx.url)}">\n{amp}'
            + (ld if ld is not None else jsonld(ctx)) + extra
            + f'<script>window.__CSRF__ = "{rng.getrandbits(128):032x}";</script>\n</head>\n')


def noise_links(rng: random.Random, n: int, li: str = "<li>{}</li>") -> str:
    return "".join(fill(li, f'<a href="{search_href(h)}">{t(h)}</a>')
                   for h in rng.sample(NOISE_HEADLINES, n))


def chrome(p: Persona, rng: random.Random, main: str, header_class: str = "header",
           footer_class: str = "footer", most_read: str = "Most read") -> str:
    """The site around the story: menu, a ticker and an ad slot that change on every request,
    "most read" headlines drawn per request."""
    menu = "".join(f'<li><a href="/{name}">{t(title)}</a></li>' for name, title in p.sections)
    return (f'<header class="{header_class}">\n<a class="logo" href="/">{t(p.site_name)}</a>\n'
            f'<nav><ul>{menu}</ul></nav>\n'
            f'<div class="ticker">{rng.randint(1, 59)} min ago</div>\n'
            f'<div class="ad" id="ad-{rng.getrandbits(32):08x}"></div>\n</header>\n'
            f"{main}"
            f'<footer class="{footer_class}">\n<div class="most-read"><h2>{t(most_read)}</h2>'
            f"<ul>{noise_links(rng, 3)}</ul></div>\n"
            f"<p>&copy; {t(p.site_name)}</p>\n"
            f"<!-- rendered in {rng.randint(3, 90)} ms -->\n</footer>\n")


def html_page(p: Persona, head_html: str, body: str, lang: str | None = None,
              html_attrs: str = "") -> str:
    return (f'<!DOCTYPE html>\n<html lang="{lang or p.language}"{html_attrs}>\n{head_html}'
            f"<body>\n{body}</body>\n</html>\n")


def paragraphs(ctx: PageContext, wrap: str = "<p>{}</p>", card: str | None = None,
               card_at: int = 2) -> str:
    """The body paragraphs, each in `wrap`; `card` (html, already filled) goes in after the
    `card_at`-th paragraph, as agencies put a "read also" card inside the story."""
    out = []
    for i, text in enumerate(ctx.article.paragraphs):
        if card is not None and i == min(card_at, len(ctx.article.paragraphs) - 1):
            out.append(card)
        out.append(fill(wrap, t(text)))
    return "\n".join(out) + "\n"


def related(rng: random.Random, heading: str = "Related", cls: str = "related") -> str:
    return f'<aside class="{cls}"><h2>{t(heading)}</h2><ul>{noise_links(rng, 4)}</ul></aside>\n'


def listing_page(ctx: DocContext, heading: str, rng: random.Random, link=None,
                 item: str = '<li class="news-item"><a href="{href}">{title}</a></li>',
                 wrap: tuple[str, str] = ('<ul class="news-list">', "</ul>"),
                 extra_head: str = "", lang: str | None = None) -> str:
    """A list of the latest stories; `link(item, i)` gives each href as the agency writes it
    (absolute, relative, protocol-relative, with a tracking query)."""
    p = ctx.persona
    link = link or (lambda i, n: ctx.url(i))
    rows = "".join(item.replace("{href}", e(link(i, n))).replace("{title}", t(i.headline))
                   .replace("{time}", p.local(i.published).isoformat()) + "\n"
                   for n, i in enumerate(ctx.items))
    head_html = (f"<head>\n{charset_meta(p)}<title>{t(heading)} - {t(p.site_name)}</title>\n"
                 f'<link rel="canonical" href="{e(p.origin)}/">\n{extra_head}</head>\n')
    main = f"<main>\n<h1>{t(heading)}</h1>\n{wrap[0]}\n{rows}{wrap[1]}\n</main>\n"
    return html_page(p, head_html, chrome(p, rng, main), lang)


def amp_page(ctx: PageContext) -> str:
    """The AMP version: the same story in minimal markup, canonical to the article URL."""
    a, p = ctx.article, ctx.persona
    head_html = (f'<head>\n<meta charset="utf-8">\n<title>{t(a.shown_headline("title"))}</title>\n'
                 f'<link rel="canonical" href="{e(ctx.url)}">\n'
                 f'<meta name="viewport" content="width=device-width">\n'
                 f"<script async src=\"https://cdn.ampproject.org/v0.js\"></script>\n</head>\n")
    body = (f"<article>\n<h1>{t(a.shown_headline('h1'))}</h1>\n<p>{t(a.lead)}</p>\n"
            + paragraphs(ctx) + "</article>\n")
    return html_page(p, head_html, body, html_attrs=" \u26a1")


def not_found_page(p: Persona, rng: random.Random, status: int = 404) -> str:
    heading = "Page not found" if status == 404 else "This page has been removed"
    main = f"<main>\n<h1>{heading}</h1>\n<p>The page you requested does not exist.</p>\n</main>\n"
    head_html = f"<head>\n{charset_meta(p)}<title>{heading}</title>\n</head>\n"
    return html_page(p, head_html, chrome(p, rng, main))


def moved_body(location: str) -> str:
    return f'<html><body>Moved to <a href="{e(location)}">{e(location)}</a></body></html>'


def robots_txt(p: Persona) -> str:
    disallow = "".join(f"Disallow: {path}\n" for path in p.robots_disallow)
    sitemaps = "".join(f"Sitemap: {url}\n" for url in p.sitemaps)
    return f"User-agent: *\n{disallow}\n{sitemaps}"


def date_line(when: datetime, fmt: str = "%d %B %Y, %H:%M") -> str:
    return when.strftime(fmt)
