"""The simulator over a real socket on 127.0.0.1: pages, feeds, validators, edits, slug changes,
pulls, faults and charsets, checked with the clients a crawler would use."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from html import escape

import feedparser
import pytest

from wiresim import ARTICLE_ID_PATTERN, ARTICLE_URL_PATTERN, EDIT_KINDS, WireSim
from wiresim.content import find_figures

from simhttp import NEWS, PLACES, SM, fetch, page, shown_headlines


def test_site_pages_and_robots(sim):
    status, headers, body = fetch(sim.base_url + "/")
    home = body.decode()
    assert status == 200 and headers["Last-Modified"]
    assert all(f'href="{sim.article(aid).path}"' in home for aid in sim.article_ids())
    assert 'href="/section/world"' in home and 'href="/about"' in home and 'href="/tag/' in home
    for path in ["/section/world", "/section/politics", "/section/economy", "/section/society",
                 "/about", "/private/", "/search?q=oil"]:
        assert fetch(sim.base_url + path)[0] == 200, path
    for path in ["/no/such/page", "/world/999999/nothing", "/section/nope"]:
        assert fetch(sim.base_url + path)[0] == 404, path
    status, headers, body = fetch(sim.base_url + "/robots.txt")
    lines = body.decode().splitlines()
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    assert "User-agent: *" in lines and "Disallow: /_admin/" in lines
    assert "Disallow: /private/" in lines and f"Sitemap: {sim.base_url}/sitemap.xml" in lines


def test_article_page_markup(sim):
    a, url = sim.article("1001"), sim.article_url("1001")
    assert re.match(ARTICLE_URL_PATTERN, url) and re.search(ARTICLE_ID_PATTERN, url)[1] == "1001"
    status, headers, body = fetch(url)
    html = body.decode()
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert '<html lang="en">' in html and f'<link rel="canonical" href="{url}">' in html
    assert f"<title>{escape(a.headline, quote=False)} - WireSim News Agency</title>" in html
    assert f'<meta property="og:title" content="{escape(a.headline)}">' in html
    assert f'<meta property="og:description" content="{escape(a.lead)}">' in html
    assert f'"article:published_time" content="{a.published.isoformat()}"' in html
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html)[1])
    assert ld["@type"] == "NewsArticle" and ld["headline"] == a.headline
    assert ld["dateModified"] == a.modified.isoformat() and ld["keywords"] and ld["author"]
    article = html[html.index("<article"):html.index("</article>")]
    assert f'<h1 class="headline">{escape(a.headline, quote=False)}</h1>' in article
    assert all(escape(p, quote=False) in article for p in [a.lead, *a.paragraphs])
    body_div = article[article.index('class="article-body"'):]
    assert body_div.index("<p>") < body_div.index('class="read-also"') < body_div.rindex("<p>")
    assert 'class="related"' in html and 'class="tags"' in html and "<footer" in html


def test_two_fetches_differ_in_bytes_but_share_validators(sim):
    (_, h1, b1), (_, h2, b2) = fetch(sim.article_url("1002")), fetch(sim.article_url("1002"))
    assert b1 != b2
    assert h1["ETag"] == h2["ETag"] and h1["Last-Modified"] == h2["Last-Modified"]
    status, headers, body = fetch(sim.article_url("1002"), method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 1000


def test_feed_parses_with_feedparser(sim):
    status, headers, body = fetch(sim.base_url + "/rss.xml")
    feed = feedparser.parse(body)
    assert status == 200 and headers["Last-Modified"]
    assert not feed.bozo and len(feed.entries) == 6
    by_link = {e.link: e for e in feed.entries}
    for aid in sim.article_ids():
        a, entry = sim.article(aid), by_link[sim.article_url(aid)]
        assert entry.title == a.headline and entry.summary == a.lead
        assert entry.published_parsed and entry.updated_parsed and entry.id == f"wiresim-{aid}"


def test_sitemap_index_and_news_sitemap(sim, clock):
    index = ET.fromstring(fetch(sim.base_url + "/sitemap.xml")[2])
    locs = [e.text for e in index.iter(SM + "loc")]
    assert locs == [sim.base_url + "/sitemap-news.xml", sim.base_url + "/sitemap-sections.xml"]
    sections = ET.fromstring(fetch(locs[1])[2])
    assert sim.base_url + "/section/world" in [e.text for e in sections.iter(SM + "loc")]
    before = sim.article("1002")
    for edited in (False, True):
        if edited:
            clock.now += 60
            sim.edit("1002", "headline")
        a = sim.article("1002")
        news = ET.fromstring(fetch(locs[0])[2])
        urls = {u.find(SM + "loc").text: u for u in news.iter(SM + "url")}
        entry = urls[sim.article_url("1002")]
        assert len(urls) == 6 and entry.find(SM + "lastmod").text == a.modified.isoformat()
        assert entry.find(f"{NEWS}news/{NEWS}title").text == a.headline
        assert entry.find(f"{NEWS}news/{NEWS}publication_date").text == a.published.isoformat()
    assert a.modified > before.modified and a.headline != before.headline


# -- conditional requests ---------------------------------------------------------------------

def test_conditional_requests(sim, clock):
    url = sim.article_url("1003")
    _, headers, _ = fetch(url)
    etag, last_modified = headers["ETag"], headers["Last-Modified"]
    status, h, body = fetch(url, {"If-None-Match": etag})
    assert status == 304 and body == b"" and h["ETag"] == etag
    assert fetch(url, {"If-None-Match": "W/" + etag})[0] == 304
    assert fetch(url, {"If-Modified-Since": last_modified})[0] == 304
    assert fetch(url, {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})[0] == 200
    assert fetch(url, {"If-None-Match": '"other"', "If-Modified-Since": last_modified})[0] == 200
    for path in ["/rss.xml", "/sitemap-news.xml", "/"]:
        lm = fetch(sim.base_url + path)[1]["Last-Modified"]
        assert fetch(sim.base_url + path, {"If-Modified-Since": lm})[0] == 304, path
    clock.now += 30
    sim.edit("1003", "number")
    status, h, _ = fetch(url, {"If-None-Match": etag})
    assert status == 200 and h["ETag"] != etag
    assert fetch(url, {"If-Modified-Since": last_modified})[0] == 200
    assert fetch(sim.base_url + "/rss.xml", {"If-Modified-Since": lm})[0] == 200


# -- edits ------------------------------------------------------------------------------------

CONTENT_FIELDS = ("headline", "byline", "lead", "paragraphs", "tags", "slug", "section", "status")
def changed_paragraphs(before, after) -> list[int]:
    return [i for i, (p, q) in enumerate(zip(before.paragraphs, after.paragraphs)) if p != q]


def normalized(text: str) -> str:
    text = text.translate(str.maketrans({"’": "'", "“": '"', "”": '"', "—": "-"}))
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize("kind", EDIT_KINDS)
def test_each_edit_kind_changes_what_it_says(sim, clock, kind):
    before, old_etag = sim.article("1001"), fetch(sim.article_url("1001"))[1]["ETag"]
    clock.now += 120
    change = sim.edit("1001", kind)
    after = sim.article("1001")
    assert change["kind"] == kind and after.revision == before.revision + 1
    assert after.modified == datetime.fromtimestamp(clock.now, timezone.utc)
    expected = {"headline": {"headline"}, "byline": {"byline"}, "modified_time": set(),
                "kicker": {"headline"}, "social_headline": set()}
    assert {f for f in CONTENT_FIELDS if getattr(before, f) != getattr(after, f)} == \
        expected.get(kind, {"paragraphs"})
    if kind in ("headline", "byline"):
        assert (change["old"], change["new"]) == (getattr(before, kind), getattr(after, kind))
    if kind in ("headline", "kicker"):           # every place shows the new headline
        assert after.place_headlines == {} and set(change["headlines"]) == set(PLACES)
    elif kind == "social_headline":              # only the social titles change
        assert set(after.place_headlines) == {"og", "twitter"} == set(change["headlines"])
        assert after.shown_headline("og") == change["new"] != before.headline
    if kind == "kicker":
        assert after.headline == "UPDATE: " + before.headline
    elif kind == "number":
        [i] = changed_paragraphs(before, after)
        assert change["old"] in before.paragraphs[i] and change["new"] in after.paragraphs[i]
        assert int(change["new"].replace(",", "")) > int(change["old"].replace(",", ""))
        assert re.sub(r"[\d,]+", "#", before.paragraphs[i]) == \
            re.sub(r"[\d,]+", "#", after.paragraphs[i])
    elif kind == "add_paragraph":
        i = change["index"]
        assert after.paragraphs[i] == change["new"]
        assert after.paragraphs[:i] + after.paragraphs[i + 1:] == before.paragraphs
    elif kind == "remove_paragraph":
        i = change["index"]
        assert before.paragraphs[:i] + before.paragraphs[i + 1:] == after.paragraphs
        assert any(find_figures(p, "en") for p in after.paragraphs)
    elif kind == "reword":
        [i] = changed_paragraphs(before, after)
        assert before.paragraphs[i].replace(change["old"], change["new"]) == after.paragraphs[i]
    elif kind == "correction":
        assert after.paragraphs[:-1] == before.paragraphs
        assert after.paragraphs[-1].startswith("Correction: an earlier version of this story")
    elif kind == "cosmetic":
        [i] = changed_paragraphs(before, after)
        assert normalized(before.paragraphs[i]) == normalized(after.paragraphs[i])
    _, headers, body = fetch(sim.article_url("1001"))
    assert headers["ETag"] != old_etag
    assert f'content="{after.modified.isoformat()}"' in body.decode()
    assert escape(after.headline, quote=False) in body.decode()
    assert shown_headlines(body.decode()) == {**dict.fromkeys(PLACES, after.headline),
                                              **after.place_headlines}


def test_stealth_edit_keeps_modified_but_changes_etag(sim, clock):
    url, before = sim.article_url("1002"), sim.article("1002")
    _, h1, _ = fetch(url)
    clock.now += 600
    change = sim.edit("1002", "number", stealth=True)
    after = sim.article("1002")
    _, h2, body = fetch(url)
    assert change["stealth"] and after.revision == before.revision + 1
    assert after.modified == before.modified and h2["Last-Modified"] == h1["Last-Modified"]
    assert h2["ETag"] != h1["ETag"] and change["new"] in body.decode()
    with pytest.raises(ValueError, match="unknown edit kind"):
        sim.edit("1001", "rewrite_everything")
    with pytest.raises(KeyError):
        sim.edit("424242", "number")


def test_publish_and_determinism(clock):
    with WireSim(articles=4, seed=7, clock=clock) as a, \
            WireSim(articles=4, seed=7, clock=clock) as b:
        assert [a.article(i).text for i in a.article_ids()] == \
            [b.article(i).text for i in b.article_ids()]
        aid = a.publish(headline="Parliament passes budget", paragraphs=["One.", "Two."],
                        section="politics")
        assert aid == "1005" and a.article_url(aid).endswith("/politics/1005/parliament-passes-budget")
        assert "Parliament passes budget" in page(a.article_url(aid))
        pooled = a.article(a.publish())
        assert pooled.published == pooled.modified == datetime.fromtimestamp(clock.now, timezone.utc)
        assert find_figures(" ".join(pooled.paragraphs), "en")


def test_without_shared_texts_builtin_stories_are_used(monkeypatch, tmp_path):
    monkeypatch.setenv("WIRESIM_SHARED", str(tmp_path))
    with WireSim(articles=3, corpus_dir=tmp_path / "corpus") as sim:
        assert {sim.article(i).origin for i in sim.article_ids()} == {"builtin"}
        assert fetch(sim.article_url("1001"))[0] == 200


# -- slugs and pulls --------------------------------------------------------------------------

