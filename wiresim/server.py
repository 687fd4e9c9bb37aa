"""The HTTP side: routing, conditional requests, and acting out faults on a real socket (a TCP
reset, a truncated body, a stalled response), which is why this is http.server and not a WSGI
app: the misbehaviour has to happen below HTTP."""

from __future__ import annotations

import hashlib
import random
import re
import socket
import struct
import sys
import threading
import time
from datetime import datetime, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote_plus

from . import pages
from .admin import handle_admin
from .content import SECTION_TITLES, SECTIONS
from .responses import HTML, XML, Response, article_validators, not_modified, validated

ARTICLE_PATH = re.compile(r"^/([a-z][a-z-]*)/(\d+)(?:/([^/]*))?/?$")
ARTICLE_ID_IN_PATH = re.compile(r"^/[a-z][a-z-]*/(\d+)(?:/|$)")
LISTING_SIZE = 50


class WireServer(ThreadingHTTPServer):
    daemon_threads = True          # a stuck keep-alive client must not block shutdown
    allow_reuse_address = True     # tests restart on fixed ports in quick succession
    request_queue_size = 1024      # benchmarks open hundreds of connections at once

    def __init__(self, sim, port: int = 0):
        self.sim = sim
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(("127.0.0.1", port), Handler)

    def get_request(self):
        sock, addr = super().get_request()
        with self._connections_lock:
            self._connections.add(sock)
        return sock, addr

    def shutdown_request(self, request):
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request, client_address):
        # Clients that hang up mid-response (timeouts on a "slow" fault, a stop() under load)
        # are ordinary here; anything else is a bug worth its traceback.
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)

    def close_connections(self) -> None:
        """End keep-alive connections still open, so a stopped simulator answers nothing."""
        with self._connections_lock:
            connections, self._connections = self._connections, set()
        for sock in connections:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _retry_after(options: dict) -> dict:
    seconds = options.get("retry_after")
    if seconds is None:
        return {}
    if options.get("http_date"):
        when = datetime.fromtimestamp(time.time() + float(seconds), timezone.utc)
        return {"Retry-After": format_datetime(when, usegmt=True)}
    return {"Retry-After": str(int(float(seconds)))}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"     # keep-alive, as crawlers expect
    server_version = "WireSim/1.0"
    timeout = 30                      # idle keep-alive connections end instead of piling up
    # Headers and body go out in two writes; with Nagle on, a keep-alive client waits for a
    # delayed ACK (~40 ms) on every response.
    disable_nagle_algorithm = True

    def version_string(self) -> str:
        # A response may name its own server (an anti-bot wall in front of the site does).
        return getattr(self, "_server_header", None) or self.server_version

    def log_message(self, format, *args):   # the request log is sim.requests, not stderr
        pass

    def do_GET(self):
        self._serve(head=False)

    def do_HEAD(self):
        self._serve(head=True)

    def do_POST(self):
        if self.path.startswith("/_admin/"):
            return self._admin()
        self._send(Response(405, b"", {"Allow": "GET, HEAD"}), head=False)

    # -- dispatch ----------------------------------------------------------------------------

    def _serve(self, head: bool) -> None:
        sim = self.server.sim
        path, _, query = self.path.partition("?")
        if path.startswith("/_admin/"):
            return self._admin()
        rng = random.Random()    # per-request noise: never the simulator's seeded generator
        site = sim.site          # a persona's site, or None for the classic WireSim site
        if site is not None:
            aid = site.article_id(path, query)
        else:
            match = ARTICLE_ID_IN_PATH.match(path)
            aid = match.group(1) if match else None
        fault = sim._faults.take(path, aid, self.headers.get("User-Agent"))
        kind = fault.kind if fault else None
        if kind == "reset":
            return self._reset()
        if kind == "slow":
            time.sleep(float(fault.options["seconds"]))
        if kind == "redirect":
            return self._send(Response(int(fault.options["status"]), b"",
                                       {"Location": str(fault.options["location"])}), head=head)
        if kind in ("500", "503", "429", "403"):
            status = int(kind)
            headers = _retry_after(fault.options) if kind in ("503", "429") else {}
            response = Response(status, pages.error_page(status, rng).encode(),
                                {"Content-Type": HTML, **headers})
        elif kind == "robots":
            response = self._robots(fault.options, conditional=sim.conditional)
        elif kind == "challenge":
            response = Response(200, pages.challenge_page(rng).encode(),
                                {"Content-Type": HTML, "Cache-Control": "no-store"})
        elif kind == "near_empty":
            article = sim._snapshot(aid) if aid else None
            response = Response(200, pages.near_empty_page(article, rng).encode(),
                                {"Content-Type": HTML})
        else:
            # A faulted response is a different representation: no 304 in place of it.
            conditional = kind is None and sim.conditional
            response = site.respond(path, query, self.headers, rng, conditional) \
                if site is not None else self._route(path, rng, conditional)
        if kind == "huge":
            charset = "windows-1251" if "windows-1251" in response.headers.get(
                "Content-Type", "") else "utf-8"
            text = pages.pad_huge(response.body.decode(charset, "replace"),
                                  int(fault.options["size"]), rng)
            response.body = text.encode(charset, "xmlcharrefreplace")
            response.headers.pop("ETag", None)
        self._send(response, head, truncate=kind == "truncated")

    def _route(self, path: str, rng: random.Random, conditional: bool) -> Response:
        sim = self.server.sim
        query = parse_qs(self.path.split("?", 1)[1]) if "?" in self.path else {}
        documents = {"/rss.xml": ("rss", "application/rss+xml; charset=utf-8"),
                     "/sitemap.xml": ("sitemap", XML), "/sitemap-news.xml": ("news", XML),
                     "/sitemap-sections.xml": ("sections", XML),
                     "/robots.txt": ("robots", "text/plain; charset=utf-8")}
        if path in documents:
            name, content_type = documents[path]
            version, modified, text = sim._document(name)
            return self._validated(text.encode(), content_type, path, version, modified,
                                   conditional)
        version, modified, items = sim._site()
        if path in ("/", "/index.html"):
            tags = sorted({t for i in items[:LISTING_SIZE] for t in i.tags})[:20]
            html = pages.listing_page(f"{pages.SITE_NAME} - Latest news", "Latest news",
                                      items[:LISTING_SIZE], rng, tags)
            return self._validated(html.encode(), HTML, path, version, modified, conditional)
        listing = self._listing(path, query, items)
        if listing is not None:
            title, selected = listing
            html = pages.listing_page(f"{title} - {pages.SITE_NAME}", title,
                                      selected[:LISTING_SIZE], rng)
            return self._validated(html.encode(), HTML, path, version, modified, conditional)
        if path == "/about":
            return Response(200, pages.about_page(rng).encode(), {"Content-Type": HTML})
        if path == "/private" or path.startswith("/private/"):
            return Response(200, pages.private_page(rng, items).encode(), {"Content-Type": HTML})
        match = ARTICLE_PATH.match(path)
        if match:
            return self._article(match, rng, conditional)
        return Response(404, pages.not_found_page(rng).encode(), {"Content-Type": HTML})

    def _listing(self, path: str, query: dict, items):
        if path.startswith("/section/"):
            name = path[len("/section/"):].strip("/")
            if name in SECTIONS or any(i.section == name for i in items):
                return SECTION_TITLES.get(name, name.title()), \
                    [i for i in items if i.section == name]
        elif path.startswith("/tag/"):
            tag = unquote_plus(path[len("/tag/"):].strip("/"))
            selected = [i for i in items if tag in (t.lower() for t in i.tags)]
            if selected:
                display = next(t for t in selected[0].tags if t.lower() == tag)
                return f"Tag: {display}", selected
        elif path == "/search":
            q = (query.get("q") or [""])[0]
            # Search results are the latest stories: the page exists so noise links resolve.
            return f"Search results for {q}" if q else "Search", items[:20]
        return None

    def _article(self, match: re.Match, rng: random.Random, conditional: bool) -> Response:
        sim = self.server.sim
        section, aid, slug = match.groups()
        a = sim._snapshot(aid)
        if a is None:
            return Response(404, pages.not_found_page(rng).encode(), {"Content-Type": HTML})
        if a.status == "gone":
            return Response(a.gone_status, pages.not_found_page(rng, a.gone_status).encode(),
                            {"Content-Type": HTML})
        if section != a.section or slug != a.slug:
            # Every old slug (and the bare /<section>/<id>) leads to the current URL.
            location = sim.base_url + a.path
            body = f'<html><body>Moved to <a href="{location}">{location}</a></body></html>'
            return Response(301, body.encode(), {"Content-Type": HTML, "Location": location})
        if sim.fresh_modified:
            # a CMS stamping the time of rendering: the copy served states a new modified time
            # (the ETag still follows the revision, as the content did not change)
            a.modified = sim._fresh_modified(a)
        headers = article_validators(a.etag, a.modified)
        if conditional and self._not_modified(a.etag, a.modified):
            return Response(304, b"", headers, validated=True)
        html = pages.article_page(a, sim.base_url, rng, sim._held_teaser(a.id, rng))
        headers["Content-Type"] = f"text/html; charset={a.charset}"
        return Response(200, html.encode(a.charset, "xmlcharrefreplace"), headers, True)

    def _robots(self, options: dict, conditional: bool) -> Response:
        """The site's robots.txt with more Disallow lines in its `User-agent: *` group."""
        sim = self.server.sim
        version, modified, text = sim.site.robots() if sim.site is not None \
            else sim._document("robots")
        extra = "".join(f"Disallow: {p}\n" for p in options["disallow"])
        head, sep, rest = text.partition("\n\n")
        body = (f"{head}\n{extra}{sep}{rest}" if sep else text + extra).encode()
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        headers = {"ETag": etag, "Last-Modified": format_datetime(modified, usegmt=True)}
        if options["max_age"] is not None:
            headers["Cache-Control"] = f"public, max-age={int(options['max_age'])}"
        if conditional and self._not_modified(etag, modified) and self.headers.get("If-None-Match"):
            return Response(304, b"", headers, validated=True)
        return Response(200, body, {"Content-Type": "text/plain; charset=utf-8", **headers}, True)

    # -- conditional requests -----------------------------------------------------------------

    def _validated(self, body: bytes, content_type: str, path: str, version: int, modified,
                   conditional: bool) -> Response:
        return validated(self.headers, body, content_type, path, version, modified, conditional)

    def _not_modified(self, etag: str, modified) -> bool:
        return not_modified(self.headers, etag, modified)

    # -- the wire -----------------------------------------------------------------------------

    def _send(self, response: Response, head: bool, truncate: bool = False,
              record: bool = True) -> None:
        if record:
            self.server.sim._record(self.command, self.path, response.status)
        self._server_header = response.headers.get("Server")
        self.send_response(response.status)
        for name, value in response.headers.items():
            if name != "Server":
                self.send_header(name, value)
        if response.status != 304:
            self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if head or response.status == 304:
            return
        if truncate:
            # Content-Length promised the full body; half arrives, then the connection ends.
            self.wfile.write(response.body[: len(response.body) // 2])
            self.close_connection = True
            return
        self.wfile.write(response.body)

    def _reset(self) -> None:
        """Abort the connection without a response: SO_LINGER 0 makes close() send a TCP RST."""
        self.server.sim._record(self.command, self.path, 0)
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.connection.close()
        self.rfile.close()    # the socket really closes once its reader is gone

    def _admin(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        status, payload = handle_admin(self.server.sim, self.command, self.path, raw)
        # Control traffic is not crawl traffic: it stays out of sim.requests.
        self._send(Response(status, payload, {"Content-Type": "application/json"}),
                   head=self.command == "HEAD", record=False)
