"""A persona's running site: routes a request to a quirk, robots.txt, a feed or sitemap, a
listing page, an AMP page or an article, with the same conditional-request rules, the same
pulled and moved articles as the classic site. The simulator's server hands requests here
when WireSim(persona=...) is set; faults are acted out by the server before this is called."""

from __future__ import annotations

import random
import threading
from collections import Counter
from datetime import datetime

from ..content import Article
from ..responses import Response, article_validators, not_modified, validated
from . import render
from .base import DocContext, PageContext, Persona

LISTING_SIZE = 50


class PersonaSite:
    def __init__(self, sim, persona: Persona | str):
        if isinstance(persona, str):
            from . import get_persona
            persona = get_persona(persona)
        self.sim, self.persona = sim, persona
        # Tunable per site (sim.quirks["datadome"]["every"] = 0): the persona only has defaults.
        self.quirks = {q.name: dict(q.options) for q in persona.quirks}
        self.quirk_state: dict[str, dict] = {q.name: {} for q in persona.quirks}
        self.lock = threading.Lock()    # quirk counters: the server answers on many threads
        # The Host headers requests came with: a crawler routed here from the real hosts
        # (crawler/hostmap.py) must say the real host, as it would to the agency.
        self.hosts_seen: Counter[str] = Counter()

    # -- what the simulator asks ---------------------------------------------------------------

    def path(self, a: Article) -> str:
        return self.persona.scheme.path(a)

    def url(self, a: Article) -> str:
        return self.persona.url(a)

    def article_id(self, path: str, query: str = "") -> str | None:
        """The simulator's id of the article a request names (for faults and routing)."""
        key = self.persona.scheme.key_of(self._unamp(path), query)
        if key is None:
            return None
        return self.sim._index(self.persona.scheme.keys).get(key)

    def robots(self) -> tuple[int, datetime, str]:
        return self.sim._cached(f"{self.persona.name}:robots",
                                lambda items, modified: render.robots_txt(self.persona))

    # -- routing -------------------------------------------------------------------------------

    def respond(self, path: str, query: str, headers, rng: random.Random,
                conditional: bool) -> Response:
        host = (headers.get("Host") or "").rsplit(":", 1)[0].lower()
        with self.lock:
            self.hosts_seen[host] += 1
        for quirk in self.persona.quirks:
            response = quirk.gate(self, quirk.name, path, query, headers, rng)
            if response is not None:
                return response
        p = self.persona
        target = f"{path}?{query}" if query else path
        # A page of one edition's host ("www.unian.ua/") before the page every host has ("/").
        if host and (host + target in p.listings or host + target in p.documents):
            target = host + target
        if path == "/robots.txt":
            version, modified, text = self.robots()
            return validated(headers, text.encode(), "text/plain; charset=utf-8", path, version,
                             modified, conditional)
        name = target if target in p.documents else path if path in p.documents else None
        if name is not None:
            return self._document(name, headers, conditional)
        listing = p.listings.get(target) or p.listings.get(path)
        if listing is not None:
            return self._listing(target, listing, headers, rng, conditional)
        aid = self.article_id(path, query)
        if aid is not None:
            return self._article(aid, path, query, headers, rng, conditional)
        return self._page(404, render.not_found_page(p, rng))

    def _page(self, status: int, html: str, headers: dict | None = None) -> Response:
        charset = self.persona.charset
        return Response(status, html.encode(charset, "xmlcharrefreplace"),
                        {"Content-Type": f"text/html; charset={charset}", **(headers or {})})

    def _document(self, name: str, headers, conditional: bool) -> Response:
        doc = self.persona.documents[name]
        version, modified, text = self.sim._cached(
            f"{self.persona.name}:{name}",
            lambda items, modified: doc.build(DocContext(self.persona, items, modified)))
        return validated(headers, text.encode(doc.charset, "xmlcharrefreplace"),
                         f"{doc.content_type}; charset={doc.charset}", name, version, modified,
                         conditional)

    def _listing(self, target: str, listing, headers, rng, conditional: bool) -> Response:
        version, modified, items = self.sim._site()
        if listing.section is not None:
            items = [i for i in items if i.section == listing.section]
        if listing.language is not None:
            items = [i for i in items if i.language == listing.language]
        ctx = DocContext(self.persona, items[:LISTING_SIZE], modified)
        html = self.persona.listing_page(ctx, listing, rng, target)
        charset = self.persona.charset
        return validated(headers, html.encode(charset, "xmlcharrefreplace"),
                         f"text/html; charset={charset}", target, version, modified, conditional)

    def _unamp(self, path: str) -> str:
        """The article path behind an AMP path (AMP pages are the same article, other markup)."""
        if self.persona.amp is None:
            return path
        prefix, suffix = self.persona.amp("\0").split("\0")
        if path.startswith(prefix) and path.endswith(suffix) and path != prefix + suffix:
            return path[len(prefix):len(path) - len(suffix)] if suffix else path[len(prefix):]
        return path

    def _article(self, aid: str, path: str, query: str, headers, rng,
                 conditional: bool) -> Response:
        sim, p = self.sim, self.persona
        a = sim._snapshot(aid)
        if a.status == "gone":
            return self._page(a.gone_status, render.not_found_page(p, rng, a.gone_status))
        current = self.path(a)
        amp = p.amp is not None and self._unamp(path) != path
        requested = path + (f"?{query}" if query else "")
        # A tracking query (?utm_source=, ?referrer_block=) is not another address of the story;
        # only where the id lives in the query does the query count.
        asked = requested if p.scheme.in_query else path
        wanted = p.amp(current) if amp else current
        origin = p.origin_for(a.language)        # the story's edition's host
        if asked != wanted and (p.moved == "redirect" or amp):
            # An earlier slug or section, a stray query: the agency sends the reader on.
            body = render.moved_body(origin + wanted)
            return Response(301, body.encode(), {"Content-Type": "text/html; charset=utf-8",
                                                 "Location": origin + wanted})
        if sim.fresh_modified:
            a.modified = sim._fresh_modified(a)
        validators = article_validators(a.etag, a.modified)
        if conditional and not_modified(headers, a.etag, a.modified):
            return Response(304, b"", validators, validated=True)
        teaser = sim._held_teaser(a.id, rng) or rng.choice(render.NOISE_HEADLINES)
        ctx = PageContext(p, a, origin + current, origin + requested, rng, teaser, sim._now())
        html = render.amp_page(ctx) if amp else p.article_page(ctx)
        response = self._page(200, html, validators)
        response.validated = True
        return response
