"""wiresim: slug changes, pulls, faults, charsets, admin endpoints, timelines, CLI, scale."""
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
from html import escape

import feedparser
import pytest

from wiresim import WireSim
from wiresim.content import find_figures

from simhttp import CORPUS, SM, fetch, page, post


def test_slug_change_redirects_every_old_url(sim):
    first = sim.article_url("1004")
    second = sim.change_slug("1004")
    third = sim.change_slug("1004", "a-brand-new-slug")
    assert len({first, second, third}) == 3 and third.endswith("/1004/a-brand-new-slug")
    for old in (first, second, sim.base_url + f"/{sim.article('1004').section}/1004"):
        status, headers, _ = fetch(old)
        assert status == 301 and headers["Location"] == third
    assert f'<link rel="canonical" href="{third}">' in page(third)
    assert sim.article("1004").old_slugs == [u.rsplit("/", 1)[1] for u in (first, second)]


@pytest.mark.parametrize("code", [404, 410])
def test_pull_answers_gone(sim, code):
    old = sim.article_url("1005")
    sim.change_slug("1005")
    sim.pull("1005", status=code)
    assert sim.article("1005").status == "gone"
    assert fetch(sim.article_url("1005"))[0] == code and fetch(old)[0] == code
    feed = feedparser.parse(fetch(sim.base_url + "/rss.xml")[2])
    assert sim.article_url("1005") not in [e.link for e in feed.entries]
    with pytest.raises(ValueError):
        sim.pull("1005", status=500)


# -- faults -----------------------------------------------------------------------------------

def test_fault_errors_counts_targets_and_clearing(sim):
    sim.fault("1001", "500", count=2)
    assert [fetch(sim.article_url("1001"))[0] for _ in range(3)] == [500, 500, 200]
    sim.fault("/rss.xml", "503", count=1)
    status, headers, _ = fetch(sim.base_url + "/rss.xml")
    assert status == 503 and "Retry-After" not in headers       # a plain 503 unless asked
    assert fetch(sim.base_url + "/rss.xml")[0] == 200
    sim.fault("*", "500")
    assert fetch(sim.base_url + "/")[0] == 500 and fetch(sim.article_url("1002"))[0] == 500
    assert post(sim, "publish", {})[0] == 200          # the admin side is never faulted
    assert sim.clear_faults() == 1
    sim.fault("1002", "503")
    assert fetch(sim.article_url("1003"))[0] == 200 and fetch(sim.article_url("1002"))[0] == 503
    sim.clear_faults("1002")
    assert fetch(sim.article_url("1002"))[0] == 200
    for args, kw in [(("1002", "explode"), {}), (("1002", "slow"), {"second": 3}),
                     (("x", "500"), {})]:
        with pytest.raises(ValueError):
            sim.fault(*args, **kw)


def test_fault_429_and_503_with_retry_after_in_both_forms(sim):
    from email.utils import parsedate_to_datetime
    sim.fault("/rss.xml", "503", count=1, retry_after=30)
    status, headers, _ = fetch(sim.base_url + "/rss.xml")
    assert status == 503 and headers["Retry-After"] == "30"
    sim.fault("1001", "429", count=1, retry_after=120)
    status, headers, _ = fetch(sim.article_url("1001"))
    assert status == 429 and headers["Retry-After"] == "120"
    sim.fault("1001", "429", count=1, retry_after=3600, http_date=True)
    status, headers, _ = fetch(sim.article_url("1001"))
    # an HTTP-date on the wall clock (clients compare it with theirs), not the sim's clock
    ahead = parsedate_to_datetime(headers["Retry-After"]).timestamp() - time.time()
    assert status == 429 and 3590 < ahead <= 3600
    sim.fault("1001", "429", count=1)
    status, headers, _ = fetch(sim.article_url("1001"))
    assert status == 429 and "Retry-After" not in headers
    assert fetch(sim.article_url("1001"))[0] == 200
    with pytest.raises(ValueError):
        sim.fault("1001", "429", retry_after=-1)


def test_fault_403_always_or_to_default_user_agents(sim):
    sim.fault("1002", "403", count=1)
    assert fetch(sim.article_url("1002"), {"User-Agent": "wirewatch/0.1 (+https://x)"})[0] == 403
    assert fetch(sim.article_url("1002"))[0] == 200
    sim.fault("*", "403", agent="default")
    honest = {"User-Agent": "wirewatch/0.1 (news revision archiver; +https://example.org)"}
    assert fetch(sim.article_url("1002"), honest)[0] == 200
    for agent in (None, "", "Scrapy/2.19 (+https://scrapy.org)", "python-requests/2.32"):
        headers = {} if agent is None else {"User-Agent": agent}
        assert fetch(sim.article_url("1002"), headers)[0] == 403, agent
    sim.clear_faults()
    sim.fault("*", "403", agent="BadBot", count=1)
    assert fetch(sim.base_url + "/", honest)[0] == 200            # not its agent: not used up
    assert fetch(sim.base_url + "/", {"User-Agent": "Mozilla/5.0 badbot/1"})[0] == 403
    assert fetch(sim.base_url + "/", {"User-Agent": "Mozilla/5.0 badbot/1"})[0] == 200


def test_fault_robots_disallows_paths_with_its_own_etag(sim):
    plain = fetch(sim.base_url + "/robots.txt")[2].decode()
    path = sim.article("1003").path
    sim.fault("/robots.txt", "robots", disallow=[path], max_age=5)
    status, headers, body = fetch(sim.base_url + "/robots.txt")
    text = body.decode()
    assert status == 200 and f"Disallow: {path}\n" in text and headers["Cache-Control"] == "public, max-age=5"
    group = text.split("\n\n")[0]
    assert group.startswith("User-agent: *") and f"Disallow: {path}" in group   # in the * group
    assert "Sitemap:" in text and "Disallow: /private/" in text
    assert fetch(sim.base_url + "/robots.txt", {"If-None-Match": headers["ETag"]})[0] == 304
    sim.clear_faults("/robots.txt")
    status, headers2, body = fetch(sim.base_url + "/robots.txt", {"If-None-Match": headers["ETag"]})
    assert status == 200 and body.decode() == plain and headers2["ETag"] != headers["ETag"]
    sim.fault("/robots.txt", "robots", disallow="/world/", max_age=None)
    status, headers, body = fetch(sim.base_url + "/robots.txt")
    assert "Cache-Control" not in headers and "Disallow: /world/\n" in body.decode()
    for kw in ({"disallow": ["no-slash"]}, {"max_age": -1}):
        with pytest.raises(ValueError):
            sim.fault("/robots.txt", "robots", **kw)
    with pytest.raises(ValueError):
        sim.fault("/rss.xml", "robots")


def test_fault_slow_truncated_huge(sim):
    sim.fault("/robots.txt", "slow", count=1, seconds=0.4)
    started = time.monotonic()
    assert fetch(sim.base_url + "/robots.txt")[0] == 200
    assert time.monotonic() - started >= 0.4
    sim.fault("1002", "truncated", count=1)
    conn = http.client.HTTPConnection("127.0.0.1", urllib.parse.urlsplit(sim.base_url).port)
    conn.request("GET", sim.article("1002").path)
    resp = conn.getresponse()
    with pytest.raises(http.client.IncompleteRead) as err:
        resp.read()
    conn.close()
    assert 0 < len(err.value.partial) < int(resp.headers["Content-Length"])
    sim.fault("1003", "huge", count=1)
    status, _, body = fetch(sim.article_url("1003"))
    assert status == 200 and len(body) >= 10_000_000
    assert escape(sim.article("1003").lead, quote=False).encode() in body


def test_fault_reset_breaks_the_connection(sim):
    sim.fault("1001", "reset", count=1)
    with pytest.raises(ConnectionError):
        fetch(sim.article_url("1001"))
    assert fetch(sim.article_url("1001"))[0] == 200
    assert ("GET", urllib.parse.urlsplit(sim.article_url("1001")).path, 0) in sim.requests


def test_fault_challenge_and_near_empty(sim):
    a = sim.article("1004")
    sim.fault("1004", "challenge", count=1)
    status, _, body = fetch(sim.article_url("1004"))
    assert status == 200 and "enable JavaScript" in body.decode()
    assert "<article" not in body.decode() and a.paragraphs[0][:40] not in body.decode()
    sim.fault("1004", "near_empty", count=1)
    status, _, body = fetch(sim.article_url("1004"))
    assert status == 200 and escape(a.headline, quote=False) in body.decode()
    assert escape(a.lead, quote=False) not in body.decode() and "site-header" in body.decode()
    assert fetch(sim.article_url("1004"), {"If-None-Match": a.etag})[0] == 304


# -- charsets ---------------------------------------------------------------------------------

def test_cp1251_article(sim, clock):
    aid = sim.add_cp1251_article()
    a = sim.article(aid)
    assert a.charset == "windows-1251" and a.language == "ru"
    status, headers, body = fetch(sim.article_url(aid))
    assert headers["Content-Type"] == "text/html; charset=windows-1251"
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    html = body.decode("windows-1251")
    assert '<meta charset="windows-1251">' in html and '<html lang="ru">' in html
    assert "Контакты России с ХАМАС" in html and "2 800" in html
    clock.now += 60
    change = sim.edit(aid, "number")
    assert re.fullmatch(r"\d{1,3}( \d{3})+", change["new"])
    assert change["new"].encode("cp1251") in fetch(sim.article_url(aid))[2]


# -- control surfaces -------------------------------------------------------------------------

def test_admin_endpoints_mirror_the_api(sim):
    status, change = post(sim, "edit", {"id": "1001", "kind": "number"})
    assert status == 200 and change["kind"] == "number" and sim.article("1001").revision == 2
    state = json.loads(fetch(sim.base_url + "/_admin/state")[2])
    assert {a["id"] for a in state["articles"]} == set(sim.article_ids())
    assert post(sim, "edit", {"id": "1001", "kind": "nope"})[0] == 400
    assert post(sim, "edit", {"id": "99", "kind": "number"})[0] == 404
    assert post(sim, "fault", {"target": "1002", "kind": "500", "count": 1})[0] == 200
    assert fetch(sim.article_url("1002"))[0] == 500
    assert post(sim, "pull", {"id": "1003", "status": 410})[0] == 200
    assert fetch(sim.article_url("1003"))[0] == 410
    assert sim.request_count("/_admin/") == 0


def test_timeline_and_request_log(sim):
    sim.reset_log()
    fetch(sim.base_url + "/rss.xml")
    fetch(sim.article_url("1001"))
    assert sim.request_count() == 2 and sim.request_count("/rss") == 1
    sim.run_timeline([(0.05, "edit", "1001", "number"), (0.1, "pull", "1002", 410),
                      (0.05, "publish"), (0.1, "edit", "1003", "headline", {"stealth": True})])
    deadline = time.monotonic() + 5
    while len(sim.article_ids()) < 7 or sim.article("1003").revision < 2 \
            or sim.article("1002").status == "live" or sim.article("1001").revision < 2:
        assert time.monotonic() < deadline, sim.errors
        time.sleep(0.02)
    assert sim.article("1002").gone_status == 410 and not sim.errors
    with pytest.raises(ValueError):
        sim.run_timeline([(1, "explode")])
    sim.reset_log()
    assert sim.requests == []


def test_stop_closes_the_port():
    sim = WireSim(articles=2).start()
    url = sim.article_url("1001")
    assert fetch(url)[0] == 200
    sim.stop()
    with pytest.raises(ConnectionError):
        fetch(url)
    with pytest.raises(RuntimeError):
        sim.base_url


def test_cli_prints_url_and_serves():
    proc = subprocess.Popen([sys.executable, "-m", "wiresim", "--port", "0", "--articles", "3"],
                            stdout=subprocess.PIPE, text=True)
    try:
        base = proc.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", base) and fetch(base + "/")[0] == 200
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0


# -- scale and real text ----------------------------------------------------------------------

def test_thousand_articles_start_quickly_and_serve():
    started = time.monotonic()
    with WireSim(articles=1000, corpus_dir=CORPUS) as sim:
        assert time.monotonic() - started < 10
        ids = sim.article_ids()
        articles = [sim.article(i) for i in ids]
        assert len(ids) == 1000 and ids[0] == "1001" and ids[-1] == "2000"
        assert len({a.headline for a in articles}) == 1000
        assert all(find_figures(" ".join(a.paragraphs), a.language) for a in articles)
        assert len(feedparser.parse(fetch(sim.base_url + "/rss.xml")[2]).entries) == 50
        news = ET.fromstring(fetch(sim.base_url + "/sitemap-news.xml")[2])
        assert len(list(news.iter(SM + "url"))) == 1000
        with ThreadPoolExecutor(16) as pool:
            statuses = list(pool.map(lambda i: fetch(sim.article_url(i))[0], ids[::5]))
        assert statuses == [200] * 200


def test_corpus_articles_load():
    truth_file = CORPUS / "article-extraction-benchmark" / "ground-truth.json"
    if not truth_file.exists():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    with WireSim(articles=40, corpus_dir=CORPUS) as sim:
        articles = [sim.article(i) for i in sim.article_ids()]
        corpus = [a for a in articles if a.origin.startswith("corpus:")]
        assert len(corpus) == 39 and articles[0].origin == "seed"
        a = corpus[0]
        body = truth[a.origin.split(":", 1)[1]]["articleBody"]
        assert a.lead in body and a.paragraphs[0] in body
        assert escape(a.paragraphs[0], quote=False) in page(sim.article_url(a.id))

