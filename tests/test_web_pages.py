"""`wirewatch serve` in a real browser: an archive made by crawling wiresim while it edits, pulls
and moves stories; the real server; headless Chromium clicking home → changes → article → diff →
SQL, with JavaScript on and off, checking what each page shows against what the CLI says."""
from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import feedparser
import pytest
from lxml import html as lxml_html

from websupport import Server, build_sim_archive, chromium, screenshot


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from wiresim import WireSim
    directory = tmp_path_factory.mktemp("web-pages")
    with WireSim(articles=8, seed=1) as sim:
        ww, ids = build_sim_archive(sim, directory)
        edits = {"headline": ids[0], "number": ids[1], "addition": ids[2], "pulled": ids[3], "moved": ids[4]}
        server = Server(ww.archive, ww.seeds, "--page-size", "4", "--no-access-log", log=directory / "serve.log")
        try:
            yield {"ww": ww, "server": server, "ids": ids, "edits": edits, "sim": sim}
        finally:
            server.stop()


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser, site):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    pg = context.new_page()
    hosts = []
    pg.on("request", lambda request: hosts.append(urlsplit(request.url).netloc))
    pg.errors = []
    pg.on("pageerror", lambda exc: pg.errors.append(str(exc)))
    yield pg
    context.close()
    own = urlsplit(site["server"].url).netloc
    assert set(hosts) <= {own}, f"the page loaded something from elsewhere: {set(hosts) - {own}}"
    assert pg.errors == []


def cli_changes(ww, _seen={}) -> list[dict]:
    """What `wirewatch changes` lists (asked once per archive: the archive does not change)."""
    if ww.archive not in _seen:
        _seen[ww.archive] = json.loads(ww("changes", "--since", "all", "--format", "json").stdout)
    return _seen[ww.archive]


def test_click_through_home_changes_article_diff_sql(site, page):
    ww, server, edits = site["ww"], site["server"], site["edits"]
    page.goto(server.url + "/")
    row = page.locator("table.sources tbody tr", has_text="wiresim")
    cells = [c.strip() for c in row.locator("td").all_inner_texts()]
    assert cells[:3] == ["8", "7", "1"]                       # tracked, live, gone
    status = json.loads(ww("status", "--format", "json").stdout)[0]
    assert int(cells[3]) == status["due_now"] and "ok (" in cells[5] and "ok (" in cells[6]
    home_rows = page.locator("table.changes tbody tr")
    assert home_rows.count() == len(cli_changes(ww))          # 7 changes, all on the home page
    screenshot(page, "1-home")

    page.get_by_role("link", name="All changes, with filters").click()
    page.wait_for_url("**/changes")
    expected = [r["article_id"] for r in cli_changes(ww)]
    shown = page.locator("table.changes tbody tr td:nth-child(3) a")
    assert shown.count() == 4                                 # --page-size 4: the newest four
    page.get_by_role("link", name="Older →").click()
    assert "page=2" in page.url
    assert page.locator("table.changes tbody tr").count() == len(expected) - 4
    screenshot(page, "2-changes-page-2")

    # the class filter, by the form
    page.goto(server.url + "/changes")
    page.get_by_label("headline").check()
    page.get_by_role("button", name="Show").click()
    assert parse_qs(urlsplit(page.url).query)["class"] == ["headline"]
    rows = page.locator("table.changes tbody tr")
    assert rows.count() == 1
    assert page.locator("link[rel=alternate][type='application/atom+xml']").get_attribute("href") == \
        "/changes.atom?class=headline&since=7d"
    screenshot(page, "3-changes-headline")

    rows.first.locator("td:nth-child(3) a").click()           # the article
    aid = f"wiresim:{edits['headline']}"
    page.wait_for_url(f"**/article/{aid}")
    history = json.loads(ww("history", aid, "--format", "json").stdout)
    assert page.locator("h1").inner_text() == history["versions"][-1]["title"]
    assert page.locator("ol.timeline > li.version").count() == 3
    assert re.search(r"\d+ s later", page.locator("ol.timeline > li.version").nth(1).inner_text())
    assert page.locator("ol.timeline li.version").nth(1).locator("li.cls").all_inner_texts() == ["headline"]
    assert page.locator("table.captures tbody tr").count() >= 3
    screenshot(page, "4-article")

    page.get_by_role("link", name="Version 2").click()         # its diff: v1 → v2, the headline
    assert parse_qs(urlsplit(page.url).query) == {"from": ["1"], "to": ["2"]}
    old_title, new_title = history["versions"][0]["title"], history["versions"][1]["title"]
    h1 = page.locator("h1.headline")
    assert h1.locator(".was").inner_text() == old_title and h1.locator(".now").inner_text() == new_title
    assert h1.locator("ins").count() >= 1
    assert page.locator("table.fields th[scope=row]").first.inner_text() == "Headline"
    screenshot(page, "5-diff-headline")

    page.get_by_role("link", name="Next change →").click()     # v2 → v3: the death toll
    assert parse_qs(urlsplit(page.url).query) == {"from": ["2"], "to": ["3"]}
    changed = page.locator(".row.changed")
    assert changed.count() == 1
    deleted, inserted = changed.locator("del").inner_text(), changed.locator("ins").inner_text()
    assert re.fullmatch(r"[\d,]+", deleted) and re.fullmatch(r"[\d,]+", inserted) and deleted != inserted
    assert page.locator("p.summary").inner_text() == f"death toll {deleted} → {inserted}"
    assert page.locator("span.disabled", has_text="Next change →").count() == 1
    screenshot(page, "6-diff-number")

    page.get_by_role("link", name="SQL").click()
    page.get_by_label("A read-only query").fill("SELECT article_id, versions FROM articles ORDER BY article_id")
    page.get_by_role("button", name="Run query").click()
    assert "sql=SELECT" in page.url
    cells = page.locator("table.results tbody tr").first.locator("td").all_inner_texts()
    assert cells == [f"wiresim:{site['ids'][0]}", "3"]
    assert page.locator("table.results tbody tr").count() == 8
    screenshot(page, "7-sql")


def test_every_page_has_a_json_twin_with_the_same_data(site):
    server, ww, edits = site["server"], site["ww"], site["edits"]
    aid = f"wiresim:{edits['number']}"
    home = server.get("/index.json").json()
    assert [s["source"] for s in home["sources"]] == ["wiresim"] and home["sources"][0]["tracked"] == 8
    assert [r["article_id"] for r in home["latest_changes"]] == [r["article_id"] for r in cli_changes(ww)]

    changes = server.get("/changes.json?since=all&page=2").json()
    assert [r["article_id"] for r in changes["rows"]] == [r["article_id"] for r in cli_changes(ww)][4:8]
    page_html = lxml_html.fromstring(server.get("/changes?since=all&page=2").body)
    assert [a.text_content() for a in page_html.cssselect("a.diff-link")] == \
        [f"v{r['from_version']} → v{r['version']}" for r in changes["rows"] if r["kind"] == "version"]

    article = server.get(f"/article/{aid}.json").json()
    history = json.loads(ww("history", aid, "--format", "json").stdout)
    assert [v["version"] for v in article["timeline"] if v["type"] == "version"] == [1, 2, 3]
    assert [v["summary"] for v in article["timeline"] if v["type"] == "version"] == \
        [v["summary"] for v in history["versions"]]
    art_html = lxml_html.fromstring(server.get(f"/article/{aid}").body)
    assert len(art_html.cssselect("ol.timeline > li")) == len(article["timeline"])

    diff = server.get(f"/diff/{aid}.json?from=1&to=3").json()
    cli = json.loads(ww("diff", aid, "--from", "1", "--to", "3", "--format", "json").stdout)
    assert diff["summary"] == cli["summary_line"]
    inserted = "".join(t for row in _rows(diff["paragraphs"]) for t, kind in row["new"] if kind == "ins")
    assert inserted == "".join(op["new_text"] for op in cli["ops"] if op["tag"] != "equal").replace("\n", "")
    diff_html = lxml_html.fromstring(server.get(f"/diff/{aid}?from=1&to=3").body)
    assert len(diff_html.cssselect(".row.changed")) == diff["counts"]["changed"] >= 2

    capture_id = article["captures"][0]["fetch_id"]
    capture = server.get(f"/capture/{capture_id}.json").json()
    assert capture["fetch"]["fetch_id"] == capture_id and capture["records"][0]["type"] == "response"

    sql = server.get("/sql.json?sql=SELECT+count(*)+AS+n+FROM+versions").json()
    assert sql["columns"] == ["n"] and sql["rows"] == [[ww.sql("SELECT count(*) AS n FROM versions")[0]["n"]]]
    csv_reply = server.get("/sql.csv?sql=SELECT+version,+title+FROM+versions+WHERE+article_id='" + aid + "'+ORDER+BY+1")
    assert csv_reply.headers["content-type"].startswith("text/csv")
    assert csv_reply.text.splitlines()[0] == "version,title" and len(csv_reply.text.splitlines()) == 4


def _rows(items):
    for item in items:
        yield from item["rows"] if item["kind"] == "unchanged" else [item]


def test_diff_page_anchors_collapsing_and_marks_readable_without_colour(site, page):
    server, aid = site["server"], f"wiresim:{site['edits']['addition']}"
    page.goto(server.url + f"/diff/{aid}?from=1&to=2")
    ids = page.eval_on_selector_all(".row", "rows => rows.map(r => r.id)")
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"[no]\d+", i) for i in ids)
    added = page.locator(".row.changed")
    assert added.count() == 1 and added.locator(".old p").inner_text() == ""
    anchor = added.get_attribute("id")
    assert added.locator("a.anchor").get_attribute("href") == f"#{anchor}"
    # unchanged paragraphs away from the change are collapsed, with a button to open them all
    groups = page.locator("details.unchanged")
    assert groups.count() >= 1 and not groups.first.evaluate("d => d.open")
    page.get_by_role("button", name="Expand all unchanged paragraphs").click()
    assert all(groups.evaluate_all("ds => ds.map(d => d.open)"))
    # the same URL with an anchor into a collapsed group opens that group (stable anchors)
    hidden = groups.first.locator(".row").first.get_attribute("id")
    page.goto(server.url + f"/diff/{aid}?from=1&to=2#{hidden}")
    assert page.locator(f"#{hidden}").is_visible()
    # insertions and deletions are marked by more than colour
    page.goto(server.url + f"/diff/wiresim:{site['edits']['number']}?from=1&to=2")
    styles = page.evaluate("""() => ['del', 'ins'].map(tag => {
        const el = document.querySelector('.row.changed ' + tag);
        return [getComputedStyle(el).textDecorationLine, getComputedStyle(el, '::before').content];
    })""")
    assert "line-through" in styles[0][0] and "deleted" in styles[0][1]
    assert "underline" in styles[1][0] and "inserted" in styles[1][1]
    screenshot(page, "8-diff-marks")


def test_everything_works_with_javascript_off(browser, site):
    server, aid = site["server"], f"wiresim:{site['edits']['number']}"
    context = browser.new_context(java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(server.url + f"/diff/{aid}?from=1&to=2")
        assert page.get_by_role("button", name="Expand all unchanged paragraphs").count() == 0
        group = page.locator("details.unchanged").first
        group.locator("summary").click()                      # native <details>: no script needed
        assert group.evaluate("d => d.open") and group.locator(".row").first.is_visible()
        page.get_by_label("From").select_option("1")
        page.get_by_label("to", exact=True).select_option("3")
        page.get_by_role("button", name="Compare").click()
        assert parse_qs(urlsplit(page.url).query) == {"from": ["1"], "to": ["3"], "by": ["word"]}
        assert page.locator("p.meta").inner_text().startswith("Version 1 (")
        page.get_by_role("link", name="← Previous change").click()
        assert parse_qs(urlsplit(page.url).query) == {"from": ["0"], "to": ["2"], "by": ["word"]}
        screenshot(page, "9-diff-no-js")

        page.goto(server.url + "/changes")
        page.get_by_label("number").check()
        page.get_by_label("Since").select_option("all")
        page.get_by_role("button", name="Show").click()
        numbers = [r for r in cli_changes(site["ww"]) if "number" in r["classes"]]
        assert page.locator("table.changes tbody tr").count() == len(numbers) == 2
        page.goto(server.url + "/sql")
        page.get_by_label("A read-only query").fill("SELECT 40 + 2 AS answer")
        page.get_by_role("button", name="Run query").click()
        assert page.locator("table.results td").inner_text() == "42"
    finally:
        context.close()


def test_capture_details_show_the_warc_record(site, page):
    server, ww, aid = site["server"], site["ww"], f"wiresim:{site['edits']['moved']}"
    page.goto(server.url + f"/article/{aid}")
    urls = page.locator("ul.urls li a").all_inner_texts()
    assert len(urls) == 2 and urls[0] != urls[1]               # the slug change: both URLs listed
    assert page.locator("li.event-redirected").count() == 1
    page.locator("table.captures a").last.click()                # the first capture: a 200 and its page
    fetch_id = int(page.url.rsplit("/", 1)[1])
    row = ww.sql(f"SELECT url, payload_digest FROM fetches WHERE fetch_id = {fetch_id}")[0]
    headers = dict(zip(page.locator("section.record").first.locator("th").all_inner_texts(),
                       page.locator("section.record").first.locator("td").all_inner_texts()))
    assert headers["WARC-Type"] == "response" and headers["WARC-Target-URI"] == row["url"]
    assert headers["WARC-Payload-Digest"] == row["payload_digest"]
    assert page.locator("section.record h2").all_inner_texts() == ["WARC response record", "WARC request record"]
    screenshot(page, "10-capture")


def test_atom_links_carry_the_filters_and_match_the_cli_feed(site):
    server, ww = site["server"], site["ww"]
    page_html = lxml_html.fromstring(server.get("/changes?class=number&since=all").body)
    href = page_html.cssselect("p.feeds a")[0].get("href")
    assert href == "/changes.atom?class=number&since=all"
    reply = server.get(href)
    assert reply.headers["content-type"].startswith("application/atom+xml")
    web_feed = feedparser.parse(reply.body)
    cli_feed = feedparser.parse(ww("feed", "--class", "number", "--since", "all").stdout)
    assert [e.id for e in web_feed.entries] == [e.id for e in cli_feed.entries] and len(web_feed.entries) == 2
    assert all({t.term for t in e.tags} >= {"number"} for e in web_feed.entries)


def test_bad_requests_get_one_line_reasons(site):
    server = site["server"]
    reply = server.get("/article/wiresim:999999")
    assert reply.status == 404
    assert lxml_html.fromstring(reply.body).cssselect("p.error")[0].text_content() == \
        "no article 'wiresim:999999' in the archive"
    assert server.get("/article/wiresim:999999.json").json() == {"error": "no article 'wiresim:999999' in the archive",
                                                                   "status": 404}
    reply = server.get("/changes.json?class=typo")
    assert reply.status == 400 and reply.json()["error"].startswith("unknown change class 'typo'")
    assert server.get("/changes.json?since=soon").status == 400
    assert server.get("/changes.json?source=nowhere").json()["error"].startswith("unknown source 'nowhere'")
    aid = f"wiresim:{site['edits']['number']}"
    assert server.get(f"/diff/{aid}.json?from=1&to=9").json()["error"] == f"{aid} has versions 1..3; there is no version 9"
    assert server.get(f"/diff/{aid}.json?by=line").status == 400


def test_headers_scripts_and_accessibility_basics(site, page):
    server, aid = site["server"], f"wiresim:{site['edits']['number']}"
    for path in ["/", "/changes", f"/article/{aid}", f"/diff/{aid}", "/sql?sql=SELECT+1", "/capture/1", "/nope"]:
        reply = server.get(path)
        csp = reply.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "default-src 'none'" in csp
        assert reply.headers["x-content-type-options"] == "nosniff"
        tree = lxml_html.fromstring(reply.body)
        assert [s.get("src") for s in tree.iter("script")] == ["/static/enhance.js"]   # no inline script
        assert not tree.xpath("//@style") and not tree.xpath("//style")
        if reply.status != 200:
            continue
        page.goto(server.url + path)
        report = page.evaluate("""() => ({
            lang: document.documentElement.lang,
            h1: document.querySelectorAll('h1').length,
            main: document.querySelectorAll('main').length,
            unlabelled: [...document.querySelectorAll('input, select, textarea')]
                .filter(el => el.type !== 'hidden' && el.labels.length === 0).map(el => el.name),
        })""")
        assert report == {"lang": "en", "h1": 1, "main": 1, "unlabelled": []}, path
