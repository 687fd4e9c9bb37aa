"""Full-text search end to end: articles in English, Russian, Ukrainian and Chinese published on a
real wiresim, crawled and edited by the real crawler, searched through the real `wirewatch search`
(a real tantivy index beside the archive), and kept current by the real daemon."""
from __future__ import annotations

import json

import pytest

from support import Wirewatch, start_daemon, wait_for, write_sim_seed

EN_CUT = "The old bridge over the river was closed to traffic by the army."


@pytest.fixture(scope="module")
def archived(tmp_path_factory):
    """One archive for the read-only tests of this module (built once per test process)."""
    from wiresim import WireSim
    directory = tmp_path_factory.mktemp("search")
    with WireSim(articles=8, seed=1) as sim:
        ww = Wirewatch(directory / "data" / "wirewatch.duckdb", write_sim_seed(directory / "seeds", sim.base_url))
        yield ww, publish_and_edit(ww, sim)


@pytest.fixture
def multilingual(archived):
    return archived[1]


@pytest.fixture
def ww(archived):
    return archived[0]


def publish_and_edit(ww, sim):
    ids = {
        "ru": sim.publish("Переговоры в Женеве продолжатся", [
            "Стороны провели переговоры о прекращении огня в Женеве, сообщили 2 800 источников.",
            "Делегации обсудили гуманитарные коридоры."], language="ru"),
        "uk": sim.publish("Делегації зустрілися у Львові", [
            "Делегації провели зустріч щодо гуманітарних коридорів, повідомили 1 200 джерел.",
            "Сторони обговорили відновлення мостів через річку та постачання води до міст області.",
            "Наступна зустріч делегацій запланована на кінець місяця, повідомили у міністерстві.",
            "Представники громад попросили збільшити кількість автобусів для евакуації мешканців."], language="uk"),
        "zh": sim.publish("北京市举行新闻发布会", [
            "北京市政府今天举行新闻发布会，介绍了3,000名志愿者的情况。", "发布会由市长主持。"], language="zh"),
        "en": sim.publish("Ceasefire talks resume in Geneva", [
            "Delegations resumed talks on a ceasefire in Geneva on Tuesday, citing 4,500 refugees.", EN_CUT,
            # a third paragraph, so the story cut to two is still above the near-empty gate (25 words)
            "Mediators from three countries said the next round would open in Vienna later this month."],
            language="en"),
    }
    ww("crawl", "wiresim")
    sim.edit(ids["en"], "remove_paragraph", index=1)       # version 2 cuts the bridge sentence
    ww("recheck", "wiresim", "--all")
    return ids


def search(ww, *args):
    return json.loads(ww("search", *args, "--format", "json").stdout)


def test_languages_phrases_and_a_phrase_cut_in_a_later_version(ww, multilingual):
    ids = {lang: f"wiresim:{aid}" for lang, aid in multilingual.items()}
    # English stemming: "talk" finds "talks"; the article is named with the versions that match.
    hit = {r["article_id"]: r for r in search(ww, "talk ceasefire")}[ids["en"]]
    assert hit["matching_versions"] == [1, 2] and hit["in_latest"]
    assert "«talks»" in hit["snippet"] and "«Ceasefire»" in hit["snippet"]
    # A phrase that was in version 1 and cut in version 2: found, and the result says so.
    (cut,) = search(ww, '"bridge over the river"')
    assert cut["article_id"] == ids["en"] and cut["matching_versions"] == [1] and cut["version"] == 1
    assert not cut["in_latest"] and "cut in v2" in cut["versions_note"]
    assert "«bridge over the river»" in cut["snippet"]
    assert search(ww, '"river over the bridge"') == []                 # a phrase is words in order
    # Russian stemming: another case of the word finds it.
    (ru,) = search(ww, "переговорах Женеве")
    assert ru["article_id"] == ids["ru"] and "«Переговоры»" in ru["snippet"]
    # Ukrainian (lemmas): "делегацій" finds "Делегації".
    assert ids["uk"] in [r["article_id"] for r in search(ww, "делегацій")]
    # Chinese: substrings of two characters or more, and a single character.
    for query in ("新闻", "北京市政府", "志愿"):
        assert [r["article_id"] for r in search(ww, query)] == [ids["zh"]], query
    assert "«北京市政府»" in search(ww, "北京市政府")[0]["snippet"]
    assert ids["zh"] in [r["article_id"] for r in search(ww, "长")]
    # Every matching version, one row each.
    rows = search(ww, "talks", "--all-versions", "--source", "wiresim")
    assert sorted(r["version"] for r in rows if r["article_id"] == ids["en"]) == [1, 2]


def test_bad_queries_are_one_line_errors(ww, multilingual):
    for args, said in ((['"unbalanced'], "unbalanced quote"), (["--", "!!!"], "nothing to search for"),
                       (["talks", "--source", "nosuch"], "unknown source")):
        proc = ww("search", *args, check=False)
        assert proc.returncode == 1 and said in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_index_catches_up_without_duplicates_after_a_crash_before_its_state_was_saved(ww, multilingual):
    from archive.store import Archive
    from search.index import STATE_FILE, SearchIndex, index_dir
    before = search(ww, "talks", "--all-versions")
    (index_dir(ww.archive) / STATE_FILE).unlink()       # as if killed between tantivy's commit and the mark
    idx = SearchIndex(Archive(ww.archive))
    again = idx.catch_up()
    assert again.indexed > 0 and idx.lag() == 0
    index = idx.open()
    assert index.searcher().num_docs == again.indexed     # re-indexed, not added twice
    assert search(ww, "talks", "--all-versions") == before


def indexed_by_daemon(archive_file, versions: int) -> bool:
    from archive.store import Archive
    from search.index import SearchIndex
    try:
        # the count first: a lag of 0 read after it covers those versions
        if Wirewatch(archive_file, None).sql("SELECT count(*) AS n FROM versions")[0]["n"] < versions:
            return False
        index = SearchIndex(Archive(archive_file))
        return index.high_water() > 0 and index.lag() == 0
    except Exception:          # the daemon holds the file for a write: ask again
        return False


def test_the_daemon_keeps_the_index_current_and_search_runs_beside_it(sim, archive_file, tmp_path):
    ww = Wirewatch(archive_file, None)
    ww.seeds = write_sim_seed(tmp_path / "fast", sim.base_url,
                              recheck='tiers = [["1h", "2s"]]\nmin_interval = "1s"\nbackoff_after = "1h"')
    daemon = start_daemon(ww)
    try:
        assert wait_for(lambda: ww.sql("SELECT count(*) AS n FROM versions")[0]["n"] >= 8, 60)
        sim.publish("Zyxwvut summit opens", ["Leaders met at the zyxwvut summit, 1,500 delegates said."])
        # the daemon's index job indexes the new version: wait for it without running `search`,
        # which indexes a backlog itself when no other process holds the index writer (it did,
        # once in a loaded run, before the daemon's job came round: then nothing tested the job)
        assert wait_for(lambda: indexed_by_daemon(archive_file, 9), 45)
        assert search(ww, "zyxwvut")
    finally:
        daemon.terminate()
        out, _ = daemon.communicate(timeout=30)
    assert "search index:" in out and daemon.returncode == 0


def test_the_search_page_and_its_json_twin(ww, multilingual, tmp_path):
    from urllib.parse import quote

    from websupport import Server
    ww("search", "talks")                                # builds the index; the view only reads it
    server = Server(ww.archive, ww.seeds, "--no-access-log", log=tmp_path / "serve.log")
    try:
        page = server.get("/search?q=" + quote('"bridge over the river"'))
        twin = server.get("/search.json?q=" + quote('"bridge over the river"')).json()
        bad = server.get("/search?q=" + quote('"unbalanced'))
    finally:
        server.stop()
    assert page.status == 200 and "<mark>bridge over the river</mark>" in page.text
    assert "cut in v2" in page.text and 'aria-current="page">Search' in page.text
    (hit,) = twin["results"]
    assert hit["matching_versions"] == [1] and hit["in_latest"] is False and hit["diff_link"].endswith("from=1&to=2")
    assert bad.status == 400 and "unbalanced quote" in bad.text
