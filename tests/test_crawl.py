"""End to end: the real `wirewatch` command crawling wiresim over loopback into a real archive."""
from __future__ import annotations

import json

from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator


@pytest.fixture
def big_sim(tmp_path, ww):
    """50 articles built from the real corpus where present, so 4 rounds make 200 rechecks."""
    from support import CORPUS, write_sim_seed
    from wiresim import WireSim
    with WireSim(articles=50, seed=3, corpus_dir=CORPUS if CORPUS.is_dir() else None) as s:
        ww.seeds = write_sim_seed(tmp_path / "big-seeds", s.base_url)
        yield s


def outcomes(ww, where=""):
    rows = ww.sql(f"SELECT outcome, count(*) AS n FROM fetches {where} GROUP BY outcome")
    return {r["outcome"]: r["n"] for r in rows}


def versions_per_article(ww):
    return {r["article_id"]: r["versions"] for r in ww.sql("SELECT article_id, versions FROM articles")}


def test_crawl_archives_every_article_once_and_warc_holds_every_response(ww, sim, archive_file):
    proc = ww("crawl", "wiresim")
    assert "new articles" in proc.stdout
    ids = sim.article_ids()
    got = versions_per_article(ww)
    assert got == {f"wiresim:{i}": 1 for i in ids}
    row = ww.sql("SELECT title, text, byline, published_at, modified_at, language FROM versions WHERE article_id = 'wiresim:%s'" % ids[0])[0]
    art = sim.article(ids[0])
    assert row["title"] == art.headline
    assert art.paragraphs[-1][:60] in row["text"]
    # the stored text is what the page showed, its rotating "Read also" box included
    assert "Read also:" in row["text"]
    assert row["language"] == "en"
    # one request per new article: a first capture is a version at once, never confirmed
    paths = {sim.article(a).path for a in ids}
    assert sum(1 for _, path, _ in sim.requests if path in paths) == len(ids)
    assert outcomes(ww) == {"new": len(ids)}
    # every response is in WARC, and every fetch row points to its record
    fetches = ww.sql("SELECT url, warc_file, warc_offset, payload_digest FROM fetches")
    warc_dir = archive_file.parent / "warc"
    for f in fetches:
        with open(warc_dir / f["warc_file"], "rb") as fh:
            fh.seek(f["warc_offset"])
            record = next(iter(ArchiveIterator(fh)))
            assert record.rec_headers.get_header("WARC-Target-URI") == f["url"]
            assert record.rec_headers.get_header("WARC-Payload-Digest") == f["payload_digest"]
    # at rest the archive is one file: the write-ahead log was folded in when the run ended
    assert not Path(str(archive_file) + ".wal").exists()
    # a second discovery finds nothing new to fetch
    ww("crawl", "wiresim")
    assert versions_per_article(ww) == got
    assert sim.request_count("/_admin") == 0


def test_each_kind_of_edit_is_detected_exactly_once(ww, sim):
    ww("crawl", "wiresim")
    ids = sim.article_ids()
    kinds = ["headline", "number", "add_paragraph", "remove_paragraph", "reword", "correction", "byline"]
    for aid, kind in zip(ids, kinds):
        sim.edit(aid, kind)
    ww("recheck", "wiresim", "--all")
    got = versions_per_article(ww)
    for aid, kind in zip(ids, kinds):
        assert got[f"wiresim:{aid}"] == 2, kind
    for aid in ids[len(kinds):]:
        assert got[f"wiresim:{aid}"] == 1
    ww("recheck", "wiresim", "--all")
    assert versions_per_article(ww) == got
    number = ww.sql(f"SELECT text FROM versions WHERE article_id = 'wiresim:{ids[1]}' ORDER BY version")
    assert number[0]["text"] != number[1]["text"]


def test_304_is_recorded_as_not_modified(ww, sim):
    ww("crawl", "wiresim")
    ww("recheck", "wiresim", "--all")
    got = outcomes(ww, "WHERE run_id = (SELECT max(run_id) FROM runs)")
    assert got == {"not_modified": len(sim.article_ids())}


def test_no_version_over_200_rechecks_with_rotating_boilerplate(ww, big_sim):
    sim = big_sim
    sim.conditional = False     # always a full 200 with fresh noise, never a 304
    ww("crawl", "wiresim")
    before = versions_per_article(ww)
    n = len(before)
    rounds = -(-200 // n)
    for _ in range(rounds):
        ww("recheck", "wiresim", "--all")
    assert versions_per_article(ww) == before
    counts = outcomes(ww, "WHERE outcome NOT IN ('new', 'confirm')")
    assert counts.get("unchanged", 0) >= 200 and set(counts) == {"unchanged"}
    # the rotating "Read also" paragraph survives extraction: it was kept out of the comparison
    # by evidence (it rotated, or repeated across articles) on several articles, not by luck
    learned = ww.sql("SELECT count(DISTINCT article_id) AS n FROM noise_evidence WHERE text = 'Read also: …'")[0]["n"]
    assert learned >= 3
    # kept in the stored text (trafilatura drops the box on a page or two of the corpus by itself)
    assert ww.sql("SELECT count(*) AS n FROM versions WHERE text LIKE '%Read also:%'")[0]["n"] >= n - 2


def test_pulled_and_slug_change(ww, sim):
    ww("crawl", "wiresim")
    ids = sim.article_ids()
    sim.pull(ids[0], status=410)
    sim.pull(ids[1], status=404)
    new_url = sim.change_slug(ids[2])
    ww("recheck", "wiresim", "--all")
    # one 404/410 is not proof: the article is missing until a later fetch agrees
    arts = {r["article_id"]: r for r in ww.sql("SELECT article_id, status FROM articles")}
    assert arts[f"wiresim:{ids[0]}"]["status"] == arts[f"wiresim:{ids[1]}"]["status"] == "missing"
    ww("recheck", "wiresim", "--all")
    arts = {r["article_id"]: r for r in ww.sql("SELECT article_id, status, url, versions FROM articles")}
    assert arts[f"wiresim:{ids[0]}"]["status"] == "gone"
    assert arts[f"wiresim:{ids[1]}"]["status"] == "gone"
    moved = arts[f"wiresim:{ids[2]}"]
    assert moved["url"] == new_url and moved["versions"] == 1 and moved["status"] == "live"
    assert len(arts) == len(ids)
    hist = json.loads(ww("history", new_url, "--format", "json").stdout)
    assert [e["kind"] for e in hist["events"]] == ["redirected"]
    gone = json.loads(ww("history", f"wiresim:{ids[0]}", "--format", "json").stdout)
    assert [e["kind"] for e in gone["events"]] == ["gone"]
    # gone stories are still looked at: one that comes back (edited) is a 'restored' event with its version
    sim.restore(ids[0])
    sim.edit(ids[0], "number")
    ww("recheck", "wiresim", "--all")
    back = json.loads(ww("history", f"wiresim:{ids[0]}", "--format", "json").stdout)
    assert [e["kind"] for e in back["events"]] == ["gone", "restored"]
    assert [v["version"] for v in back["versions"]] == [1, 2]
    assert ww.sql(f"SELECT status FROM articles WHERE article_id = 'wiresim:{ids[0]}'")[0]["status"] == "live"


FAULTS = [("500", "error"), ("503", "error"), ("reset", "error"), ("truncated", "error"),
          ("huge", "error"), ("challenge", "blocked"), ("near_empty", "blocked")]


def test_each_fault_ends_as_the_right_outcome_with_no_version(ww, sim):
    ww("crawl", "wiresim")
    ids = sim.article_ids()
    for aid, (kind, _) in zip(ids, FAULTS):
        sim.fault(aid, kind)
    ww("recheck", "wiresim", "--all", "--set", "RETRY_BACKOFF_BASE=0.05", "--set", "RETRY_BACKOFF_MAX=0.2")
    rows = ww.sql("SELECT article_id, outcome, error FROM fetches WHERE run_id = (SELECT max(run_id) FROM runs) AND outcome <> 'confirm'")
    got = {r["article_id"]: r["outcome"] for r in rows}
    for aid, (kind, expected) in zip(ids, FAULTS):
        assert got[f"wiresim:{aid}"] == expected, kind
    assert all(v == 1 for v in versions_per_article(ww).values())


def test_slow_response_past_the_timeout_is_an_error(ww, sim):
    ww("crawl", "wiresim")
    aid = sim.article_ids()[0]
    sim.fault(aid, "slow", seconds=3)
    ww("recheck", "wiresim", "--all", "--set", "DOWNLOAD_TIMEOUT=1", "--set", "RETRY_TIMES=0")
    row = ww.sql(f"SELECT outcome, error FROM fetches WHERE article_id = 'wiresim:{aid}' ORDER BY fetch_id DESC LIMIT 1")[0]
    assert row["outcome"] == "error" and "timeout" in row["error"].lower()


def test_windows_1251_article_is_correct_cyrillic(ww, sim):
    aid = sim.add_cp1251_article()
    ww("crawl", "wiresim")
    row = ww.sql(f"SELECT title, text, language FROM versions WHERE article_id = 'wiresim:{aid}'")[0]
    art = sim.article(aid)
    assert row["title"] == art.headline
    assert art.paragraphs[0][:40] in row["text"]
    assert "Р°" not in row["text"]   # the classic mojibake of UTF-8 read as cp1251


def test_offsite_redirect_is_refused_and_recorded(ww, sim):
    ww("crawl", "wiresim")
    aid = sim.article_ids()[0]
    port = sim.base_url.rsplit(":", 1)[1]
    sim.fault(aid, "redirect", location=f"http://localhost:{port}/world/{aid}/elsewhere")
    ww("recheck", "wiresim", "--all")
    row = ww.sql(f"SELECT outcome, http_status, error FROM fetches WHERE article_id = 'wiresim:{aid}' "
                 "ORDER BY fetch_id DESC LIMIT 1")[0]
    assert row["outcome"] == "redirected" and row["http_status"] == 301 and "off-site" in row["error"], row
    assert not any(p.startswith("/world/") and p.endswith("/elsewhere") for _, p, _ in sim.requests), sim.requests[-5:]


def test_new_drop_rules_are_not_publisher_edits(ww, sim, tmp_path):
    """Changing the extraction (here: a drop rule removing the last paragraph) must not make
    every article look edited: the latest capture is re-read from WARC with the new rules."""
    from support import write_sim_seed
    ww("crawl", "wiresim")
    ids = sim.article_ids()
    seeds = write_sim_seed(tmp_path / "seeds-with-drop", sim.base_url)
    toml = (seeds / "wiresim.toml").read_text().replace("drop = []", 'drop = ["div.article-body p:last-of-type"]')
    (seeds / "wiresim.toml").write_text(toml)
    ww.seeds = seeds
    sim.conditional = False
    # (a headline edit: an edit inside the dropped paragraph is rightly invisible now that dates
    # alone never make a version)
    sim.edit(ids[0], "headline")
    ww("recheck", "wiresim", "--all")
    versions = {r["article_id"]: r["versions"] for r in ww.sql("SELECT article_id, versions FROM articles")}
    assert versions.pop(f"wiresim:{ids[0]}") == 2              # the real edit still shows
    assert set(versions.values()) == {1}                          # the new rule alone made nothing
    kept = ww.sql("SELECT count(*) AS n, bool_and(differs) AS all_differ FROM reextractions")[0]
    assert kept["n"] >= len(ids) - 1 and kept["all_differ"]


def test_a_teaser_shown_twice_in_a_row_is_not_an_edit(ww, sim):
    """Two fetches agreeing on a rotating line is not proof: a change two fetches agree on gets a
    third, and the box's shared label ("Read also:") is learned from the lines that rotate."""
    sim.conditional = False
    sim.teaser_hold = 2               # every teaser is served twice in a row, then another
    ww("crawl", "wiresim")
    before = versions_per_article(ww)
    for _ in range(3):
        ww("recheck", "wiresim", "--all")
    assert versions_per_article(ww) == before
    thirds = ww.sql("SELECT count(*) AS n FROM (SELECT article_id FROM fetches WHERE outcome = 'confirm' "
                    "GROUP BY article_id, run_id HAVING count(*) = 2)")[0]["n"]
    assert thirds > 0
    assert ww.sql("SELECT count(*) AS n FROM noise_evidence WHERE kind = 'label' AND reason = 'rotated'")[0]["n"] >= 1
    # every re-check ended unchanged, those confirmed too: none kept its raw capture, but a check
    # whose three captures repeated one teaser (the crawler saw a change; the write, counting its
    # batch's rotation, did not: its captures were written before that decision)
    assert ww.sql("SELECT count(*) AS n FROM fetches f WHERE run_id > (SELECT min(run_id) FROM fetches) "
                  "AND warc_file IS NOT NULL AND (SELECT count(*) FROM fetches g WHERE g.run_id = f.run_id "
                  "AND g.article_id = f.article_id) < 3")[0]["n"] == 0


def test_a_recheck_judged_unchanged_keeps_no_raw_capture_and_an_edit_still_keeps_its_own(ww, sim, archive_file):
    """A page extracted in full (no region fingerprint) whose capture differs from the latest
    version only in a learned rotating line: its raw bytes are held until the write decides, and
    dropped when it is unchanged (they were kept whole: most of the archive's bytes per rotating
    re-check). A capture the write calls a new version is still written to WARC, pointed at."""
    import duckdb
    from archive.store import Archive
    from archive.warc_read import read_response
    sim.conditional = False
    ww("crawl", "wiresim")
    for _ in range(2):
        ww("recheck", "wiresim", "--all")
    assert any(r["learned"] and r["kind"] == "label" for r in json.loads(ww("noise", "wiresim", "--format", "json").stdout))
    # the label was learned from checks whose confirmation showed another teaser: those held their
    # raw captures too (a check of three is one whose two captures repeated a teaser by chance)
    assert ww.sql("SELECT count(*) AS n FROM fetches WHERE outcome = 'confirm'")[0]["n"] > 0
    assert ww.sql("SELECT count(*) AS n FROM fetches f WHERE run_id > 1 AND warc_file IS NOT NULL AND "
                  "(SELECT count(*) FROM fetches g WHERE g.run_id = f.run_id AND g.article_id = f.article_id) < 3"
                  )[0]["n"] == 0
    with duckdb.connect(str(archive_file)) as con:     # as if no page had a region fingerprint
        con.execute("DELETE FROM article_probes")
    ww("recheck", "wiresim", "--all")
    run = ww.sql("SELECT max(run_id) AS r FROM fetches")[0]["r"]
    kept = ww.sql(f"SELECT outcome, count(*) AS n, count(warc_file) AS warc FROM fetches WHERE run_id = {run} GROUP BY ALL")
    assert {r["outcome"] for r in kept} == {"unchanged"} and sum(r["warc"] for r in kept) == 0
    aid = next(iter(versions_per_article(ww)))
    with duckdb.connect(str(archive_file)) as con:
        con.execute("DELETE FROM article_probes")
    sim.edit(aid.split(":")[1], "number")
    ww("recheck", "wiresim", "--all")
    (changed,) = ww.sql(f"SELECT url, warc_file, warc_offset FROM fetches WHERE article_id = '{aid}' AND outcome = 'changed'")
    _, body, uri, kind = read_response(Archive(archive_file).warc_dir, (changed["warc_file"], changed["warc_offset"]))
    assert kind == "response" and uri == changed["url"] and b"</html>" in body
