"""HTTP helpers shared by the wiresim tests: one request on a fresh connection, as a crawler would."""
from __future__ import annotations

import http.client
import json
import re
import urllib.parse
from html import unescape
from pathlib import Path


from wiresim import WireSim

PLACES = ("h1", "og", "twitter", "jsonld", "title")


def shown_headlines(html: str) -> dict[str, str]:
    """What an article page shows as its headline in each place, read from its markup."""
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html)[1])
    return {"h1": unescape(re.search(r'<h1 class="headline">(.*?)</h1>', html)[1]),
            "og": unescape(re.search(r'<meta property="og:title" content="(.*?)">', html)[1]),
            "twitter": unescape(re.search(r'<meta name="twitter:title" content="(.*?)">', html)[1]),
            "jsonld": ld["headline"],
            "title": unescape(re.search(r"<title>(.*?) - WireSim News Agency</title>", html)[1])}


CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


class Clock:
    """An injected clock that moves only when told, so modified times are exact."""
    now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def fetch(url: str, headers: dict | None = None, method: str = "GET", body=None):
    """One request on a fresh connection, redirects not followed: (status, headers, body)."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request(method, url.split(parts.netloc, 1)[1], body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read()
    finally:
        conn.close()


def post(sim: WireSim, action: str, payload: dict):
    status, _, body = fetch(f"{sim.base_url}/_admin/{action}", method="POST",
                            body=json.dumps(payload))
    return status, json.loads(body)


def page(url: str, headers: dict | None = None) -> str:
    return fetch(url, headers)[2].decode("utf-8")


# -- pages ------------------------------------------------------------------------------------
