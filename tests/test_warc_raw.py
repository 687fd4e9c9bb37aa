"""Raw WARC (issue 9): response records hold the bytes as received (Content-Encoding intact) with
the headers as received; revisits name the capture that holds the identical payload; read back,
the records re-extract to the crawl's snapshots; pywb, the reference replay tool, replays them.

wiresim answers uncompressed, so the end-to-end tests crawl it through `GzipCDN`: a loopback
reverse proxy that gzips pages (mtime 0, one frozen body per URL and ETag, as a caching CDN
serves the same bytes until the article changes), forwards validators (so wiresim's 304s and
faults come through) or, when told, ignores them (so an unchanged article answers 200 with the
very bytes of the first capture).
"""
from __future__ import annotations

import gzip
import http.client
import threading
import types
import zlib
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.warc import WarcStore, payload_digest
from archive.warc_read import decode_content, read_response
from support import write_sim_seed

T0 = datetime(2026, 3, 1, 12, 0, 0, tzinfo=timezone.utc)
PAGE = ("<html><head><title>Quake hits coast</title></head><body><article><h1>Quake hits coast</h1>"
        + "".join(f"<p>Paragraph {i}: rescuers reached the town of Alpha after the quake.</p>" for i in range(12))
        + "</article></body></html>").encode()


# -- a gzip CDN in front of wiresim -------------------------------------------------------------

class GzipCDN:
    def __init__(self, sim_url: str):
        self.sim = urlsplit(sim_url)
        self.sim_url = sim_url.rstrip("/")
        self.ignore_validators = False
        self.sent: dict[str, list[bytes]] = {}        # path -> gzip bodies sent (200s)
        self._frozen: dict[tuple[str, str], bytes] = {}
        cdn = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                cdn.handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        headers = {"User-Agent": h.headers.get("User-Agent", "")}
        if not self.ignore_validators:
            for name in ("If-None-Match", "If-Modified-Since"):
                if h.headers.get(name):
                    headers[name] = h.headers[name]
        conn = http.client.HTTPConnection(self.sim.hostname, self.sim.port, timeout=30)
        try:
            conn.request("GET", h.path, headers=headers)
            resp = conn.getresponse()
            body = resp.read()
        except (OSError, http.client.HTTPException):
            h.close_connection = True      # the simulator reset: so does the CDN
            return
        finally:
            conn.close()
        body = body.replace(self.sim_url.encode(), self.base_url.encode())
        out = [(k, v.replace(self.sim_url, self.base_url)) for k, v in resp.getheaders()
               if k.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding")]
        if resp.status == 200 and body:
            key = (h.path, resp.getheader("ETag") or "")
            if key not in self._frozen or not resp.getheader("ETag"):
                self._frozen[key] = gzip.compress(body, mtime=0)
            body = self._frozen[key]
            out += [("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding")]
            self.sent.setdefault(h.path, []).append(body)
        h.send_response(resp.status)
        for k, v in out:
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if body:
            h.wfile.write(body)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def cdn(sim, ww, tmp_path):
    proxy = GzipCDN(sim.base_url)
    seeds = write_sim_seed(tmp_path / "cdn-seeds", proxy.base_url)
    toml = seeds / "wiresim.toml"
    toml.write_text(toml.read_text() + "\n[archive]\nkeep_unchanged = true\n")
    ww.seeds = seeds
    yield proxy
    proxy.close()


def records(warc_dir: Path):
    out = []
    for path in sorted(warc_dir.glob("*.warc.gz")):
        with open(path, "rb") as fh:
            it = ArchiveIterator(fh)
            for record in it:
                payload = record.raw_stream.read()
                out.append((path.name, it.get_record_offset(), record, payload))
    return out


def record_at(warc_dir: Path, name: str, offset: int):
    with open(warc_dir / name, "rb") as fh:
        fh.seek(offset)
        record = next(iter(ArchiveIterator(fh)))
        return record, record.raw_stream.read()


def check_warcs(warc_dir: Path) -> None:
    """warcio's own checker (`warcio check`): every block and payload digest recomputed."""
    from warcio.checker import Checker
    files = [str(p) for p in sorted(warc_dir.glob("*.warc.gz"))]
    assert files
    assert Checker(types.SimpleNamespace(inputs=files, verbose=False)).process_all() == 0


# -- the WARC writer alone ----------------------------------------------------------------------

def test_gzip_payload_kept_as_received_and_read_back_decoded(tmp_path):
    raw = gzip.compress(PAGE, mtime=0)
    store = WarcStore(tmp_path / "warc")
    headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip"), ("ETag", '"v1"'),
               ("Transfer-Encoding", "chunked")]
    p = store.write_exchange(url="http://x/a", when=T0, status=200, response_headers=headers, body=raw,
                             request_headers=[("Accept-Encoding", "gzip, deflate, br")], as_received=True)
    store.close()
    record, payload = record_at(tmp_path / "warc", p.file, p.offset)
    assert record.rec_headers.protocol == "WARC/1.1"
    assert payload == raw                                      # the wire bytes, not the page
    assert record.http_headers.get_statuscode() == "200"
    assert record.http_headers.get_header("Content-Encoding") == "gzip"
    assert record.http_headers.get_header("Content-Length") == str(len(raw))
    assert record.http_headers.get_header("Transfer-Encoding") is None   # de-chunked payload
    assert record.rec_headers.get_header("WARC-Payload-Digest") == payload_digest(raw) != payload_digest(PAGE)
    got_headers, body, uri, kind = read_response(tmp_path / "warc", p)
    assert (body, uri, kind) == (PAGE, "http://x/a", "response")
    assert "content-encoding" not in {k.lower() for k, _ in got_headers}
    check_warcs(tmp_path / "warc")


def test_every_content_encoding_decodes_like_the_crawl():
    import brotli
    deflated = zlib.compress(PAGE)
    raw_deflate = deflated[2:-4]
    assert decode_content(gzip.compress(PAGE), "gzip") == (PAGE, [])
    assert decode_content(deflated, "deflate") == (PAGE, [])
    assert decode_content(raw_deflate, "deflate") == (PAGE, [])
    assert decode_content(brotli.compress(PAGE), "br") == (PAGE, [])
    assert decode_content(brotli.compress(gzip.compress(PAGE)), "gzip, br") == (PAGE, [])
    assert decode_content(gzip.compress(PAGE)[:-8], "gzip") == (PAGE, [])   # truncated trailer: what there is
    assert decode_content(PAGE, "compress") == (PAGE, ["compress"])          # unknown: left as it is


def test_revisit_names_the_capture_and_refuses_a_different_payload(tmp_path):
    raw = gzip.compress(PAGE, mtime=0)
    store = WarcStore(tmp_path / "warc")
    h = [("Content-Type", "text/html"), ("Content-Encoding", "gzip")]
    first = store.write_exchange(url="http://x/a", when=T0, status=200, response_headers=h, body=raw, as_received=True)
    again = store.write_exchange(url="http://x/a", when=T0 + timedelta(hours=1), status=200, response_headers=h,
                                 body=raw, as_received=True, revisit_of=(first.file, first.offset))
    # a revisit of the revisit names the original, not the revisit
    third = store.write_exchange(url="http://x/a", when=T0 + timedelta(hours=2), status=200, response_headers=h,
                                 body=raw, as_received=True, revisit_of=again)
    # the same page gzipped with another mtime is another payload: a full record, never a false revisit
    other = gzip.compress(PAGE, mtime=12345)
    fourth = store.write_exchange(url="http://x/a", when=T0 + timedelta(hours=3), status=200, response_headers=h,
                                  body=other, as_received=True, revisit_of=first)
    store.close()
    # read back through a fresh store (no cache): the pointer is resolved from the file
    fresh = WarcStore(tmp_path / "warc")
    fifth = fresh.write_exchange(url="http://x/a", when=T0 + timedelta(hours=4), status=200, response_headers=h,
                                 body=raw, as_received=True, revisit_of=(third.file, third.offset))
    fresh.close()
    orig, _ = record_at(tmp_path / "warc", first.file, first.offset)
    for p in (again, third, fifth):
        rec, payload = record_at(tmp_path / "warc", p.file, p.offset)
        assert rec.rec_type == "revisit" and payload == b""
        assert rec.rec_headers.get_header("WARC-Profile") == "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
        assert rec.rec_headers.get_header("WARC-Refers-To-Target-URI") == "http://x/a"
        assert rec.rec_headers.get_header("WARC-Refers-To-Date") == orig.rec_headers.get_header("WARC-Date")
        assert rec.rec_headers.get_header("WARC-Refers-To") == orig.rec_headers.get_header("WARC-Record-ID")
        assert rec.rec_headers.get_header("WARC-Payload-Digest") == orig.rec_headers.get_header("WARC-Payload-Digest")
    rec, payload = record_at(tmp_path / "warc", fourth.file, fourth.offset)
    assert rec.rec_type == "response" and payload == other
    assert orig.rec_headers.get_header("WARC-Date") == "2026-03-01T12:00:00Z"
    check_warcs(tmp_path / "warc")


def test_the_middleware_sits_between_the_downloader_and_decompression():
    from scrapy.settings import Settings
    from scrapy.utils.conf import build_component_list
    from crawler import settings as ours
    s = Settings()
    s.setmodule(ours, priority="project")
    chain = build_component_list(s.getwithbase("DOWNLOADER_MIDDLEWARES"))
    names = [c if isinstance(c, str) else f"{c.__module__}.{c.__qualname__}" for c in chain]
    ours_at = names.index("crawler.rawcapture.RawCaptureMiddleware")
    # process_response runs from the end of the list backwards: ours before the decompression
    assert names.index("scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware") < ours_at
    assert ours_at < names.index("scrapy.downloadermiddlewares.redirect.RedirectMiddleware")


# -- end to end: the real `wirewatch` over loopback -----------------------------------------------

def article_responses(warc_dir: Path, path: str):
    return [(name, off, rec, payload) for name, off, rec, payload in records(warc_dir)
            if rec.rec_type in ("response", "revisit") and urlsplit(rec.rec_headers.get_header("WARC-Target-URI")).path == path]


def test_crawl_stores_gzip_bytes_as_received_with_consistent_digests(ww, sim, cdn, archive_file):
    ww("crawl", "wiresim")
    warc_dir = archive_file.parent / "warc"
    aid = sim.article_ids()[0]
    path = sim.article(aid).path
    (name, off, rec, payload), = article_responses(warc_dir, path)
    assert payload == cdn.sent[path][0] and payload[:2] == b"\x1f\x8b"        # the bytes the server sent
    assert rec.http_headers.protocol == "HTTP/1.1" and rec.http_headers.get_statuscode() == "200"
    assert rec.http_headers.get_header("Content-Encoding") == "gzip"
    assert rec.http_headers.get_header("ETag")                                 # headers as received
    assert rec.http_headers.get_header("Content-Length") == str(len(payload))
    assert rec.rec_headers.get_header("WARC-Payload-Digest") == payload_digest(payload)
    # the fetch row, the record and a CDX line all carry one digest: that of the payload as received
    rows = ww.sql("SELECT url, warc_file, warc_offset, payload_digest FROM fetches WHERE http_status = 200")
    assert rows
    for f in rows:
        r, body = record_at(warc_dir, f["warc_file"], f["warc_offset"])
        assert r.rec_headers.get_header("WARC-Payload-Digest") == f["payload_digest"] == payload_digest(body)
    check_warcs(warc_dir)


def test_revisit_points_at_the_capture_after_304s_and_errors(ww, sim, cdn, archive_file):
    ww("crawl", "wiresim")
    aid = sim.article_ids()[0]
    path = sim.article(aid).path
    ww("recheck", "wiresim", "--all")                  # conditional GETs: 304s move last_checked on
    sim.fault(aid, "500", count=3)                      # and an error (retries exhausted) after them
    ww("recheck", "wiresim", "--all")
    cdn.ignore_validators = True                        # now a 200 with the very bytes of the first capture
    ww("recheck", "wiresim", "--all")
    fetches = ww.sql(f"SELECT http_status, outcome FROM fetches WHERE article_id = 'wiresim:{aid}' ORDER BY fetch_id")
    assert [f["http_status"] for f in fetches] == [200, 304, 500, 200]
    warc_dir = archive_file.parent / "warc"
    caps = article_responses(warc_dir, path)
    first = caps[0][2]
    assert first.rec_type == "response" and first.http_headers.get_statuscode() == "200"
    revisit = caps[-1][2]
    assert revisit.rec_type == "revisit"
    h = revisit.rec_headers
    assert h.get_header("WARC-Profile") == "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
    assert h.get_header("WARC-Refers-To-Target-URI") == first.rec_headers.get_header("WARC-Target-URI")
    assert h.get_header("WARC-Refers-To-Date") == first.rec_headers.get_header("WARC-Date")
    assert h.get_header("WARC-Refers-To") == first.rec_headers.get_header("WARC-Record-ID")
    assert h.get_header("WARC-Payload-Digest") == first.rec_headers.get_header("WARC-Payload-Digest")
    # the 304 and the 500 in between are captures too, and none of them is what the revisit names
    between = [c[2] for c in caps[1:-1]]
    assert [r.http_headers.get_statuscode() for r in between] == ["304", "500"]
    assert all(r.rec_headers.get_header("WARC-Date") != h.get_header("WARC-Refers-To-Date") for r in between)
    check_warcs(warc_dir)


def test_reextraction_from_the_raw_records_gives_the_crawls_snapshots(ww, sim, cdn, archive_file):
    from archive import revision
    from crawler.extract import extract
    ww("crawl", "wiresim")
    warc_dir = archive_file.parent / "warc"
    rows = ww.sql("""SELECT v.article_id, v.title, v.byline, v.lead, v.text, v.headlines, v.content_hash,
                            f.url, f.warc_file, f.warc_offset
                     FROM versions v JOIN fetches f USING (fetch_id) ORDER BY 1""")
    assert len(rows) == len(sim.article_ids())
    for row in rows:
        headers, body, uri, kind = read_response(warc_dir, (row["warc_file"], row["warc_offset"]))
        assert kind == "response" and body.lstrip().lower().startswith((b"<!doctype", b"<html"))
        snap = extract(body, uri, dict(headers), [])
        fields = revision.fields(snap)
        assert (fields["title"], fields["byline"], fields["lead"], fields["text"]) == \
            (row["title"], row["byline"], row["lead"], row["text"])
    out = ww("reextract", "--source", "wiresim").stdout
    assert f"{len(rows)} identical, 0 differing, 0 missing" in out


# pywb's FrontEndApp monkey-patches the whole interpreter with gevent when imported, so the replay
# app runs in a Python process of its own: called in-process there as a WSGI app (werkzeug's test
# client), no server, no socket.
REPLAY = r"""
import gzip, json, sys
from pywb.apps.frontendapp import FrontEndApp
from werkzeug.test import Client
cdx, warc_dir, url, want, stamps = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], json.loads(sys.argv[5])
app = FrontEndApp(config_file=None, custom_config={
    "collections": {"ww": {"index_paths": cdx, "archive_paths": warc_dir + "/"}}, "framed_replay": False})
client = Client(app)
out = {}
for stamp in stamps:
    raw = client.get(f"/ww/{stamp}id_/{url}")
    body = raw.get_data()
    if raw.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    page = client.get(f"/ww/{stamp}/{url}")
    out[stamp] = {"id_status": raw.status_code, "id_has": want in body.decode("utf-8", "replace"),
                  "status": page.status_code, "has": want in page.get_data(as_text=True)}
print(json.dumps(out))
"""


def test_pywb_indexes_and_replays_a_wirewatch_warc(ww, sim, cdn, archive_file, tmp_path):
    import json
    import subprocess
    import sys
    from pywb.indexer.cdxindexer import write_multi_cdx_index

    ww("crawl", "wiresim")
    aid = sim.article_ids()[0]
    art = sim.article(aid)
    cdn.ignore_validators = True                        # a second, byte-identical capture: a revisit
    ww("recheck", "wiresim", "--all")
    warc_dir = archive_file.parent / "warc"
    check_warcs(warc_dir)
    cdx = tmp_path / "index.cdxj"
    write_multi_cdx_index(str(cdx), [str(warc_dir)], sort=True, cdxj=True, recurse=True)
    surt_path = art.path.replace("/", ")/", 1)
    lines = [line for line in cdx.read_text().splitlines() if line.split(" ")[0].endswith(surt_path)]
    kinds = sorted(json.loads(line.split(" ", 2)[2])["mime"] for line in lines)
    assert kinds == ["text/html", "warc/revisit"], lines
    stamps = sorted({line.split(" ")[1] for line in lines})
    want = art.paragraphs[-1][:60]
    proc = subprocess.run([sys.executable, "-c", REPLAY, str(cdx), str(warc_dir), cdn.base_url + art.path, want,
                           json.dumps(stamps)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    for stamp in stamps:                                # the capture and its revisit both replay
        assert got[stamp] == {"id_status": 200, "id_has": True, "status": 200, "has": True}, got
