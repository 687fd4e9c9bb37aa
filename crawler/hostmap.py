"""Routing a seed's real hosts to local servers, for tests and demos only.

With WIREWATCH_HOST_MAP set (a setting, `--set WIREWATCH_HOST_MAP=...`, or the environment
variable of that name), requests to the hosts it names go to 127.0.0.1 instead, so a real seed
file (`seeds/tass.toml`, unchanged) can be crawled against a wiresim persona:

    WIREWATCH_HOST_MAP='{"tass.com": "127.0.0.1:8765"}' wirewatch crawl tass

The map is JSON (or a dict in settings): real host -> "127.0.0.1:<port>", for http and https
alike (the local server speaks plain HTTP). Unset, as in production, nothing here is loaded.

Why a download handler, switched on by an add-on, rather than a downloader middleware: the
rewrite has to happen below everything that looks at the URL. Download slots, politeness
delays and backoff (crawler/throttle.py), robots.txt per origin (crawler/robots.py), the
seed-domain check, redirects, WARC records and the archive must all see https://tass.com/...,
exactly as in production. A download handler is the last step before the socket: it alone
sends the request to 127.0.0.1 (with `Host: tass.com`, as a browser would send it to the real
host) and hands back a response whose URL is the real one. A middleware that rewrote
request.url would have every later component (and Scrapy's own urlparse cache) see 127.0.0.1.
"""
from __future__ import annotations

import json
import logging
import os
from urllib.parse import urlsplit, urlunsplit

from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import build_from_crawler, load_object

logger = logging.getLogger("wirewatch.hostmap")

SETTING = "WIREWATCH_HOST_MAP"
HANDLER = "crawler.hostmap.HostMapDownloadHandler"
_INNER = "WIREWATCH_HOST_MAP_INNER_HANDLERS"     # set by the add-on: the handlers it wraps


def parse_host_map(value) -> dict[str, str]:
    """{host: "127.0.0.1:<port>"} from a dict or its JSON text; {} for None or empty. Targets
    must be loopback addresses: this exists to reach local simulators, nothing else."""
    if not value:
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise ValueError(f"{SETTING}: not JSON ({exc}); expected "
                             '{"tass.com": "127.0.0.1:8765", ...}') from None
    if not isinstance(value, dict):
        raise ValueError(f"{SETTING}: expected a JSON object of host -> 127.0.0.1:<port>")
    mapping = {}
    for host, target in dict(value).items():
        target = str(target)
        name, _, port = target.rpartition(":")
        if name not in ("127.0.0.1", "localhost", "[::1]") or not port.isdigit():
            raise ValueError(f"{SETTING}: {host!r} -> {target!r}: the target must be "
                             "127.0.0.1:<port>")
        mapping[str(host).lower()] = target
    return mapping


def host_map_from(settings) -> dict[str, str]:
    return parse_host_map(settings.get(SETTING) or os.environ.get(SETTING))


class HostMapAddon:
    """Installs HostMapDownloadHandler for http and https when a host map is given; otherwise
    it is not configured and the download handlers stay Scrapy's."""

    def update_settings(self, settings) -> None:
        mapping = host_map_from(settings)
        if not mapping:
            raise NotConfigured      # no message: production, where this is simply off
        handlers = settings.getwithbase("DOWNLOAD_HANDLERS")
        inner = {scheme: handlers[scheme] for scheme in ("http", "https")}
        if HANDLER in inner.values():
            return
        settings.set(_INNER, inner, priority="addon")
        settings.set(SETTING, mapping, priority="addon")
        settings["DOWNLOAD_HANDLERS"].set("http", HANDLER, priority="addon")
        settings["DOWNLOAD_HANDLERS"].set("https", HANDLER, priority="addon")
        # Once per crawl, so DEBUG: the daemon starts a crawl per source every few minutes.
        logger.debug("host map on: %s", ", ".join(f"{h} -> {t}" for h, t in mapping.items()))


class HostMapDownloadHandler:
    """Scrapy's own handler underneath; mapped hosts are fetched from their local target."""

    lazy = False

    def __init__(self, crawler):
        self.map = host_map_from(crawler.settings)
        inner = crawler.settings.getdict(_INNER) or {}
        path = inner.get("https") or "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler"
        self.inner = build_from_crawler(load_object(path), crawler)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def local_url(self, url: str) -> str | None:
        """The loopback URL for `url`, or None when its host is not mapped."""
        parts = urlsplit(url)
        target = self.map.get((parts.hostname or "").lower())
        if target is None:
            return None
        return urlunsplit(("http", target, parts.path or "/", parts.query, ""))

    async def download_request(self, request):
        local = self.local_url(request.url)
        if local is None:
            return await self.inner.download_request(request)
        headers = request.headers.copy()
        headers["Host"] = urlsplit(request.url).netloc
        meta = {k: v for k, v in request.meta.items() if k != "proxy"}   # never via a proxy
        response = await self.inner.download_request(request.replace(url=local, headers=headers,
                                                                     meta=meta))
        # The spider, the WARC writer and the archive see the real URL, as in production.
        return response.replace(url=request.url, request=request)

    async def close(self) -> None:
        close = getattr(self.inner, "close", None)
        if close is not None:
            result = close()
            if hasattr(result, "__await__"):
                await result
