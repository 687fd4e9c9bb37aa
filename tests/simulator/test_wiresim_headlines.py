"""Headline edits in chosen places (the others left stale), kickers, and a CMS that stamps a fresh
modified time on every response: over a real socket, read from the page markup."""
from __future__ import annotations

import json
import re
from email.utils import parsedate_to_datetime

import pytest

from simhttp import PLACES, fetch, page, post, shown_headlines

def modified_times(html: str, headers) -> dict[str, str]:
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html)[1])
    return {"jsonld": ld["dateModified"],
            "meta": re.search(r'"article:modified_time" content="([^"]+)"', html)[1],
            "visible": re.search(r'<time class="modified" datetime="([^"]+)"', html)[1],
            "header": parsedate_to_datetime(headers["Last-Modified"]).isoformat()}


def test_visible_headline_edited_while_json_ld_stays_stale(sim, clock):
    url, old = sim.article_url("1001"), sim.article("1001").headline
    clock.now += 60
    change = sim.edit("1001", "headline", headline="Quake toll rises to 3,000", stale=["jsonld"])
    assert change["places"] == ["h1", "og", "twitter", "title"]
    assert change["headlines"] == {p: [old, "Quake toll rises to 3,000"]
                                   for p in ("h1", "og", "twitter", "title")}
    got = shown_headlines(page(url))
    assert got == {"h1": "Quake toll rises to 3,000", "og": "Quake toll rises to 3,000",
                   "twitter": "Quake toll rises to 3,000", "jsonld": old,
                   "title": "Quake toll rises to 3,000"}
    # listings and the feed follow the visible headline
    assert "Quake toll rises to 3,000" in page(sim.base_url + "/")
    assert sim.article("1001").headline == "Quake toll rises to 3,000"
    # a later edit of every place brings the JSON-LD back in line
    sim.edit("1001", "headline", headline="Quake toll rises to 3,100")
    assert set(shown_headlines(page(url)).values()) == {"Quake toll rises to 3,100"}


def test_only_json_ld_or_only_social_titles(sim, clock):
    url, old = sim.article_url("1002"), sim.article("1002").headline
    change = sim.edit("1002", "headline", headline="SEO headline", places=["jsonld"])
    assert (change["old"], change["new"], change["places"]) == (old, "SEO headline", ["jsonld"])
    assert shown_headlines(page(url)) == {**dict.fromkeys(PLACES, old), "jsonld": "SEO headline"}
    assert sim.article("1002").headline == old

    change = sim.edit("1003", "social_headline", headline="You won't believe this")
    assert change["places"] == ["og", "twitter"] and set(change["headlines"]) == {"og", "twitter"}
    got = shown_headlines(page(sim.article_url("1003")))
    assert got["og"] == got["twitter"] == "You won't believe this"
    assert got["h1"] == got["jsonld"] == got["title"] == sim.article("1003").headline
    # without a text of its own, a social headline is another wording of the story
    change = sim.edit("1004", "social_headline")
    assert change["new"] != change["old"] == sim.article("1004").headline
    assert shown_headlines(page(sim.article_url("1004")))["og"] == change["new"]


def test_kickers_added_and_bumped(sim):
    url, core = sim.article_url("1001"), sim.article("1001").headline
    change = sim.edit("1001", "kicker", stale=["jsonld"])
    assert change["kicker"] == "UPDATE: " and change["new"] == "UPDATE: " + core
    assert shown_headlines(page(url)) == {**dict.fromkeys(PLACES, "UPDATE: " + core), "jsonld": core}
    sim.edit("1001", "kicker", stale=["jsonld"])
    assert shown_headlines(page(url))["h1"] == "UPDATE 2: " + core
    # Reuters style, carried everywhere: "UPDATE 2-" → "UPDATE 3-"
    sim.edit("1002", "kicker", kicker="UPDATE 2-")
    reuters = sim.article("1002").headline
    assert reuters.startswith("UPDATE 2-")
    change = sim.edit("1002", "kicker")
    assert change["kicker"] == "UPDATE 3-"
    assert set(shown_headlines(page(sim.article_url("1002"))).values()) == {"UPDATE 3-" + reuters[9:]}
    # the JSON-LD left behind one step
    sim.edit("1002", "kicker", stale=("jsonld",))
    got = shown_headlines(page(sim.article_url("1002")))
    assert got["h1"].startswith("UPDATE 4-") and got["jsonld"].startswith("UPDATE 3-")


def test_headline_place_options_are_checked(sim):
    with pytest.raises(ValueError, match="unknown headline place"):
        sim.edit("1001", "headline", places=["og:title"])
    with pytest.raises(ValueError, match="not both"):
        sim.edit("1001", "kicker", places=["h1"], stale=["jsonld"])
    with pytest.raises(ValueError, match="at least one place"):
        sim.edit("1001", "headline", stale=list(PLACES))
    assert sim.article("1001").revision == 1            # a refused edit changes nothing
    status, change = post(sim, "edit", {"id": "1001", "kind": "kicker", "stale": ["jsonld"]})
    assert status == 200 and change["places"] == ["h1", "og", "twitter", "title"]
    status, body = post(sim, "edit", {"id": "1001", "kind": "headline", "places": ["nope"]})
    assert status == 400 and "unknown headline place" in body["error"]
    described = next(a for a in sim.state()["articles"] if a["id"] == "1001")
    assert set(described["place_headlines"]) == {"jsonld"}


def test_fresh_modified_stamps_every_response(sim, clock):
    url = sim.article_url("1001")
    a = sim.article("1001")
    _, h1, b1 = fetch(url)
    _, h2, b2 = fetch(url)
    # off by default: the article's own time, every time
    assert modified_times(b1.decode(), h1) == modified_times(b2.decode(), h2) == \
        dict.fromkeys(("jsonld", "meta", "visible", "header"), a.modified.isoformat())

    sim.fresh_modified = True
    seen = []
    for _ in range(3):
        status, headers, body = fetch(url)
        times = modified_times(body.decode(), headers)
        assert status == 200 and len(set(times.values())) == 1, times
        seen.append(times["jsonld"])
        assert f"Updated: {parsedate_to_datetime(headers['Last-Modified']):%d %B %Y, %H:%M UTC}" \
            in body.decode()
        clock.now += 30
    assert len(set(seen)) == 3 and seen == sorted(seen) and seen[0] > a.modified.isoformat()
    # nothing else changed: same revision, same ETag, same article
    after = sim.article("1001")
    assert (after.revision, after.modified, after.headline, after.paragraphs) == \
        (a.revision, a.modified, a.headline, a.paragraphs)
    assert headers["ETag"] == h1["ETag"]
    # If-Modified-Since never matches a time stated later; If-None-Match still does
    assert fetch(url, {"If-Modified-Since": headers["Last-Modified"]})[0] == 200
    assert fetch(url, {"If-None-Match": headers["ETag"]})[0] == 304
    # a fast poller on a stopped clock still sees a new time on every response
    _, x, _ = fetch(url)
    _, y, _ = fetch(url)
    assert parsedate_to_datetime(y["Last-Modified"]) > parsedate_to_datetime(x["Last-Modified"])
    sim.fresh_modified = False
    _, h3, b3 = fetch(url)
    assert modified_times(b3.decode(), h3)["jsonld"] == a.modified.isoformat()
