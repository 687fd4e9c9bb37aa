"""`wirewatch run` as a real process: the real scheduler and Scrapy on one reactor, wiresim with
edits on a timeline, SIGTERM, kill -9 and restart, and readers in other processes beside it."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from support import ROOT, start_daemon, wait_for, write_sim_seed

# Short intervals so a test sees several re-check rounds: every article is due every 2 seconds.
FAST_RECHECK = ('tiers = [["1h", "2s"]]\nmin_interval = "1s"\nbackoff_after = "1h"\n'
                'max_interval = "1h"\nconfirm_gone_after = "2s"\ngone_interval = "5s"')


@pytest.fixture
def fast_seeds(tmp_path, sim):
    return write_sim_seed(tmp_path / "fast-seeds", sim.base_url, recheck=FAST_RECHECK)


def article_requests(sim) -> int:
    return sum(1 for _, path, _ in sim.requests if path.count("/") == 3 and not path.startswith(("/section", "/tag")))


def test_run_once_runs_every_job_and_exits(ww, sim):
    proc = ww("run", "--once")
    assert "wiresim crawl: ok" in proc.stderr
    runs = ww.sql("SELECT job, outcome FROM runs ORDER BY run_id")
    assert [r["job"] for r in runs] == ["crawl", "maintenance"]   # nothing is due yet: no recheck run
    assert all(r["outcome"] == "ok" for r in runs)
    assert ww.sql("SELECT count(*) AS n FROM versions")[0]["n"] == len(sim.article_ids())


def test_daemon_catches_edits_on_a_timeline_and_stops_cleanly_on_sigterm(ww, sim, fast_seeds):
    ww.seeds = fast_seeds
    ids = sim.article_ids()
    sim.run_timeline([(4, "edit", ids[0], "headline"), (6, "edit", ids[1], "number"), (8, "pull", ids[2]),
                      (9, "change_slug", ids[3]), (10, "edit", ids[4], "add_paragraph")])
    daemon = start_daemon(ww)
    try:
        assert wait_for(lambda: ww.sql("SELECT count(*) AS n FROM versions WHERE version = 2")[0]["n"] >= 3
                        and ww.sql("SELECT count(*) AS n FROM articles WHERE status = 'gone'")[0]["n"] == 1, 60)
        live = json.loads(ww("status", "--format", "json").stdout)[0]
        assert live["next_discovery"] and live["next_recheck"] and live["last_discovery"]
        started = time.monotonic()
        daemon.send_signal(signal.SIGTERM)
        out, _ = daemon.communicate(timeout=30)
        assert daemon.returncode == 0, out[-3000:]
        assert time.monotonic() - started < 15
    finally:
        if daemon.poll() is None:
            daemon.kill()
    assert "stopped" in out
    versions = {r["article_id"]: r["versions"] for r in ww.sql("SELECT article_id, versions FROM articles")}
    for aid in (ids[0], ids[1], ids[4]):
        assert versions[f"wiresim:{aid}"] == 2
    for aid in ids[5:]:
        assert versions[f"wiresim:{aid}"] == 1          # rechecked many times, never a spurious version
    assert ww.sql("SELECT count(*) AS n FROM runs WHERE outcome = 'running'")[0]["n"] == 0
    jobs = {r["job"] for r in ww.sql("SELECT DISTINCT job FROM runs")}
    assert jobs == {"crawl", "recheck"}
    status = json.loads(ww("status", "--format", "json").stdout)[0]
    assert status["tracked"] == len(ids) and status["gone"] == 1 and status["last_recheck"]
    assert status["next_discovery"] is None        # no daemon, no next run


def _responses(warc_dir: Path, url: str) -> int:
    """Whole response records for `url` in the WARC files (a record still being written is not)."""
    from warcio.archiveiterator import ArchiveIterator
    found = 0
    for path in sorted(warc_dir.rglob("*.warc.gz")):
        try:
            with open(path, "rb") as stream:
                for record in ArchiveIterator(stream):
                    if record.rec_type == "response" and record.rec_headers.get_header("WARC-Target-URI") == url:
                        record.content_stream().read()
                        found += 1
        except Exception:          # a torn tail: the records before it are counted
            continue
    return found


def test_restart_after_kill_9_loses_and_duplicates_nothing(ww, sim, fast_seeds):
    ww.seeds = fast_seeds
    ww("crawl", "wiresim")
    ids = sim.article_ids()
    sim.edit(ids[0], "number")
    for aid in ids[1:]:
        sim.fault(aid, "slow", seconds=3)       # the edited article answers at once, the rest later
    url = sim.article_url(ids[0])
    warc_dir = ww.archive.parent / "warc"
    captured = _responses(warc_dir, url)
    daemon = start_daemon(ww)
    # kill it right after the edit's capture is in the journal and in WARC, before its commit. The
    # journal row is written before the WARC record (so no record is ever left that no row points
    # at): waiting for the journal alone killed it between the two now and then, and then the
    # capture is lost by design (tests/test_warc_kill.py covers that window)
    journal = Path(str(ww.archive) + ".journal") / "wiresim"
    assert wait_for(lambda: any(p.stat().st_size for p in journal.glob("*.seg"))
                    and _responses(warc_dir, url) > captured, 60, 0.02)
    daemon.send_signal(signal.SIGKILL)
    daemon.wait(timeout=10)
    sim.clear_faults()
    ww("run", "--once")            # the restart: picks up from the archive
    versions = {r["article_id"]: r["versions"] for r in ww.sql("SELECT article_id, versions FROM articles")}
    assert versions[f"wiresim:{ids[0]}"] == 2          # the edit made before the kill is not lost
    assert all(versions[f"wiresim:{aid}"] == 1 for aid in ids[1:])
    dupes = ww.sql("SELECT article_id, version, count(*) AS n FROM versions GROUP BY ALL HAVING n > 1")
    assert dupes == []
    runs = ww.sql("SELECT job, outcome, error FROM runs WHERE outcome = 'interrupted'")
    assert "recheck" in [r["job"] for r in runs] and all("ended before" in r["error"] for r in runs)
    # the capture the killed daemon had journaled was written once, by the restart
    assert ww.sql("SELECT count(*) - count(DISTINCT capture_id) AS d FROM fetches")[0]["d"] == 0
    # and the archive is whole: the stock client opens it, every version's capture points at a WARC
    # record, and so does every fetch but those of checks that ended unchanged (no raw needed)
    assert ww.sql("SELECT count(*) AS n FROM versions v JOIN fetches f USING (fetch_id) WHERE f.warc_file IS NULL")[0]["n"] == 0
    assert ww.sql("SELECT count(*) AS n FROM fetches WHERE warc_file IS NULL AND http_status IS NOT NULL "
                  "AND outcome NOT IN ('unchanged', 'confirm')")[0]["n"] == 0
    assert ww.sql("SELECT count(*) AS n FROM fetches c WHERE c.outcome = 'confirm' AND c.warc_file IS NULL AND EXISTS "
                  "(SELECT 1 FROM fetches f WHERE f.run_id = c.run_id AND f.article_id = c.article_id "
                  "AND f.outcome IN ('new', 'changed'))")[0]["n"] == 0


def test_readers_beside_the_daemon_never_fail_and_nothing_is_lost(ww, sim, fast_seeds, tmp_path):
    """A reader process queries in a loop for a minute while the daemon crawls with edits on."""
    ww.seeds = fast_seeds
    ids = sim.article_ids()
    sim.run_timeline([(5 + 5 * i, "edit", ids[i % len(ids)], kind)
                      for i, kind in enumerate(["number", "headline", "add_paragraph", "reword", "correction",
                                                "number", "byline", "headline", "number", "remove_paragraph"])])
    daemon = start_daemon(ww)
    reader = tmp_path / "reader.py"
    reader.write_text("""
import subprocess, sys, time, os
ok = failed = 0
end = time.monotonic() + 60
queries = [["sql", "SELECT count(*) FROM versions"], ["status"], ["sql", "SELECT * FROM changes", "--format", "json"]]
while time.monotonic() < end:
    for q in queries:
        p = subprocess.run([sys.executable, "-m", "wirewatch.cli", *q], capture_output=True, text=True)
        if p.returncode == 0: ok += 1
        else:
            failed += 1
            print("FAILED", q, p.stderr.strip()[:300], flush=True)
print("ok", ok, "failed", failed)
""")
    env = dict(os.environ, WIREWATCH_ARCHIVE=str(ww.archive), WIREWATCH_SEEDS=str(ww.seeds))
    try:
        assert wait_for(lambda: ww.archive.exists(), 30, 0.1)
        result = subprocess.run([sys.executable, str(reader)], env=env, cwd=ROOT, capture_output=True, text=True, timeout=180)
        daemon.send_signal(signal.SIGINT)
        out, _ = daemon.communicate(timeout=30)
    finally:
        if daemon.poll() is None:
            daemon.kill()
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("ok ") and last.endswith(" failed 0"), result.stdout[-2000:]
    assert int(last.split()[1]) > 20
    assert daemon.returncode == 0, out[-3000:]
    # nothing lost: every article response the simulator served is a fetch row
    assert ww.sql("SELECT count(*) AS n FROM fetches")[0]["n"] == article_requests(sim)
    # every edit caught, none invented (two edits of one article can fall between checks, so count
    # versions per article against edits per article as an upper bound and at least one each)
    edited = {}
    for i in range(10):
        edited[ids[i % len(ids)]] = edited.get(ids[i % len(ids)], 0) + 1
    versions = {r["article_id"]: r["versions"] for r in ww.sql("SELECT article_id, versions FROM articles")}
    for aid in ids:
        n = edited.get(aid, 0)
        got = versions[f"wiresim:{aid}"] - 1
        assert (1 <= got <= n) if n else got == 0, (aid, n, got)


def test_a_second_daemon_on_the_same_archive_is_refused(ww, sim, fast_seeds):
    ww.seeds = fast_seeds
    daemon = start_daemon(ww)
    try:
        assert wait_for(lambda: ww.sql("SELECT count(*) AS n FROM runs")[0]["n"] >= 1, 60, 0.2)
        second = ww("run", "--once", check=False)
        assert second.returncode == 1 and "already running" in second.stderr
        assert second.stderr.strip().count("\n") == 0
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.communicate(timeout=30)
    assert ww("run", "--once").returncode == 0      # the lock went with the first daemon
