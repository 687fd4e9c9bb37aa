"""A news site of real pages on several loopback hosts, for the crawl benchmark.

The 181 pages of the article-extraction-benchmark corpus (real sites' HTML, 20 KB to 1.5 MB)
are served as-is, repeated to N article URLs spread round-robin over H hosts (127.0.0.2,
127.0.0.3, ...: one ThreadingHTTPServer each, on its own thread in this process). Each host has
a robots.txt allowing everything and a sitemap.xml of its articles; article n is
`http://HOST:PORT/news/<n>/<slug>` (n is unique across hosts, so it is the article's id) and
shows corpus page n % 181.

`mode` says what an article response carries:
- "plain": the corpus page's bytes exactly;
- "rotating" (the default): what real sites add and change on every response, outside the
  story and inside it: a CSRF token and a script nonce in <head>, an ad slot with a random id
  after <body>, a "N views" counter before </body>, and a "Read also: <headline of another corpus
  page>" paragraph after the first </p> that follows the <h1> (or before </body> when there is
  none), chosen at random per response;
- "frozen": byte for byte what the last response for that URL was (no rotation).
No ETag or Last-Modified is sent, so every re-check is a full 200.

The server counts what it serves: requests and bytes per (host, kind, status), where kind is
article / sitemap / robots / other, and requests per article path.
"""
from __future__ import annotations

import gzip
import html
import json
import random
import re
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "article-extraction-benchmark"
HOSTS = ("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6", "127.0.0.7")
ARTICLE = re.compile(r"^/news/(\d+)/[a-z0-9-]+$")
MODES = ("plain", "rotating", "frozen")
LASTMOD = "2026-11-20T08:00:00+00:00"


_RAW_TEXT = re.compile(rb"<(script|style)\b.*?</\1\s*>", re.I | re.S)


def _find(raw: bytes, pattern: bytes, start: int = 0, end: bool = False,
          skip: list[tuple[int, int]] = ()) -> int | None:
    """Where `pattern` first matches from `start` outside the `skip` spans (a page's scripts:
    "<body>" or "</p>" inside a JSON-LD articleBody is text, not markup, and a real site's ad slot
    or teaser is never put there)."""
    for m in re.compile(pattern, re.I).finditer(raw, start):
        if not any(a <= m.start() < b for a, b in skip):
            return m.end() if end else m.start()
    return None


class Page:
    """One corpus page: its bytes, its headline and where boilerplate goes."""

    def __init__(self, sha: str, raw: bytes, url: str):
        self.sha, self.raw, self.url = sha, raw, url
        n = len(raw)
        scripts = [m.span() for m in _RAW_TEXT.finditer(raw)]
        body_end = _find(raw, rb"</body\s*>", skip=scripts) or n
        h1 = _find(raw, rb"<h1[\s>]", skip=scripts)
        after_p = _find(raw, rb"</p\s*>", h1, end=True, skip=scripts) if h1 is not None else None
        self.points = {
            "head": _find(raw, rb"</head\s*>", skip=scripts) or 0,
            "body": _find(raw, rb"<body[^>]*>", end=True, skip=scripts) or 0,
            "inbody": after_p if after_p is not None and after_p < body_end else body_end,
            "end": body_end,
        }
        self.in_place = after_p is not None and after_p < body_end   # after the first </p> of the story
        text = raw.decode("utf-8", "replace")
        m = (re.search(r'<meta[^>]+property=["\']og:title["\'][^>]*content=["\']([^"\']+)', text, re.I)
             or re.search(r"<h1[^>]*>(.*?)</h1>", text, re.I | re.S)
             or re.search(r"<title[^>]*>(.*?)</title>", text, re.I | re.S))
        title = html.unescape(re.sub(r"<[^>]+>|\s+", " ", m.group(1))).strip() if m else ""
        self.headline = title[:160] or "More news"
        slug = re.sub(r"[^a-z0-9]+", "-", urlsplit(url).path.lower()).strip("-")[-60:].strip("-")
        self.slug = slug or "story"


def load_corpus(directory: Path = CORPUS) -> list[Page]:
    """The corpus pages in a stable order (by sha256); [] if the corpus is not there."""
    truth_file = directory / "ground-truth.json"
    if not truth_file.is_file():
        return []
    truth = json.loads(truth_file.read_text())
    pages = []
    for sha in sorted(truth):
        path = directory / "html" / f"{sha}.html.gz"
        if path.is_file():
            pages.append(Page(sha, gzip.decompress(path.read_bytes()), truth[sha].get("url", "")))
    return pages


class RealSite:
    """N article URLs of real pages on `hosts` loopback hosts. Use as a context manager."""

    def __init__(self, articles: int, hosts: int = 3, pages: list[Page] | None = None,
                 mode: str = "rotating", seed: int = 0):
        if not 1 <= hosts <= len(HOSTS):
            raise ValueError(f"hosts must be 1..{len(HOSTS)}")
        self.pages = pages if pages is not None else load_corpus()
        if not self.pages:
            raise FileNotFoundError(f"no corpus pages in {CORPUS}")
        self.articles, self.hosts, self.seed = articles, list(HOSTS[:hosts]), seed
        self.mode = mode
        self.ports: dict[str, int] = {}
        self._servers: list[ThreadingHTTPServer] = []
        self._lock = threading.Lock()
        self._turn: dict[int, int] = {}          # article -> rotation of its last response
        self.reset_counts()

    # -- what is served ------------------------------------------------------------------------
    @property
    def mode(self) -> str:
        return self._mode

    @mode.setter
    def mode(self, value: str) -> None:
        if value not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self._mode = value

    def page(self, n: int) -> Page:
        return self.pages[n % len(self.pages)]

    def host(self, n: int) -> str:
        return self.hosts[n % len(self.hosts)]

    def path(self, n: int) -> str:
        return f"/news/{n}/{self.page(n).slug}"

    def url(self, n: int) -> str:
        host = self.host(n)
        return f"http://{host}:{self.ports[host]}{self.path(n)}"

    def base_urls(self) -> list[str]:
        return [f"http://{h}:{self.ports[h]}" for h in self.hosts]

    def render(self, n: int, turn: int | None = None) -> bytes:
        """Article n's response body at rotation `turn` (None: plain corpus bytes)."""
        page = self.page(n)
        if turn is None:
            return page.raw
        rng = random.Random(f"{self.seed}/{n}/{turn}")
        token = "%032x" % rng.getrandbits(128)
        other = rng.randrange(len(self.pages) - 1) if len(self.pages) > 1 else 0
        other += other >= n % len(self.pages)
        other_n = (n // len(self.pages)) * len(self.pages) + other
        headline = html.escape(self.pages[other % len(self.pages)].headline)
        inserts = {
            "head": f'<meta name="csrf-token" content="{token}">'
                    f'<script nonce="{token[:16]}">window.__csrf="{token}";window.__slot={turn};</script>',
            "body": f'<div class="ad-slot" id="ad-{rng.getrandbits(32):08x}" data-slot="{rng.randrange(10**6)}">'
                    f'<span>Advertisement</span></div>',
            "inbody": f'<p class="read-also">Read also: <a href="{self.path(other_n)}">{headline}</a></p>',
            "end": f'<div class="views">{rng.randrange(1000, 10**6):,} views</div>',
        }
        out, at = [], 0
        for key, point in sorted(page.points.items(), key=lambda kv: kv[1]):
            out += [page.raw[at:point], inserts[key].encode("ascii", "xmlcharrefreplace")]
            at = point
        out.append(page.raw[at:])
        return b"".join(out)

    def respond(self, n: int) -> bytes:
        if self._mode == "plain":
            return self.render(n)
        with self._lock:
            if self._mode == "rotating" or n not in self._turn:
                self._turn[n] = self._turn.get(n, -1) + 1
            turn = self._turn[n]
        return self.render(n, turn)

    def sitemap(self, host: str) -> bytes:
        urls = "".join(f"<url><loc>{self.url(n)}</loc><lastmod>{LASTMOD}</lastmod></url>"
                       for n in range(self.articles) if self.host(n) == host)
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/'
                f'sitemap/0.9">{urls}</urlset>\n').encode()

    def robots(self, host: str) -> bytes:
        return f"User-agent: *\nAllow: /\nSitemap: http://{host}:{self.ports[host]}/sitemap.xml\n".encode()

    # -- the request log -----------------------------------------------------------------------
    def reset_counts(self) -> None:
        with self._lock:
            self.requests: Counter = Counter()      # (host, kind, status) -> requests
            self.bytes: Counter = Counter()         # (host, kind, status) -> body bytes
            self.per_article: Counter = Counter()   # article n -> requests

    def counts(self) -> dict:
        """Totals since the last reset: requests and bytes by kind, article requests by status
        and by host, and how many articles were requested more than once."""
        with self._lock:
            req, size, per = Counter(self.requests), Counter(self.bytes), Counter(self.per_article)
        by_kind, bytes_kind, status, hosts = Counter(), Counter(), Counter(), Counter()
        for (host, kind, code), n in req.items():
            by_kind[kind] += n
            bytes_kind[kind] += size[(host, kind, code)]
            if kind == "article":
                status[str(code)] += n
                hosts[host] += n
        return {"requests": dict(by_kind), "bytes": dict(bytes_kind),
                "article_requests": by_kind.get("article", 0), "article_status": dict(status),
                "article_requests_by_host": dict(hosts), "articles_requested": len(per),
                "articles_requested_twice_or_more": sum(1 for v in per.values() if v > 1)}

    def _log(self, host: str, kind: str, status: int, size: int, n: int | None) -> None:
        with self._lock:
            self.requests[(host, kind, status)] += 1
            self.bytes[(host, kind, status)] += size
            if n is not None:
                self.per_article[n] += 1

    # -- the servers ---------------------------------------------------------------------------
    def start(self) -> "RealSite":
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"           # keep-alive, as a real site
            server_version = "realsite/1"

            def do_GET(self):                       # noqa: N802
                host = self.server.server_address[0]
                path = urlsplit(self.path).path
                m = ARTICLE.match(path)
                n = int(m.group(1)) if m else None
                if n is not None and n < site.articles and site.host(n) == host and path == site.path(n):
                    kind, status, ctype, body = "article", 200, "text/html", site.respond(n)
                elif path == "/sitemap.xml":
                    kind, status, ctype, body = "sitemap", 200, "application/xml", site.sitemap(host)
                elif path == "/robots.txt":
                    kind, status, ctype, body = "robots", 200, "text/plain", site.robots(host)
                else:
                    kind, status, ctype, body, n = "other", 404, "text/plain", b"not found\n", None
                site._log(host, kind, status, len(body), n)
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):           # no line on stderr per request
                pass

        try:
            for host in self.hosts:
                server = ThreadingHTTPServer((host, 0), Handler)
                server.daemon_threads = True
                self._servers.append(server)
                self.ports[host] = server.server_address[1]
                threading.Thread(target=server.serve_forever, name=f"realsite-{host}", daemon=True).start()
        except OSError:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers.clear()

    def __enter__(self) -> "RealSite":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- a seed for it -------------------------------------------------------------------------
    def seed_toml(self, name: str = "realsite", concurrency: int = 8) -> str:
        bases = self.base_urls()
        return "\n".join([
            "# written by bench/realsite.py: real corpus pages on loopback hosts",
            f'name = "{name}"', 'title = "Real pages (benchmark)"', 'language = "en"',
            f"domains = {json.dumps(self.hosts)}", "",
            "[discover]", f"sitemaps = {json.dumps([b + '/sitemap.xml' for b in bases])}", 'every = "1h"', "",
            "[article]", r"pattern = '^http://127\.0\.0\.\d+:\d+/news/\d+/[a-z0-9-]+$'",
            r"id = '/news/(\d+)/'", "drop = []", "",
            "[crawl]", 'delay = "0s"', f"concurrency = {concurrency}", "autothrottle = false", ""])
