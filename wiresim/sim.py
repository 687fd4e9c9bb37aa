"""WireSim: the simulated agency's state and the control API that tests, the demo, benchmarks and
the admin endpoints drive. All state changes go through here, under one lock."""

from __future__ import annotations

import random
import re
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from .content import FIRST_ID, SECTIONS, Article, build_article, slugify
from .edits import apply_edit
from .faults import FaultTable, normalize_target
from .serving import Serving
from .texts import SourceText, builtin_texts, builtin_texts_in, load_corpus, load_seed, russian_text

TIMELINE_ACTIONS = ("publish", "edit", "change_slug", "move", "pull", "restore", "fault",
                    "clear_faults", "add_cp1251_article")
SLUG_SUFFIXES = ["update", "latest", "developing", "live", "new-details"]
# First path segments the site uses for pages that are not articles.
RESERVED_SECTIONS = {"section", "tag", "search", "private", "about", "_admin"}
_PUBLISH_OPTIONS = {"lead", "byline", "tags", "language", "slug", "published"}


class WireSim(Serving):
    def __init__(self, articles: int = 30, corpus_dir: Path | str | None = None, seed: int = 0,
                 clock: Callable[[], float] = time.time, persona=None):
        """persona: None for the classic WireSim site, else the name of an agency persona
        (wiresim.personas.PERSONAS) or a Persona: the same articles, edits and faults served in
        that agency's URL scheme, markup, charset, feeds and quirks."""
        self._clock = clock
        self.site = None      # the persona's site (wiresim/personas/site.py), None: classic
        # Set False to answer every conditional request with a full 200 (as many CDNs do),
        # so tests can fetch unchanged articles with fresh noise hundreds of times.
        self.conditional = True
        # How many requests in a row show an article the same "Read also" teaser. 1: a new one
        # each time (a repeat still happens by chance); 2: every teaser is seen twice in a row,
        # the case a crawler comparing only two fetches mistakes for an edit. Held teasers are
        # distinct across articles, so no two articles show the same one at once.
        self.teaser_hold = 1
        self._teasers: dict[str, list] = {}
        # Set True to act as a CMS that renders the modified time at request time: every
        # response of an article page states a new one (JSON-LD dateModified,
        # article:modified_time, the visible "Updated" time, Last-Modified), at least a second
        # after the last it stated, with no change to the article itself.
        self.fresh_modified = False
        self._served_modified: dict[str, datetime] = {}
        self._rng = random.Random(seed)    # article building and edits: deterministic per seed
        self._lock = threading.RLock()
        if persona is not None:
            from .personas.site import PersonaSite
            self.site = PersonaSite(self, persona)
        languages = self.site.persona.languages if self.site else ("en",)
        per_language = [self._load_texts(corpus_dir, language) for language in languages]
        # A site in two languages (UNIAN: Russian and Ukrainian editions) publishes in turns.
        self._texts = [text for group in zip(*per_language) for text in group] \
            if len(per_language) > 1 else per_language[0]
        self._articles: dict[str, Article] = {}
        self._used_headlines: set[str] = set()
        self._next_id = FIRST_ID
        self._text_cursor = 0
        self._cp1251_count = 0
        self._faults = FaultTable()
        self._log: list[tuple[str, str, int]] = []
        self._log_times: list[float] = []
        self._log_lock = threading.Lock()
        self._timers: list[threading.Timer] = []
        self.errors: list[tuple[str, BaseException]] = []   # failures of scheduled actions
        self._version = 0
        self._cache: dict[str, tuple[int, object]] = {}
        self._server = None
        self._thread: threading.Thread | None = None
        now = self._now()
        self._site_modified = now
        # Initial articles spread over the last six hours, ids in publication order.
        offsets = sorted((self._rng.uniform(60, 6 * 3600) for _ in range(articles)), reverse=True)
        for offset in offsets:
            self._create(published=now - timedelta(seconds=int(offset)))

    @staticmethod
    def _load_texts(corpus_dir, language: str = "en") -> list[SourceText]:
        if language != "en":
            corpus = [t for t in load_corpus(corpus_dir) if t.language == language]
            return corpus or builtin_texts_in(language)
        seed = load_seed()
        texts = [seed] if seed else []
        corpus = load_corpus(corpus_dir)
        return texts + corpus if corpus else texts + builtin_texts()

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self, port: int = 0) -> "WireSim":
        from .server import WireServer   # the server depends on the sim, not the other way
        if self._server is None:
            self._server = WireServer(self, port)
            self._thread = threading.Thread(target=self._server.serve_forever,
                                            kwargs={"poll_interval": 0.1},
                                            name="wiresim-server", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        with self._lock:
            timers, self._timers = self._timers, []
        for timer in timers:
            timer.cancel()
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.close_connections()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> "WireSim":
        return self.start(port=0)

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("WireSim is not started: call start() first")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # -- reading -----------------------------------------------------------------------------

    def article_ids(self) -> list[str]:
        with self._lock:
            return sorted(self._articles, key=int)

    def article(self, aid) -> Article:
        """A copy: later edits do not change what the caller holds."""
        with self._lock:
            return self._get(aid).copy()

    def article_url(self, aid) -> str:
        """The article's current URL: on a persona, on the agency's real host (route it to
        base_url with host_map())."""
        with self._lock:
            return self._url_of(self._get(aid))

    def _url_of(self, a: Article) -> str:
        if self.site is not None:
            return self.site.url(a)
        return (self.base_url if self._server else "") + a.path

    def public_id(self, aid) -> str:
        """The id the article's URL carries (for the classic site, its own id)."""
        with self._lock:
            a = self._get(aid)
            return self.site.persona.scheme.public_id(a) if self.site else a.id

    def host_map(self) -> dict[str, str]:
        """{real host: "127.0.0.1:<port>"} for every host a persona answers for."""
        port = self.base_url.rsplit(":", 1)[1]
        hosts = self.site.persona.hosts if self.site else ()
        return {host: f"127.0.0.1:{port}" for host in hosts}

    @property
    def quirks(self) -> dict[str, dict]:
        """A persona's quirks and their options, to tune or switch off:
        sim.quirks["datadome"]["every"] = 0."""
        return self.site.quirks if self.site else {}

    def state(self) -> dict:
        with self._lock:
            articles = [self._describe(a) for a in self._articles.values()]
        state = {"base_url": self.base_url if self._server else None, "articles": articles,
                 "faults": self._faults.active(), "requests": self.request_count()}
        if self.site is not None:
            state.update(persona=self.site.persona.name, quirks=self.quirks,
                         host_map=self.host_map() if self._server else None)
        return state

    def _describe(self, a: Article) -> dict:
        return {"id": a.id, "url": self._url_of(a), "public_id": self.site.persona.scheme.public_id(a)
                if self.site else a.id,
                "section": a.section, "slug": a.slug, "old_slugs": list(a.old_slugs),
                "headline": a.headline, "byline": a.byline, "lead": a.lead,
                "paragraphs": list(a.paragraphs), "tags": list(a.tags), "language": a.language,
                "place_headlines": dict(a.place_headlines),
                "published": a.published.isoformat(), "modified": a.modified.isoformat(),
                "status": a.status, "gone_status": a.gone_status, "revision": a.revision,
                "charset": a.charset, "etag": a.etag, "origin": a.origin}

    # -- changing ----------------------------------------------------------------------------

    def publish(self, headline: str | None = None, paragraphs: list[str] | None = None,
                section: str | None = None, **kw) -> str:
        unknown = set(kw) - _PUBLISH_OPTIONS
        if unknown:
            raise TypeError(f"publish() got unknown option(s) {sorted(unknown)}; "
                            f"known: {sorted(_PUBLISH_OPTIONS)}")
        if section is not None and (not re.fullmatch(r"[a-z][a-z-]*", section)
                                    or section in RESERVED_SECTIONS):
            raise ValueError(f"section {section!r}: lowercase letters and hyphens, not one of "
                             f"{sorted(RESERVED_SECTIONS)}")
        with self._lock:
            a = self._create(published=kw.pop("published", None) or self._now(), section=section)
            if headline is not None:
                a.headline, a.slug = headline, slugify(headline)
            if paragraphs is not None:
                a.paragraphs = list(paragraphs)
            for name, value in kw.items():
                setattr(a, name, list(value) if name == "tags" else value)
            self._bump()
            return a.id

    def add_cp1251_article(self) -> str:
        """A Russian story served as windows-1251 bytes."""
        with self._lock:
            a = self._create(text=russian_text(), variant=self._cp1251_count, section="world",
                             published=self._now(), charset="windows-1251")
            self._cp1251_count += 1
            self._bump()
            return a.id

    def edit(self, aid, kind: str, stealth: bool = False, **kw) -> dict:
        """Edit article `aid` (kinds: EDIT_KINDS; options per kind in edits.py and, for the
        headline edits' places=/stale=/kicker=, headlines.py). stealth: keep the modified time."""
        with self._lock:
            change = apply_edit(self._get(aid), kind, self._rng, self._now(), stealth, **kw)
            self._bump()
            return change

    def change_slug(self, aid, new_slug: str | None = None) -> str:
        """Move the article to a new slug; every earlier URL answers 301 to the new one."""
        with self._lock:
            a = self._get(aid)
            taken = {a.slug, *a.old_slugs}
            if new_slug is None:
                base = slugify(a.headline, 8)
                candidates = [slugify(a.headline), *(f"{base}-{s}" for s in SLUG_SUFFIXES),
                              *(f"{base}-{n}" for n in range(2, 10_000))]
                new_slug = next(c for c in candidates if c not in taken)
            if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", new_slug) or new_slug == a.slug:
                raise ValueError(f"slug {new_slug!r}: need a new slug of lowercase letters, "
                                 "digits and hyphens")
            a.old_slugs = [*a.old_slugs, a.slug]
            a.slug = new_slug
            self._bump()
            return self._url_of(a)

    def move(self, aid) -> str:
        """Give the article a new URL with the same id, as its site does: a new slug where URLs
        carry one, else a new section (a persona says which; Persona.moves); the new URL."""
        moves = self.site.persona.moves if self.site else "slug"
        if moves == "slug":
            return self.change_slug(aid)
        if moves != "section":
            raise ValueError(f"{self.site.persona.name} article URLs carry neither a slug nor a "
                             "section: an article cannot move")
        with self._lock:
            a = self._get(aid)
            names = [name for name, _ in self.site.persona.sections]
            a.section = names[(names.index(a.section) + 1) % len(names)] \
                if a.section in names else names[0]
            self._bump()
            return self._url_of(a)

    def pull(self, aid, status: int = 404) -> None:
        status = int(status)
        if status not in (404, 410):
            raise ValueError(f"pull status must be 404 or 410, not {status}")
        with self._lock:
            a = self._get(aid)
            a.status, a.gone_status = "gone", status
            self._bump()

    def restore(self, aid) -> None:
        """Put a pulled story back online at its URL (as publishers sometimes do)."""
        with self._lock:
            a = self._get(aid)
            a.status = "live"
            self._bump()

    def fault(self, target, kind: str, count: int | None = None, **kw) -> dict:
        target = normalize_target(target)
        if target.isdigit():
            with self._lock:
                self._get(target)   # an unknown id is a typo, not a fault for later
        fault = self._faults.add(target, kind, count, **kw)
        return {"target": fault.target, "kind": fault.kind, "count": fault.remaining,
                **fault.options}

    def clear_faults(self, target=None) -> int:
        return self._faults.clear(target)

    # -- timelines ---------------------------------------------------------------------------

    def schedule(self, delay_seconds: float, fn: Callable, *args, **kw) -> threading.Timer:
        def run():
            try:
                fn(*args, **kw)
            except Exception as exc:   # a timer thread has nobody to raise to: keep it
                self.errors.append((getattr(fn, "__name__", repr(fn)), exc))
        timer = threading.Timer(float(delay_seconds), run)
        timer.daemon = True
        with self._lock:
            self._timers = [t for t in self._timers if t.is_alive()] + [timer]
        timer.start()
        return timer

    def run_timeline(self, steps) -> list[threading.Timer]:
        """Schedule steps like (2.0, "edit", "1001", "number") or (5, "pull", "1002", 410);
        a trailing dict is passed as keyword arguments. Delays count from this call. Every step
        is checked before any is scheduled."""
        plan = []
        for step in steps:
            delay, action, *args = step
            kwargs = args.pop() if args and isinstance(args[-1], dict) else {}
            if action not in TIMELINE_ACTIONS:
                raise ValueError(f"timeline action {action!r}; actions: "
                                 f"{', '.join(TIMELINE_ACTIONS)}")
            plan.append((float(delay), getattr(self, action), args, kwargs))
        return [self.schedule(delay, fn, *args, **kwargs) for delay, fn, args, kwargs in plan]

    # -- internals used by the server ---------------------------------------------------------

    def _now(self) -> datetime:
        return datetime.fromtimestamp(int(self._clock()), tz=timezone.utc)

    def _get(self, aid) -> Article:
        try:
            return self._articles[str(aid)]
        except KeyError:
            raise KeyError(f"no article with id {aid!r}") from None

    def _create(self, published: datetime, text: SourceText | None = None,
                variant: int | None = None, section: str | None = None,
                charset: str = "utf-8") -> Article:
        if text is None:
            text = self._texts[self._text_cursor % len(self._texts)] if self._texts \
                else builtin_texts()[0]
            variant = self._text_cursor // max(1, len(self._texts))
            self._text_cursor += 1
        sections = SECTIONS
        if self.site is not None:
            sections = [name for name, _ in self.site.persona.sections]
            charset = self.site.persona.charset
        a = build_article(self._next_id, text, variant or 0, self._rng, published,
                          self._used_headlines, section=section, charset=charset,
                          sections=sections)
        self._articles[a.id] = a
        self._next_id += 1
        return a

    def _bump(self) -> None:
        # Listing, feed and sitemap ETags follow the version; their Last-Modified is plain "now"
        # (no one-second nudge as for articles: a burst of edits must not push it into the
        # future).
        self._version += 1
        self._site_modified = max(self._now(), self._site_modified)
