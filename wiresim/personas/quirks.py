"""Agency misbehaviour acted out in front of the site, before any page is routed: anti-bot walls
(StormWall's 403 by User-Agent in front of tass.ru, DataDome's 401/403 challenge pages at
Reuters) and TASS's feed hidden behind a JavaScript redirect for a while. Each is a Quirk whose
options the running site holds, so a test can tune or switch one off:
sim.quirks["datadome"]["every"] = 0."""

from __future__ import annotations

import hashlib

from ..faults import DEFAULT_AGENTS
from ..responses import Response
from .base import Quirk


def _is_default_agent(headers) -> bool:
    ua = (headers.get("User-Agent") or "").strip().lower()
    return not ua or ua.startswith(DEFAULT_AGENTS)


def _stormwall(site, name, path, query, headers, rng):
    if not site.quirks[name]["enabled"] or not _is_default_agent(headers):
        return None
    body = ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>403 Forbidden</title>"
            "</head>\n<body><h1>Доступ запрещён / Access denied</h1>\n<p>Your request was "
            "blocked by StormWall protection.</p>\n"
            f"<p class=\"sw-id\">Request ID: {rng.getrandbits(64):016x}</p></body></html>\n")
    return Response(403, body.encode(), {"Content-Type": "text/html; charset=utf-8",
                                         "Server": "StormWall", "Cache-Control": "no-store"})


def stormwall() -> Quirk:
    return Quirk("stormwall", _stormwall, {"enabled": True},
                 "403 to an empty User-Agent or an HTTP library's default one (python-requests, "
                 "feedparser's urllib, curl, Scrapy), on every path, robots.txt included")


def _datadome(site, name, path, query, headers, rng):
    options = site.quirks[name]
    every = int(options["every"])
    if every <= 0 or site.article_id(path, query) is None:
        return None
    with site.lock:
        counts = site.quirk_state[name]
        n = counts[path] = counts.get(path, 0) + 1
    # A page's first request passes (DataDome judges a client by what it does next); after
    # that one in `every`, which one depending on the page: the sequence of any one page is
    # fixed (a test can count on it), and no two requests in a row are challenged (every >= 2).
    phase = int(hashlib.sha1(path.encode()).hexdigest(), 16) % every
    if n < 2 or n % every != phase:
        return None
    status = 401 if (n // every) % 2 else 403
    cid = f"{rng.getrandbits(128):032x}"
    body = ("<html><head><title>reuters.com</title><style>#cmsg{animation: A 1.5s;}</style>"
            "</head><body style=\"margin:0\"><p id=\"cmsg\">Please enable JS and disable any ad "
            "blocker</p><script data-cfasync=\"false\">var dd={'rt':'c','cid':'" + cid + "',"
            "'hsh':'2013457ADA70C67D6A4123E0A76873','t':'fe','s':17434,'host':"
            "'geo.captcha-delivery.com'}</script><script data-cfasync=\"false\" "
            "src=\"https://ct.captcha-delivery.com/c.js\"></script></body></html>\n")
    return Response(status, body.encode(), {
        "Content-Type": "text/html;charset=utf-8", "X-DataDome": "protected",
        "X-DD-B": "1", "Cache-Control": "max-age=0, private, no-cache, no-store",
        "Set-Cookie": f"datadome={rng.getrandbits(192):048x}; Max-Age=31536000; Path=/; Secure"})


def datadome(every: int = 4) -> Quirk:
    return Quirk("datadome", _datadome, {"every": every},
                 "after its first request, one request in `every` to each article page gets "
                 "DataDome's challenge (403 and 401 in turn, an \"enable JS\" page): never a "
                 "version; 0 switches it off")


def _js_redirect(site, name, path, query, headers, rng):
    options = site.quirks[name]
    if path != options["path"]:
        return None
    with site.lock:
        state = site.quirk_state[name]
        served = state.get("served", 0)
        if served >= int(options["count"]):
            return None
        state["served"] = served + 1
    token = f"{rng.getrandbits(64):016x}"
    body = ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title></title></head><body>\n"
            f"<script>document.cookie=\"__js_p_={token};path=/\";"
            f"window.location.replace(\"{options['path']}\");</script>\n"
            "<noscript>Please enable JavaScript to continue.</noscript>\n</body></html>\n")
    return Response(200, body.encode(), {"Content-Type": "text/html; charset=utf-8",
                                         "Cache-Control": "no-store"})


def js_redirect(path: str, count: int = 1) -> Quirk:
    return Quirk("js_redirect", _js_redirect, {"path": path, "count": count},
                 "the first `count` requests of the feed get an HTML page whose script sets a "
                 "cookie and reloads, instead of the feed (RSSHub #9226)")
