"""HTTP helpers and fixtures shared by the wiresim tests."""
from __future__ import annotations

import http.client
import json
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from html import escape
from pathlib import Path

import feedparser
import pytest

from wiresim import ARTICLE_ID_PATTERN, ARTICLE_URL_PATTERN, EDIT_KINDS, WireSim
from wiresim.content import find_figures

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
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


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def sim(clock):
    with WireSim(articles=6, seed=1, clock=clock) as s:
        yield s


# -- pages ------------------------------------------------------------------------------------

