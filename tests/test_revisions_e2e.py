"""End to end on wiresim: headline changes in every place, dates that never make a version,
and a capture compared cheaply when only its boilerplate changed."""
from __future__ import annotations

import pytest


def versions_per_article(ww):
    return {r["article_id"]: r["versions"] for r in ww.sql("SELECT article_id, versions FROM articles")}


def classes(ww, aid: str, version: int) -> dict[str, str]:
    rows = ww.sql(f"SELECT class, detail FROM change_classes WHERE article_id = 'wiresim:{aid}' AND version = {version}")
    return {r["class"]: r["detail"] for r in rows}


def fields(ww, aid: str, version: int) -> set[str]:
    return {r["field"] for r in ww.sql(
        f"SELECT field FROM edit_fields WHERE article_id = 'wiresim:{aid}' AND version = {version}")}


@pytest.mark.parametrize("kind, options, place_fields", [
    ("headline", {"stale": ["jsonld"]}, {"headline:h1", "headline:og", "headline:twitter", "headline:title"}),
    ("kicker", {"stale": ["jsonld"]}, {"headline:h1", "headline:og", "headline:twitter", "headline:title"}),
    ("social_headline", {}, {"headline:og", "headline:twitter"}),
])
def test_a_headline_change_in_any_place_is_a_version_naming_the_place(ww, sim, kind, options, place_fields):
    sim.conditional = False
    ww("crawl", "wiresim")
    aid = sim.article_ids()[0]
    old = ww.sql(f"SELECT title, headlines FROM versions WHERE article_id = 'wiresim:{aid}'")[0]
    sim.edit(aid, kind, **options)
    ww("recheck", "wiresim", "--all")
    got = versions_per_article(ww)
    assert got.pop(f"wiresim:{aid}") == 2
    assert set(got.values()) == {1}
    new = ww.sql(f"SELECT title, headlines FROM versions WHERE article_id = 'wiresim:{aid}' AND version = 2")[0]
    assert place_fields <= fields(ww, aid, 2)
    assert "headline" in classes(ww, aid, 2)
    if kind != "social_headline":
        # the reader's headline follows the visible one, not the stale structured data
        assert new["title"] != old["title"] and new["headlines"]["jsonld"] == old["headlines"]["jsonld"]
        assert new["title"] == new["headlines"]["h1"]
    else:
        assert new["title"] == old["title"]
        assert "social headline" in classes(ww, aid, 2)["headline"]
    # and the next quiet re-check makes no version
    ww("recheck", "wiresim", "--all")
    assert versions_per_article(ww)[f"wiresim:{aid}"] == 2


@pytest.fixture
def sim50(tmp_path, ww):
    """50 articles, so 200 re-checks take 4 runs, not 25."""
    from support import write_sim_seed
    from wiresim import WireSim
    with WireSim(articles=50, seed=5) as s:
        ww.seeds = write_sim_seed(tmp_path / "seeds50", s.base_url)
        yield s


def test_a_fresh_modified_time_on_every_response_makes_no_version(ww, sim50):
    """A CMS that renders dateModified at request time: 200 quiet re-checks make no version, the
    times are on the fetches, and a real edit still makes exactly one."""
    sim = sim50
    sim.conditional = False
    sim.fresh_modified = True
    ww("crawl", "wiresim")
    before = versions_per_article(ww)
    rounds = -(-200 // len(before))
    for _ in range(rounds):
        ww("recheck", "wiresim", "--all")
    assert versions_per_article(ww) == before
    stamps = ww.sql("SELECT count(DISTINCT modified_at) AS n, count(*) AS fetches FROM fetches "
                    "WHERE outcome IN ('unchanged', 'new')")[0]
    # times recorded per fetch, and they moved with every run (the simulator stamps whole seconds)
    assert stamps["fetches"] >= 200 and stamps["n"] > rounds
    aid = sim.article_ids()[0]
    sim.edit(aid, "number")
    ww("recheck", "wiresim", "--all")
    ww("recheck", "wiresim", "--all")
    after = versions_per_article(ww)
    assert after.pop(f"wiresim:{aid}") == 2
    assert set(after.values()) == {1}
    # "dateModified bumped without a change" stays queryable
    bumped = ww.sql("SELECT count(*) AS n FROM fetches f JOIN versions v ON v.article_id = f.article_id "
                    "AND v.version = f.version WHERE f.outcome = 'unchanged' AND f.modified_at <> v.modified_at")[0]["n"]
    assert bumped >= 200 - len(before)
