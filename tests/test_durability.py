"""Nothing lost: a reader holding the archive past the wait, kill -9 between the WARC write and the
commit, and a crawl killed after discovery — each followed by the next run, on a real archive."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from archive.journal import Journal
from support import ROOT

from test_archive import T0, fetch, snap
from test_daemon import article_requests


def versions_per_article(ww):
    return {r["article_id"]: r["versions"] for r in ww.sql("SELECT article_id, versions FROM articles")}


def hold_archive(path, seconds: float) -> subprocess.Popen:
    """A stock duckdb session holding the file (read-only is enough to lock every writer out)."""
    code = (f"import duckdb, time, sys; con = duckdb.connect({str(path)!r}, read_only=True); "
            f"print('held', flush=True); time.sleep({seconds})")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_journal_keeps_rows_in_order_across_segments_and_ignores_a_torn_tail(tmp_path):
    journal = Journal(tmp_path / "a.duckdb", "s")
    assert journal.sealed() == []
    journal.append([(1, fetch(0, snapshot=snap()))])
    journal.seal()
    journal.append([(1, fetch(5))])
    journal.append([(2, fetch(9))])
    with open(journal.open_path, "ab") as fh:      # the process died while appending
        fh.write(b"\x00\x00\x10\x00garbage")
    journal._fh = None                              # ... and never sealed its segment
    # the next process seals the dead one's segment; a live process's open segment is left alone
    dead = journal.dir / "open-999999999.seg"
    journal.open_path.rename(dead)
    Journal(tmp_path / "a.duckdb", "s").recover()
    got = Journal.read(journal.sealed())
    assert [(run, r.fetched_at) for run, r in got] == [(1, T0), (1, fetch(5).fetched_at), (2, fetch(9).fetched_at)]
    assert got[0][1].snapshot.text == snap().text
    Journal.remove(journal.sealed())
    assert journal.sealed() == []


def test_a_reader_holding_the_archive_past_the_wait_loses_nothing(ww, sim):
    ww("crawl", "wiresim")
    ids = sim.article_ids()
    for aid, kind in zip(ids, ["number", "headline", "add_paragraph"]):
        sim.edit(aid, kind)
    sim.fault("*", "slow", seconds=0.4)      # a crawl long enough for the reader to arrive mid-way
    env = dict(os.environ, WIREWATCH_ARCHIVE=str(ww.archive), WIREWATCH_SEEDS=str(ww.seeds), WIREWATCH_LOCK_WAIT="1")
    before = sim.request_count()
    crawl = subprocess.Popen([sys.executable, "-m", "wirewatch.cli", "recheck", "wiresim", "--all"], env=env, cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 30
    while sim.request_count() < before + 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    reader = hold_archive(ww.archive, 12)
    out, _ = crawl.communicate(timeout=120)
    reader.wait(timeout=30)
    sim.clear_faults()
    journal = Journal(ww.archive, "wiresim")
    assert journal.sealed(), out[-3000:]       # the crawl could not write: its fetches are on disk
    # the next run of the source writes them first, exactly once
    ww("recheck", "wiresim", "--all")
    assert journal.sealed() == []
    # every article response the simulator served is a fetch row, none twice
    assert ww.sql("SELECT count(*) AS n FROM fetches")[0]["n"] == article_requests(sim)
    got = versions_per_article(ww)
    for aid in ids[:3]:
        assert got[f"wiresim:{aid}"] == 2
    for aid in ids[3:]:
        assert got[f"wiresim:{aid}"] == 1
    dup = ww.sql("SELECT count(*) - count(DISTINCT capture_id) AS d FROM fetches")[0]["d"]
    assert dup == 0


def test_kill_9_after_discovery_loses_no_article(ww, sim):
    """Discovered articles are in the frontier before they are requested: a crawl killed after
    discovery (here: while every article request hangs) leaves them there, and the next run
    fetches them."""
    for aid in sim.article_ids():
        sim.fault(aid, "slow", seconds=30)
    env = dict(os.environ, WIREWATCH_ARCHIVE=str(ww.archive), WIREWATCH_SEEDS=str(ww.seeds))
    crawl = subprocess.Popen([sys.executable, "-m", "wirewatch.cli", "crawl", "wiresim"], env=env, cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if ww.archive.exists():
                try:
                    if ww.sql("SELECT count(*) AS n FROM frontier")[0]["n"] >= len(sim.article_ids()):
                        break
                except AssertionError:
                    pass
            time.sleep(0.2)
        crawl.send_signal(signal.SIGKILL)
    finally:
        crawl.wait(timeout=30)
    assert ww.sql("SELECT count(*) AS n FROM articles")[0]["n"] == 0
    sim.clear_faults()
    # even when no listing shows them any more, the next run fetches them
    sim.fault("/rss.xml", "500")
    sim.fault("/sitemap*", "500")
    sim.fault("/", "500")
    sim.fault("/section/*", "500")
    ww("crawl", "wiresim")
    assert set(versions_per_article(ww)) == {f"wiresim:{a}" for a in sim.article_ids()}
    assert ww.sql("SELECT count(*) AS n FROM frontier")[0]["n"] == 0


def test_sigkill_at_20_random_points_loses_and_duplicates_nothing():
    """The crash campaign (bench/crashes.py): the crawler and the daemon killed at 20 random
    points with edits in flight — some between the WARC write and the commit — then restarted."""
    from bench.crashes import run
    result = run(kills=20, articles=8, seed=7, longest=3.0)
    assert result["problems"] == [], result
    assert result["kills_between_warc_and_commit"] >= 1, result
    assert result["versions"] > result["articles"]          # edits were caught along the way


def test_a_warc_write_failure_still_records_every_fetch(ww, sim):
    """The WARC directory cannot be written (here a file is in its way; a full disk is the same
    OSError): every fetch and version is still recorded, saying its raw capture was not kept."""
    ww.archive.parent.mkdir(parents=True, exist_ok=True)
    (ww.archive.parent / "warc").write_text("not a directory")
    ww("crawl", "wiresim")
    rows = ww.sql("SELECT outcome, warc_file, error FROM fetches")
    assert len(rows) == len(sim.article_ids())
    assert all(r["outcome"] == "new" and r["warc_file"] is None and r["error"].startswith("raw capture not kept")
               for r in rows), rows[:2]
    assert ww.sql("SELECT count(*) AS n FROM versions")[0]["n"] == len(sim.article_ids())
