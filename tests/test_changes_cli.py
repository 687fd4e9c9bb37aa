"""`wirewatch changes`, `feed` and `reextract` end to end: the real command crawling wiresim over
loopback into a real archive, edits of every kind made on the simulator, then the listing, the
Atom feed and re-extraction from the WARC records read back as a user would."""
from __future__ import annotations

import json
from collections import defaultdict
from types import SimpleNamespace

import feedparser
import lxml.html
import pytest
from lxml import etree

from archive.edits import CHANGE_CLASSES
from support import Wirewatch, write_sim_seed

HOSTILE_HEADLINE = 'Minister says <script>alert(1)</script> " onmouseover="x was never a plan'
HOSTILE_PARAGRAPHS = [
    "The minister told reporters on Monday that the plan had been discussed with regional governors "
    "and would be presented to parliament <script>alert(1)</script> before the end of the month.",
    'Opposition deputies said the proposal " onmouseover="x would raise costs for households & small '
    "firms and asked for a full review of its effects on the budget.",
    "A vote is expected next week after two readings in the lower house and a debate in committee.",
]
HOSTILE_ADDED = 'Officials added that <img src=x onerror="alert(2)"> tags & "quotes" are only text here.'
# Each paragraph offers one cosmetic edit (an apostrophe) and no whitespace-only one, so the
# simulator's cosmetic edit is always a real (non-whitespace) change.
COSMETIC_PARAGRAPHS = [
    "The city council’s budget committee approved the new spending plan on Tuesday after a long debate",
    "The mayor’s office said the money would go to school repairs and new buses for the northern districts",
    "Residents’ groups welcomed the decision but asked for a public hearing on the road projects next spring",
]
ROUND_ONE = {"headline": "headline", "number": "number", "add_paragraph": "addition",
             "remove_paragraph": "removal", "correction": "correction", "reword": "rewording"}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """One archive for the whole module: crawl, quiet re-fetches, one round of edits of every
    kind, then a revert. Tests only read it (reextract writes only its own table)."""
    from wiresim import WireSim
    tmp = tmp_path_factory.mktemp("changes")
    with WireSim(articles=12, seed=1) as sim:
        hostile = sim.publish(headline=HOSTILE_HEADLINE, paragraphs=HOSTILE_PARAGRAPHS)
        cosmetic = sim.publish(headline="Council approves spending plan", paragraphs=COSMETIC_PARAGRAPHS)
        ww = Wirewatch(tmp / "data" / "wirewatch.duckdb", write_sim_seed(tmp / "seeds", sim.base_url))
        ww("crawl", "wiresim")
        sim.conditional = False          # every re-fetch a full 200 with fresh rotating boilerplate
        for _ in range(2):
            ww("recheck", "wiresim", "--all")
        quiet = ww.sql("SELECT (SELECT count(*) FROM versions) AS versions, "
                       "(SELECT count(*) FROM change_classes) AS classes, "
                       "(SELECT count(*) FROM fetches WHERE outcome = 'unchanged') AS unchanged")[0]
        ids = [i for i in sim.article_ids() if i not in (hostile, cosmetic)]
        edited = dict(zip(ids, ROUND_ONE))
        did = {aid: sim.edit(aid, kind) for aid, kind in edited.items()}
        stealth, pulled, moved, reverted = ids[6:10]
        did[stealth] = sim.edit(stealth, "number", stealth=True)
        sim.pull(pulled, status=410)
        sim.change_slug(moved)
        original = sim.article(reverted).headline
        sim.edit(reverted, "headline", stealth=True)     # stealth both ways: v3 equals v1 exactly
        sim.edit(hostile, "headline", headline=HOSTILE_HEADLINE + " — update")
        sim.edit(hostile, "add_paragraph", text=HOSTILE_ADDED, index=1)
        sim.edit(cosmetic, "cosmetic")
        ww("recheck", "wiresim", "--all")
        sim.edit(reverted, "headline", headline=original, stealth=True)
        ww("recheck", "wiresim", "--all")
        yield SimpleNamespace(sim=sim, ww=ww, tmp=tmp, quiet=quiet, edited=edited, did=did, stealth=stealth,
                              pulled=pulled, moved=moved, reverted=reverted, hostile=hostile,
                              cosmetic=cosmetic, untouched=ids[10:], articles=len(sim.article_ids()))


def wid(aid) -> str:
    return f"wiresim:{aid}"


def changes(world, *args) -> list[dict]:
    return json.loads(world.ww("changes", "--format", "json", "--since", "all", *args).stdout)


def by_article(rows) -> dict[str, list[dict]]:
    out = defaultdict(list)
    for row in rows:
        out[row["article_id"]].append(row)
    return out


def test_changes_lists_each_edit_once_with_its_class(world):
    rows = changes(world)
    got = by_article(rows)
    times = [r["captured_at"] for r in rows]
    assert times == sorted(times, reverse=True)                       # newest first
    for aid, kind in world.edited.items():
        (row,) = got[wid(aid)]
        assert row["classes"] == [ROUND_ONE[kind]], kind
        assert (row["kind"], row["from_version"], row["version"]) == ("version", 1, 2)
        assert row["summary"] and row["title"] and row["url"].startswith(world.sim.base_url)
    number = next(aid for aid, kind in world.edited.items() if kind == "number")
    (detail,) = got[wid(number)][0]["details"]
    assert (detail["class"], detail["old"], detail["new"]) == ("number", world.did[number]["old"],
                                                               world.did[number]["new"])
    assert f"{world.did[number]['old']} → {world.did[number]['new']}" in got[wid(number)][0]["summary"]
    assert got[wid(world.stealth)][0]["classes"] == ["number", "stealth"]
    (gone,) = got[wid(world.pulled)]
    assert gone["kind"] == "event" and gone["classes"] == ["pulled"] and "410" in gone["summary"]
    assert gone["title"]                                              # the last headline it had
    (moved,) = got[wid(world.moved)]
    assert moved["classes"] == ["redirected"] and moved["url"] == world.sim.article_url(world.moved)
    revert = got[wid(world.reverted)]
    assert [(r["from_version"], r["version"]) for r in revert] == [(2, 3), (1, 2)]
    assert "revert" in revert[0]["classes"] and revert[1]["classes"] == ["headline", "stealth"]
    for aid in world.untouched:
        assert wid(aid) not in got
    table = world.ww("changes", "--since", "all").stdout
    assert wid(world.stealth) in table and "1→2" in table


def test_changes_filters_and_errors(world):
    heads = changes(world, "--class", "headline")
    assert heads and all("headline" in r["classes"] for r in heads)
    headline_aid = next(aid for aid, kind in world.edited.items() if kind == "headline")
    assert {wid(headline_aid), wid(world.hostile), wid(world.reverted)} <= {r["article_id"] for r in heads}
    mixed = changes(world, "--class", "pulled", "--class", "stealth,correction")
    assert {c for r in mixed for c in r["classes"]} >= {"pulled", "stealth", "correction"}
    assert all({"pulled", "stealth", "correction"} & set(r["classes"]) for r in mixed)
    assert len(changes(world, "--source", "wiresim")) == len(changes(world))
    assert len(changes(world, "--limit", "3")) == 3
    assert json.loads(world.ww("changes", "--format", "json", "--since", "0s").stdout) == []
    assert len(json.loads(world.ww("changes", "--format", "json").stdout)) == len(changes(world))  # default 24h
    csv = world.ww("changes", "--format", "csv", "--since", "all").stdout.splitlines()
    assert csv[0] == "captured_at,source,article_id,url,versions,title,classes,summary"
    for args, says in ((["--class", "headlines"], "unknown change class 'headlines'"),
                       (["--source", "nowhere"], "unknown source 'nowhere'"),
                       (["--since", "yesterday"], "bad duration")):
        proc = world.ww("changes", *args, check=False)
        assert proc.returncode == 1 and proc.stdout == "", args
        assert len(proc.stderr.strip().splitlines()) == 1 and says in proc.stderr, proc.stderr


def test_every_change_class_is_detected_end_to_end(world):
    """Acceptance of edits as data through the real crawl: the change_classes table itself."""
    rows = world.ww.sql("SELECT article_id, version, class, old, new FROM change_classes")
    got = defaultdict(set)
    for r in rows:
        got[(r["article_id"], r["version"])].add(r["class"])
    for aid, kind in world.edited.items():
        assert got[(wid(aid), 2)] == {ROUND_ONE[kind]}, kind
    assert got[(wid(world.stealth), 2)] == {"number", "stealth"}
    assert got[(wid(world.cosmetic), 2)] == {"cosmetic"}
    assert got[(wid(world.hostile), 2)] == {"headline", "addition"}
    assert got[(wid(world.pulled), None)] == {"pulled"}
    assert got[(wid(world.moved), 1)] == {"redirected"}
    assert got[(wid(world.reverted), 2)] == {"headline", "stealth"} and "revert" in got[(wid(world.reverted), 3)]
    assert {c for classes in got.values() for c in classes} == set(CHANGE_CLASSES)
    (figure,) = [r for r in rows if r["article_id"] == wid(world.stealth) and r["class"] == "number"]
    assert (figure["old"], figure["new"]) == (world.did[world.stealth]["old"], world.did[world.stealth]["new"])


def test_refetched_articles_get_no_version_and_no_class(world):
    assert world.quiet == {"versions": world.articles, "classes": 0, "unchanged": 2 * world.articles}
    ids = [wid(a) for a in (*world.untouched, world.moved)]
    rows = world.ww.sql("SELECT article_id, versions, (SELECT count(*) FROM change_classes k WHERE "
                        "k.article_id = a.article_id AND k.class <> 'redirected') AS classes FROM articles a")
    counts = {r["article_id"]: (r["versions"], r["classes"]) for r in rows}
    assert all(counts[i] == (1, 0) for i in ids) and len(ids) >= 3


def feed_of(world, *args) -> bytes:
    proc = world.ww("feed", "--since", "all", *args)
    return proc.stdout.encode("utf-8")


def test_feed_has_one_entry_per_revision_with_stable_ids(world):
    first, second = feed_of(world), None
    out = world.tmp / "public" / "changes.xml"
    world.ww("feed", "--since", "all", "--output", str(out))
    second = out.read_bytes()
    parsed = feedparser.parse(first)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    ids = [e.id for e in parsed.entries]
    revisions = {f"tag:wirewatch,2026:{wid(a)}/v2" for a in (*world.edited, world.stealth, world.hostile,
                                                            world.cosmetic, world.reverted)}
    revisions.add(f"tag:wirewatch,2026:{wid(world.reverted)}/v3")
    pulled = [i for i in ids if i.startswith(f"tag:wirewatch,2026:{wid(world.pulled)}/pulled-")]
    assert len(ids) == len(set(ids)) == len(revisions) + 1 and set(ids) == revisions | set(pulled)
    again = feedparser.parse(second)
    assert again.bozo == 0 and [e.id for e in again.entries] == ids              # stable across runs
    assert again.feed.id == parsed.feed.id and any(link.rel == "self" for link in again.feed.links)
    assert parsed.feed.updated == parsed.entries[0].updated
    number = next(a for a, k in world.edited.items() if k == "number")
    entry = next(e for e in parsed.entries if e.id.endswith(f"{wid(number)}/v2"))
    assert entry.title == f"{world.sim.article(number).headline} (v1→v2: number)"
    assert entry.link == world.sim.article_url(number) and entry.author == "wiresim"
    assert [t.term for t in entry.tags] == ["number"]
    assert world.did[number]["new"] in entry.summary
    html = lxml.html.fromstring(entry.content[0].value)
    assert [d.text_content() for d in html.iter("del")][-1] == world.did[number]["old"]
    assert [i.text_content() for i in html.iter("ins")][-1] == world.did[number]["new"]
    only = feedparser.parse(feed_of(world, "--class", "pulled"))
    assert [e.id for e in only.entries] == pulled and "HTTP 410" in only.entries[0].title
    empty = feedparser.parse(feed_of(world, "--since", "0s"))
    assert empty.bozo == 0 and empty.entries == [] and empty.feed.updated


def test_feed_escapes_hostile_article_text(world):
    raw = feed_of(world)
    assert b"<script" not in raw and b"<img" not in raw
    entry = next(e for e in etree.fromstring(raw).iter("{http://www.w3.org/2005/Atom}entry")
                 if e.findtext("{http://www.w3.org/2005/Atom}id").endswith(f"{wid(world.hostile)}/v2"))
    title = entry.findtext("{http://www.w3.org/2005/Atom}title")
    assert title == f"{HOSTILE_HEADLINE} — update (v1→v2: headline, addition)"
    html = lxml.html.fragment_fromstring(entry.findtext("{http://www.w3.org/2005/Atom}content"))
    assert not list(html.iter("script", "img"))
    assert not [el for el in html.iter() if any(a.startswith("on") for a in el.attrib)]
    text = html.text_content()
    assert "<script>alert(1)</script>" in text and HOSTILE_ADDED in text
    assert '" onmouseover="x would raise costs' in text                  # the neighbouring paragraph
    assert any(HOSTILE_ADDED in i.text_content() for i in html.iter("ins"))
    assert feedparser.parse(raw).bozo == 0


def test_reextract_keeps_differences_apart_from_versions(world):
    ww = world.ww
    before = ww.sql("SELECT article_id, version, content_hash FROM versions ORDER BY ALL")
    n = len(before)
    out = ww("reextract").stdout
    assert f"re-extracted {n} versions" in out and f"{n} identical, 0 differing, 0 missing" in out
    assert ww("reextract", "--workers", "2").stdout.splitlines()[0] == out.splitlines()[0]  # process pool
    rows = ww.sql("SELECT count(*) AS n, count(*) FILTER (differs) AS differing, "
                  "count(DISTINCT drop_rules) AS rules FROM reextractions")
    assert rows == [{"n": n, "differing": 0, "rules": 1}]                # rerun replaced, not added

    dropping = write_sim_seed(world.tmp / "drop-seeds", world.sim.base_url)
    seed = dropping / "wiresim.toml"
    seed.write_text(seed.read_text().replace("drop = []", 'drop = ["div.article-body p:last-of-type"]', 1))
    with_drop = Wirewatch(ww.archive, dropping)
    out = with_drop("reextract", "--source", "wiresim").stdout
    assert f"0 identical, {n} differing, 0 missing" in out and "differing: wiresim:1001 v1, " in out
    rows = ww.sql("""SELECT r.article_id, r.version, r.differs, r.text, v.text AS stored FROM reextractions r
                     JOIN versions v USING (article_id, version)
                     WHERE r.drop_rules = '["div.article-body p:last-of-type"]'""")
    assert len(rows) == n and all(r["differs"] for r in rows)
    assert all(r["stored"].split("\n")[-1] not in r["text"].split("\n") for r in rows)  # last paragraph gone
    assert ww.sql("SELECT article_id, version, content_hash FROM versions ORDER BY ALL") == before
    assert ww.sql("SELECT count(*) AS n FROM reextractions") == [{"n": 2 * n}]

    one = ww("reextract", "--article", wid(world.stealth))
    assert "re-extracted 2 versions" in one.stdout and "2 identical" in one.stdout
    warc = ww.archive.parent / "warc"
    warc.rename(warc.with_name("warc-away"))
    try:
        gone = ww("reextract", "--article", wid(world.stealth)).stdout
    finally:
        warc.with_name("warc-away").rename(warc)
    assert "re-extracted 0 versions" in gone and "2 missing WARC records" in gone
    assert f"missing: {wid(world.stealth)} v1 (" in gone
    for args, says in ((["--source", "nowhere"], "unknown source 'nowhere'"),
                       (["--article", "wiresim:999999"], "no article 'wiresim:999999'")):
        proc = ww("reextract", *args, check=False)
        assert proc.returncode == 1 and says in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_feed_survives_text_xml_cannot_carry():
    """Scraped text may hold control characters XML 1.0 forbids; they are dropped, not fatal."""
    from datetime import datetime, timezone

    from archive import changefeed
    old = {"version": 1, "title": "Toll\x0b rises", "text": "One\x00 paragraph.\nTwo & <b>", "language": "en"}
    new = dict(old, version=2, title="Toll\x0b rises to 3", text="One\x00 paragraph.\nTwo & <b> more")
    row = {"kind": "version", "article_id": "odd src:a b/1", "version": 2, "from_version": 1,
           "captured_at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc), "source": "odd src",
           "url": "http://example.test/a?b=1&c=<2>", "title": new["title"], "classes": ["headline"],
           "summary": "headline edited\x01", "details": [{"class": "headline", "detail": "headline edited",
                                                           "old": None, "new": None}]}
    xml = changefeed.build_feed([row], [changefeed.entry_content(row, old, new)], title="t",
                                feed_id=changefeed.feed_id(["odd src"], ["headline"]))
    parsed = feedparser.parse(xml)
    assert parsed.bozo == 0 and parsed.entries[0].id == "tag:wirewatch,2026:odd%20src:a%20b/1/v2"
    assert parsed.entries[0].link == row["url"] and "Two &amp; &lt;b&gt;" in parsed.entries[0].content[0].value
