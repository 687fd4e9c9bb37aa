"""What the server reads from the simulator, kept apart from the control API in sim.py: the
live articles and the documents built from them (cached per site version, as they carry no
per-request noise), per-request state (the held teaser, the stamped modified time) and the
request log."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Callable

from . import feeds
from .content import Article
from .pages import ListItem


class Serving:
    """Mixed into WireSim; uses its _lock, _articles, _version, _cache, _site_modified."""

    def _held_teaser(self, aid: str, rng) -> str | None:
        if self.teaser_hold <= 1:
            return None
        from .pool import NOISE_HEADLINES
        with self._lock:
            held = self._teasers.get(aid)
            if not held or held[1] >= self.teaser_hold:
                # one no other article holds: a held teaser is the case of a line repeated in
                # time on one article, never the case of a pool repeated across articles
                taken = {h[0] for other, h in self._teasers.items() if other != aid}
                held = [rng.choice([t for t in NOISE_HEADLINES if t not in taken]), 0]
                self._teasers[aid] = held
            held[1] += 1
            return held[0]

    def _fresh_modified(self, a: Article) -> datetime:
        """The modified time to state on this response of `a` when fresh_modified is on: now,
        and later than both the article's own modified time and the last one stated."""
        with self._lock:
            last = self._served_modified.get(a.id)
            floor = max(a.modified, last) if last else a.modified
            stamp = max(self._now(), floor + timedelta(seconds=1))
            self._served_modified[a.id] = stamp
            return stamp

    def _snapshot(self, aid: str) -> Article | None:
        with self._lock:
            a = self._articles.get(aid)
            return a.copy() if a else None

    def _site(self) -> tuple[int, datetime, list[ListItem]]:
        """Live articles, newest first, with the site version and modified time; cached per
        version so listings of a thousand-article site stay cheap."""
        with self._lock:
            version, modified = self._version, self._site_modified
            cached = self._cache.get("items")
            if cached and cached[0] == version:
                return version, modified, cached[1]
            live = [a for a in self._articles.values() if a.status == "live"]
            live.sort(key=lambda a: (a.published, int(a.id)), reverse=True)
            items = [ListItem.of(a, self.site.path(a) if self.site else a.path) for a in live]
            self._cache["items"] = (version, items)
            return version, modified, items

    def _cached(self, key: str, build: Callable[[list[ListItem], datetime], str]
                ) -> tuple[int, datetime, str]:
        """A document without per-request noise (a persona's feed or sitemap), built once per
        site version."""
        version, modified, items = self._site()
        with self._lock:
            cached = self._cache.get(key)
            if cached and cached[0] == version:
                return version, modified, cached[1]
        text = build(items, modified)
        with self._lock:
            self._cache[key] = (version, text)
        return version, modified, text

    def _index(self, keys_of: Callable[[Article], list[str]]) -> dict[str, str]:
        """{URL key: article id} over every article, pulled ones too (they answer 404/410),
        built once per site version."""
        with self._lock:
            cached = self._cache.get("index")
            if cached and cached[0] == self._version:
                return cached[1]
            index = {key: a.id for a in self._articles.values() for key in keys_of(a)}
            self._cache["index"] = (self._version, index)
            return index

    def _document(self, name: str) -> tuple[int, datetime, str]:
        """Feed and sitemap text, cached per version: they carry no per-request noise."""
        version, modified, items = self._site()
        with self._lock:
            cached = self._cache.get(name)
            if cached and cached[0] == version:
                return version, modified, cached[1]
        base = self.base_url
        builders = {"rss": lambda: feeds.rss(items, base, modified),
                    "sitemap": lambda: feeds.sitemap_index(base, modified),
                    "news": lambda: feeds.news_sitemap(items, base),
                    "sections": lambda: feeds.sections_sitemap(base, modified),
                    "robots": lambda: feeds.robots_txt(base)}
        text = builders[name]()
        with self._lock:
            self._cache[name] = (version, text)
        return version, modified, text

    # -- request log -------------------------------------------------------------------------

    @property
    def requests(self) -> list[tuple[str, str, int]]:
        with self._log_lock:
            return list(self._log)

    def request_count(self, path_prefix: str | None = None) -> int:
        with self._log_lock:
            if path_prefix is None:
                return len(self._log)
            return sum(1 for _, path, _ in self._log if path.startswith(path_prefix))

    def reset_log(self) -> None:
        with self._log_lock:
            self._log.clear()
            self._log_times.clear()

    @property
    def request_times(self) -> list[float]:
        """When each request of `requests` arrived (time.monotonic()), for politeness checks."""
        with self._log_lock:
            return list(self._log_times)

    def _record(self, method: str, path: str, status: int) -> None:
        with self._log_lock:
            self._log.append((method, path, status))
            self._log_times.append(time.monotonic())
