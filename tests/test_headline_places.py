"""Every place a page shows its headline in (<h1>, og:title, twitter:title, JSON-LD, <title>):
the chooser prefers what the reader sees when JSON-LD is stale, a change in any place is a
headline change that names the place, and the diffs say which place said what."""
from __future__ import annotations

import io
import json
import re
import urllib.request

import pytest
from rich.console import Console

from archive.edits import compute_change, field_rows
from archive.render import render_json, render_terminal, render_unified, summary_line
from archive.render_html import render_html
from crawler.extract import extract
from crawler.extraction.charset import decode_html
from crawler.extraction.dom import parse_html
from crawler.extraction.headline import choose_headline, headline_candidates, site_names
from crawler.extraction.pagemeta import read_page_meta

SITE = "WireSim News Agency"
VISIBLE = ("h1", "og", "twitter", "title")


def everywhere(headline: str, **places) -> dict[str, str]:
    shown = {p: headline for p in ("h1", "og", "twitter", "jsonld")}
    shown["title"] = f"{headline} - {SITE}"
    shown.update(places)
    return shown


# --- the chooser ------------------------------------------------------------------------------

def test_kicker_added_to_the_visible_headline_wins_over_stale_json_ld():
    new = everywhere("UPDATE: Quake toll rises", jsonld="Quake toll rises")
    assert choose_headline(new, [SITE]) == "UPDATE: Quake toll rises"
    # Reuters style, every place carrying the kicker, JSON-LD one step behind or without it
    bumped = everywhere("UPDATE 3-Oil jumps on supply fears", jsonld="UPDATE 2-Oil jumps on supply fears")
    assert choose_headline(bumped, ["Reuters", SITE]) == "UPDATE 3-Oil jumps on supply fears"
    bare = everywhere("UPDATE 3-Oil jumps on supply fears", jsonld="Oil jumps on supply fears")
    assert choose_headline(bare, [SITE]) == "UPDATE 3-Oil jumps on supply fears"
    # only the <h1> and the browser title seen: still theirs
    assert choose_headline({"h1": "UPDATE: Foo bar baz", "title": f"UPDATE: Foo bar baz - {SITE}",
                            "jsonld": "Foo bar baz"}, [SITE]) == "UPDATE: Foo bar baz"


def test_reworded_visible_headline_wins_over_stale_json_ld():
    new = everywhere("Parliament rejects budget after all-night session",
                     jsonld="Parliament to vote on budget")
    assert choose_headline(new, [SITE]) == "Parliament rejects budget after all-night session"


def test_visible_cores_still_drop_additions():
    # a visible candidate without the kicker still shows it is extra, as before
    assert choose_headline({"h1": "Foo bar", "og": "UPDATE 2-Foo bar", "jsonld": "Foo bar"}, []) == "Foo bar"
    assert choose_headline({"h1": "Foo bar baz", "og": "Opinion | Foo bar baz",
                            "jsonld": "Foo bar baz | World News"}, []) == "Foo bar baz"
    # JSON-LD with additions is reduced to the visible core
    assert choose_headline({"og": "Foo bar baz", "jsonld": "Foo bar baz - Section"}, []) == "Foo bar baz"


# --- real pages from the simulator --------------------------------------------------------------

def read_page(sim, aid: str) -> dict:
    """What the archive keeps of one fetch's headlines: the candidates as published and the
    chosen title, from the served page."""
    url = sim.article_url(aid)
    raw = urllib.request.urlopen(url, timeout=10).read()
    tree = parse_html(decode_html(raw))
    meta = read_page_meta(tree)
    candidates = headline_candidates(tree, meta)
    title = choose_headline(candidates, site_names(meta, url))
    snap = extract(raw, url)             # the whole extraction keeps the same
    assert (snap.title, snap.headlines) == (title, candidates)
    return {"title": title, "headlines": candidates,
            "text": "Officials said 2,800 people were affected.", "language": "en",
            "modified_at": sim.article(aid).modified.isoformat()}


def versions(sim, aid: str, edit) -> tuple[dict, dict]:
    old = dict(read_page(sim, aid), version=1)
    edit()
    return old, dict(read_page(sim, aid), version=2)


def test_simulated_kicker_with_stale_json_ld_is_a_headline_change(sim):
    aid = sim.article_ids()[0]
    core = sim.article(aid).headline
    old, new = versions(sim, aid, lambda: sim.edit(aid, "kicker", stale=["jsonld"]))
    assert old["title"] == core and new["title"] == "UPDATE: " + core
    assert new["headlines"]["jsonld"] == core
    change = compute_change(old, new)
    [row] = [r for r in change.classes if r["class"] == "headline"]
    assert row["detail"] == ('kicker added "UPDATE:" (page headline (<h1>), social headline '
                             '(og:title), social headline (twitter:title), browser title (<title>))')
    assert (row["old"], row["new"]) == (core, "UPDATE: " + core)
    fields = {r["field"]: r for r in change.field_rows}
    assert set(fields) == {"title", "headline:h1", "headline:og", "headline:twitter",
                           "headline:title", "modified_at"}
    assert fields["headline:title"] == {"field": "headline:title", "old": f"{core} - {SITE}",
                                        "new": f"UPDATE: {core} - {SITE}"}
    # the Reuters step: "UPDATE 2-" → "UPDATE 3-" everywhere is a headline change and a tag
    sim.edit(aid, "kicker", kicker="UPDATE 2-")
    old, new = versions(sim, aid, lambda: sim.edit(aid, "kicker"))
    assert new["title"] == "UPDATE 3-" + core
    change = compute_change(old, new)
    assert set(change.class_names) == {"headline", "correction"}
    [row] = [r for r in change.classes if r["class"] == "headline"]
    assert row["detail"].startswith('kicker changed "UPDATE 2-" → "UPDATE 3-" (page headline')
    assert "structured data (JSON-LD headline)" in row["detail"]


def test_simulated_social_and_json_ld_only_edits(sim):
    aid = sim.article_ids()[1]
    old, new = versions(sim, aid, lambda: sim.edit(aid, "social_headline",
                                                   headline="Ten things to know"))
    assert old["title"] == new["title"]                    # the reader's headline stays
    change = compute_change(old, new)
    assert change.classes == [{"class": "headline", "detail": "social headline (og:title), social "
                               "headline (twitter:title) changed", "old": old["title"],
                               "new": "Ten things to know"}]
    assert summary_line(change) == \
        "social headline (og:title), social headline (twitter:title) changed"

    old, new = versions(sim, aid, lambda: sim.edit(aid, "headline", headline="SEO text",
                                                   places=["jsonld"], stealth=True))
    change = compute_change(old, new)
    assert change.class_names == ["headline", "stealth"]
    assert change.classes[0]["detail"] == "structured data (JSON-LD headline) changed"
    assert [r["field"] for r in change.field_rows] == ["headline:jsonld"]


def test_a_reworded_visible_headline_names_its_places(sim):
    aid = sim.article_ids()[2]
    old, new = versions(sim, aid, lambda: sim.edit(aid, "headline", headline="Quite other words",
                                                   stale=["jsonld", "og", "twitter"]))
    assert new["title"] == "Quite other words"
    [row] = [r for r in compute_change(old, new).classes if r["class"] == "headline"]
    assert row["detail"] == "headline rewritten (page headline (<h1>), browser title (<title>))"


# --- change rows without the simulator ---------------------------------------------------------

def version(n: int, title: str, headlines, **kw) -> dict:
    v = {"version": n, "captured_at": f"2024-05-0{n}T10:00:00Z", "title": title,
         "headlines": headlines, "text": "Officials said.\nMore later.", "language": "en",
         "modified_at": f"2024-05-0{n}T09:00:00Z"}
    v.update(kw)
    return v


def test_versions_without_headlines_compare_no_places():
    shown = everywhere("Foo bar")
    for missing in (None, "absent"):
        old = version(1, "Foo bar", missing)
        if missing == "absent":
            del old["headlines"]
        same = dict(old, version=2)
        assert field_rows(old, dict(same, headlines=shown)) == []
        assert field_rows(dict(old, headlines=shown), same) == []
        assert compute_change(old, dict(same, headlines=shown)).classes == []
    # an empty map is known: a place that appears is a change
    rows = field_rows(version(1, "Foo bar", {}), version(2, "Foo bar", {"og": "Foo bar"}))
    assert rows[0] == {"field": "headline:og", "old": None, "new": "Foo bar"}
    change = compute_change(version(1, "Foo bar", {}), version(2, "Foo bar", {"og": "Foo bar"}))
    assert change.classes == [{"class": "headline", "detail": "social headline (og:title) added",
                               "old": None, "new": "Foo bar"}]


def test_a_cosmetic_change_in_a_place_is_cosmetic():
    old = version(1, "Foo bar", everywhere("Foo bar"))
    new = version(2, "Foo bar", everywhere("Foo bar", og="FOO BAR", twitter="FOO BAR"))
    assert compute_change(old, new).classes == [{
        "class": "cosmetic", "old": None, "new": None,
        "detail": "social headline (og:title), social headline (twitter:title): letter case"}]


# --- renderings --------------------------------------------------------------------------------

@pytest.fixture
def social_change():
    old = version(1, "Quake kills 2,800", everywhere("Quake kills 2,800"))
    new = version(2, "Quake kills 2,800", everywhere("Quake kills 2,800",
                                                     og="<b>Quake</b> toll hits 2,800"))
    return old, new


def test_terminal_without_colour_names_the_place(social_change):
    old, new = social_change
    console = Console(file=io.StringIO(), width=200)
    console.print(render_terminal(old, new, markers=True))
    out = console.file.getvalue()
    assert "Social headline (og:title): [-Quake kills 2,800-] → {+<b>Quake</b> toll hits 2,800+}" in out
    assert "social headline (og:title) changed" in out                  # the summary line
    assert "Social headline (twitter:title)" not in out                 # unchanged places stay out
    assert out.index("Social headline (og:title):") < out.index("unchanged paragraphs")


def test_unified_json_and_html_name_the_place(social_change):
    old, new = social_change
    out = render_unified(old, new)
    assert "-Social headline (og:title): Quake kills 2,800\n" \
           "+Social headline (og:title): <b>Quake</b> toll hits 2,800\n" in out
    assert " Headline: Quake kills 2,800\n" in out
    data = json.loads(json.dumps(render_json(old, new)))
    [field] = [f for f in data["fields"] if f["field"] == "headline:og"]
    assert field["label"] == "Social headline (og:title)"
    assert "".join(o["new_text"] for o in field["ops"]) == "<b>Quake</b> toll hits 2,800"
    assert data["classes"][0]["detail"] == "social headline (og:title) changed"
    page = render_html(old, new)
    assert "<td class=\"name\">Social headline (og:title)</td>" in page
    assert "<b>Quake" not in page and "&lt;b&gt;" in page and "&lt;/b&gt;" in page
    assert re.search(r"<ins>[^<]*toll hits", page)
