"""The web view is safe with hostile article text and a hostile SQL box.

A tiny news site on loopback serves stories whose headline, social headline, byline and body
carry script: `<script>`, `" onmouseover=`, `javascript:` links, `<img onerror>` (as markup and as
text). The real crawler archives them, the site edits them, a re-check makes version 2; then a
real Chromium loads every page and its JSON twin and we check that no script of theirs ran, that
their markup is shown as text, and that the SQL page refuses to touch files or settings."""
from __future__ import annotations

import html
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest

from support import Wirewatch
from websupport import Server, chromium, screenshot

# Each payload, if it ever ran, would set window.__pwned and open a dialog.
HEADLINE = 'Talks collapse <script>window.__pwned="headline";alert("headline")</script> in Geneva'
SOCIAL = 'Geneva talks " onmouseover="window.__pwned=\'og\';alert(\'og\')" data-x="'
BYLINE = 'By <img src=x onerror="window.__pwned=\'byline\';alert(\'byline\')"> Staff'
TEXT_PAYLOADS = [
    'The minister said <img src=x onerror="window.__pwned=\'body\';alert(\'body\')"> nothing more.',
    'Read the statement at javascript:window.__pwned=\'link\';alert(\'link\') before noon.',
    '"><svg onload="window.__pwned=\'svg\';alert(\'svg\')"> was typed into the press release.',
]
EDITED_HEADLINE = HEADLINE.replace("Geneva", "Geneva <iframe src=javascript:alert('v2')></iframe>")
FILLER = ("Delegations from both sides left the conference centre late on Tuesday after a third day of "
          "negotiations failed to produce an agreement on the ceasefire monitoring mission, officials said. ")


def story(revision: int) -> str:
    """The hostile page: payloads as text (escaped in the source, so they are the article's text)
    and as real markup (which the extractor drops)."""
    headline = EDITED_HEADLINE if revision > 1 else HEADLINE
    paragraphs = [FILLER * 2, *TEXT_PAYLOADS, FILLER + "The talks resume next week.", FILLER * 2]
    if revision > 1:
        paragraphs.insert(2, "Update: the <b onmouseover=alert('v2')>mediator</b> has resigned. " + FILLER)
    body = "".join(f"<p>{html.escape(p)}</p>\n" for p in paragraphs)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{html.escape(headline)} | Hostile Wire</title>
<meta property="og:title" content="{html.escape(SOCIAL)}">
<link rel="canonical" href="javascript:alert('canonical')">
<script>window.__pwned = "the source page itself";</script>
</head><body><article>
<h1>{html.escape(headline)}</h1>
<p class="byline">{html.escape(BYLINE)}</p>
<img src="x" onerror="window.__pwned='raw img'">
<a href="javascript:alert('raw link')">Read the statement</a>
{body}</article></body></html>"""


class HostileSite:
    """A loopback news site with one hostile story and an honest one."""

    def __init__(self):
        self.revision = 1
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/":
                    body = ('<html><body><a href="/news/1/talks-collapse">Talks</a>'
                            '<a href="/news/2/weather">Weather</a></body></html>')
                elif self.path == "/news/1/talks-collapse":
                    body = story(site.revision)
                elif self.path == "/news/2/weather":
                    body = "<html><head><title>Weather</title></head><body><article><h1>Rain in Geneva</h1>" + \
                           f"<p>{FILLER * 3}</p><p>{FILLER * 2}</p></article></body></html>"
                else:
                    self.send_error(404)
                    return
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def seed(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "hostile.toml").write_text(f"""name = "hostile"
title = "Hostile Wire <script>alert('seed')</script>"
language = "en"
domains = ["127.0.0.1"]

[discover]
pages = ["{self.base_url}/"]
every = "1m"

[article]
pattern = '^http://127\\.0\\.0\\.1:\\d+/news/\\d+/[a-z-]+$'
id = '/news/(\\d+)/'

[crawl]
delay = "0s"
autothrottle = false
""")
        return directory


AID = "hostile:1"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    directory = tmp_path_factory.mktemp("web-hostile")
    site = HostileSite()
    ww = Wirewatch(directory / "data" / "wirewatch.duckdb", site.seed(directory / "seeds"))
    ww("crawl", "hostile")
    site.revision = 2
    ww("recheck", "hostile", "--all")
    stored = ww.sql(f"SELECT version, title, byline, text FROM versions WHERE article_id = '{AID}' ORDER BY version")
    # the payloads are in the archive as the article's own text: what the pages must defuse
    assert [v["title"] for v in stored] == [HEADLINE, EDITED_HEADLINE]
    assert "<img src=x onerror=" in stored[1]["text"] and "javascript:" in stored[1]["text"]
    server = Server(ww.archive, ww.seeds, "--sql-time-limit", "0.5", "--sql-max-rows", "100", "--no-access-log",
                    log=directory / "serve.log")
    try:
        yield {"ww": ww, "server": server, "site": site}
    finally:
        server.stop()
        site.httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def hostile_pages(ww) -> list[str]:
    capture = ww.sql(f"SELECT max(fetch_id) AS id FROM fetches WHERE article_id = '{AID}' AND warc_file IS NOT NULL")
    return ["/", "/changes?since=all", f"/article/{AID}", f"/diff/{AID}?from=1&to=2", f"/diff/{AID}?from=0&to=1",
            f"/capture/{capture[0]['id']}", "/sql?sql=SELECT+title,+byline,+text,+headlines+FROM+versions"]


PROBE = """() => {
    for (const el of document.querySelectorAll('*')) {
        for (const kind of ['mouseover', 'mouseenter', 'focus', 'click']) {
            if (kind === 'click' && el.closest('a, button, summary, form')) continue;
            el.dispatchEvent(new Event(kind, {bubbles: true}));
        }
    }
    return {
        pwned: window.__pwned === undefined ? null : String(window.__pwned),
        scripts: [...document.scripts].map(s => s.getAttribute('src')),
        handlers: [...document.querySelectorAll('*')].flatMap(el =>
            [...el.attributes].filter(a => a.name.startsWith('on')).map(a => el.tagName + ' ' + a.name)),
        scriptUrls: [...document.querySelectorAll('[href], [src], [action]')].map(el =>
            el.getAttribute('href') || el.getAttribute('src') || el.getAttribute('action'))
            .filter(u => /^\\s*(javascript|data|vbscript):/i.test(u)),
        foreign: [...document.querySelectorAll('img, iframe, svg, object, embed')].length,
    };
}"""


def test_no_script_from_archived_pages_runs_in_the_browser(hostile, browser):
    server, ww = hostile["server"], hostile["ww"]
    context = browser.new_context()
    context.set_default_timeout(10_000)
    page = context.new_page()
    dialogs, violations = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        for path in hostile_pages(ww):
            page.goto(server.url + path)
            for box in page.locator("h1, td, p, dd").all()[:15]:     # a real pointer, where it is visible
                if box.is_visible():
                    box.hover()
            report = page.evaluate(PROBE)
            assert report == {"pwned": None, "scripts": ["/static/enhance.js"], "handlers": [], "scriptUrls": [],
                              "foreign": 0}, path
            assert dialogs == [] and violations == [], path
            if path.startswith("/diff/") and "from=1" in path:
                screenshot(page, "11-hostile-diff")
                # the payloads are shown as text, inside the diff's own <del>/<ins> and nothing else
                assert "<iframe src=javascript:alert('v2')></iframe>" in page.locator("h1.headline ins").inner_text()
                assert "<script>window.__pwned" in page.locator("h1.headline .now").inner_text()
                assert "<img src=x onerror=" in page.locator(".paragraphs").inner_text()
                assert page.locator("ins", has_text="onmouseover=alert('v2')").count() == 1
            if path.startswith("/sql"):
                assert "onmouseover=\"window.__pwned='og'" in page.locator("table.results").inner_text()
            if path.startswith("/article/"):
                assert page.locator("h1").inner_text() == EDITED_HEADLINE
        # the JSON twins carry the text as data, served so no browser runs it
        for path in hostile_pages(ww):
            twin = path.replace("?", ".json?", 1) if "?" in path else (path + ".json" if path != "/" else "/index.json")
            reply = server.get(twin)
            assert reply.status == 200 and reply.headers["content-type"] == "application/json", twin
            assert reply.headers["x-content-type-options"] == "nosniff"
        page.goto(server.url + f"/diff/{AID}.json?from=1&to=2")
        assert page.evaluate("window.__pwned === undefined") and dialogs == []
    finally:
        context.close()


def test_the_content_security_policy_would_stop_an_injected_script(hostile, browser):
    """Belt and braces: even markup that did get into a page could not run. A page of this server
    gets an inline script written into it: the browser refuses to run it under our header."""
    server = hostile["server"]
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(server.url + "/")
        page.evaluate("""() => { const s = document.createElement('script');
                                 s.textContent = 'window.__pwned = "inline"'; document.body.append(s);
                                 const i = document.createElement('img'); i.src = 'x';
                                 i.setAttribute('onerror', 'window.__pwned = "handler"'); document.body.append(i); }""")
        page.wait_for_timeout(200)
        assert page.evaluate("window.__pwned === undefined")
    finally:
        context.close()


REFUSALS = {
    "SELECT * FROM read_text('/etc/passwd')": "cannot touch files",
    "SELECT * FROM read_csv('/etc/passwd')": "cannot touch files",
    "SELECT * FROM glob('/*')": "cannot touch files",
    "WITH x AS (SELECT * FROM read_blob('/etc/hostname')) SELECT * FROM x": "cannot touch files",
    "COPY versions TO '{out}'": "COPY is refused",
    "COPY (SELECT 1) TO '{out}' (FORMAT csv)": "COPY is refused",
    "EXPORT DATABASE '{out_dir}'": "EXPORT DATABASE is refused",
    "ATTACH '{out_dir}/other.duckdb' AS other": "ATTACH is refused",
    "INSTALL fts": "INSTALL and LOAD are refused",
    "LOAD fts": "INSTALL and LOAD are refused",
    "SET enable_external_access = true": "cannot change settings",
    "SET threads = 1": "cannot change settings",
    "RESET lock_configuration": "cannot change settings",
    "PRAGMA threads = 1": "cannot change settings",
    "  /* hidden */ pragma table_info('versions')": "cannot change settings",
    "CREATE TABLE notes AS SELECT 1": "only SELECT",
    "DELETE FROM versions": "only SELECT",
    "SELECT 1; SELECT 2": "one statement at a time",
}


def test_the_sql_page_refuses_files_extensions_and_settings(hostile, tmp_path):
    server = hostile["server"]
    out = tmp_path / "leak.csv"
    for query, reason in REFUSALS.items():
        query = query.format(out=out, out_dir=tmp_path)
        reply = server.get("/sql.json?" + _q(query))
        assert reply.status == 403, (query, reply.text)
        assert reason in reply.json()["error"], (query, reply.json()["error"])
    assert list(tmp_path.iterdir()) == []                       # nothing was written
    # the page says so in words, as a page
    page = server.get("/sql?" + _q("SELECT * FROM read_text('/etc/passwd')"))
    assert page.status == 403 and b"Refused:" in page.body and b"root:x:" not in page.body
    # DuckDB itself enforces it: the settings are in force on the page's connection
    settings = server.get("/sql.json?" + _q("SELECT current_setting('enable_external_access') AS external, "
                                            "current_setting('lock_configuration') AS locked")).json()
    assert settings["rows"] == [[False, True]]


def test_the_lock_down_holds_without_the_statement_check(hostile, tmp_path):
    """web.sqlrun.harden is what makes the connection safe, whatever the parser check lets by."""
    from archive.store import Archive
    from web import sqlrun
    with Archive(hostile["ww"].archive).reading() as con:
        sqlrun.harden(con)
        for statement in [f"COPY versions TO '{tmp_path / 'x.csv'}'", "SELECT * FROM read_text('/etc/passwd')",
                          f"ATTACH '{tmp_path / 'y.duckdb'}'", "LOAD fts", "SET enable_external_access = true",
                          "SET lock_configuration = false"]:
            with pytest.raises(duckdb.Error):
                con.execute(statement)
        assert con.execute("SELECT count(*) FROM versions").fetchone()[0] == 3
    assert list(tmp_path.iterdir()) == []


def test_row_cap_time_limit_and_the_cli_left_alone(hostile):
    server, ww = hostile["server"], hostile["ww"]
    capped = server.get("/sql.json?" + _q("SELECT * FROM range(5000)")).json()
    assert len(capped["rows"]) == 100 and capped["truncated"] is True
    assert len(server.get("/sql.csv?" + _q("SELECT * FROM range(5000)")).text.splitlines()) == 101
    slow = server.get("/sql.json?" + _q("SELECT sum(a.range * b.range) FROM range(100000) a, range(100000) b"))
    assert slow.status == 400 and slow.json()["error"] == "the query was stopped after the time limit of 0.5 s"
    assert server.get("/index.json").status == 200          # and the archive was let go
    # `wirewatch sql` is for people with a shell: it keeps DuckDB's defaults (README, Web view)
    assert ww.sql("SELECT current_setting('enable_external_access') AS v") == [{"v": True}]


def test_binds_to_loopback_unless_told_and_warns_when_told(hostile, tmp_path):
    server, ww = hostile["server"], hostile["ww"]
    assert server.first_line.startswith("wirewatch serve: http://127.0.0.1:")
    exposed = Server(ww.archive, ww.seeds, "--host", "0.0.0.0", "--no-access-log", log=tmp_path / "exposed.log")
    log = exposed.stop()
    assert exposed.first_line.startswith("wirewatch serve: http://0.0.0.0:")
    assert "anyone who can reach it can read the whole archive and run SQL on it" in log
    busy = ww("serve", "--port", server.url.rsplit(":", 1)[1], check=False, timeout=30)
    assert busy.returncode == 1 and busy.stderr.startswith("wirewatch: error: cannot listen on 127.0.0.1:")


def _q(query: str) -> str:
    from urllib.parse import urlencode
    return urlencode({"sql": query})
