"""Three `wirewatch run` workers as separate processes share one archive on PostgreSQL + DuckLake:
three wiresim sources with edits on a timeline, readers querying all along, and one worker killed
with SIGKILL mid-run. Every edit is archived once, no article is lost, no article is fetched by
two workers in one cycle, politeness holds across the workers, and no read fails."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import defaultdict

import pytest

from bench.proctree import stop_processes
from sharedsupport import postgres_server, sim_seed
from support import ROOT, Wirewatch, wait_for

RECHECK = ('tiers = [["1h", "3s"]]\nmin_interval = "3s"\nbackoff_after = "1h"\nmax_interval = "1h"\n'
           'confirm_gone_after = "3s"\ngone_interval = "5s"')
DELAY = 0.3          # seconds between requests to one source, whoever sends them
LEASE_TTL = "10"     # seconds: a killed worker's sources go to the others after this


@pytest.fixture(scope="module")
def pg():
    server = postgres_server()
    yield server
    server.stop()


def _worker(ww: Wirewatch, env: dict, log):
    cmd = [sys.executable, "-m", "wirewatch.cli", "run", "--recheck-every", "1s", "--discover-every", "3s",
           "--jitter", "0", "--maintenance-every", "5s"]
    return subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, text=True)


READER = """
import subprocess, sys, time
ok = failed = 0
end = time.monotonic() + float(sys.argv[1])
queries = [["sql", "SELECT count(*) FROM versions"], ["changes", "--format", "json"], ["status", "--format", "json"],
           ["history", "sim_a:1001", "--format", "json"], ["search", "the"],
           ["sql", "SELECT a.source, count(*) FROM fetches f JOIN articles a USING (article_id) GROUP BY 1"]]
while time.monotonic() < end:
    for q in queries:
        p = subprocess.run([sys.executable, "-m", "wirewatch.cli", *q], capture_output=True, text=True)
        if p.returncode == 0 or "no article" in p.stderr:
            ok += 1
        else:
            failed += 1
            print("FAILED", q, p.stderr.strip()[-300:], flush=True)
print("ok", ok, "failed", failed)
"""


def test_three_workers_share_the_work_and_survive_a_kill(pg, tmp_path):
    from wiresim import WireSim
    url = pg.create_database("workers")
    data = tmp_path / "shared"
    sims = {name: WireSim(articles=5, seed=i + 1) for i, name in enumerate(("sim_a", "sim_b", "sim_c"))}
    for sim in sims.values():
        sim.__enter__()
    try:
        seeds = tmp_path / "seeds"
        for name, sim in sims.items():
            sim_seed(seeds, name, sim.base_url, recheck=RECHECK,
                     crawl=f'delay = "{DELAY}s"\nconcurrency = 1\nautothrottle = false')
        ww = Wirewatch(url, seeds)
        env = dict(os.environ, WIREWATCH_ARCHIVE=url, WIREWATCH_SEEDS=str(seeds), WIREWATCH_DATA_PATH=str(data),
                   WIREWATCH_LEASE_TTL=LEASE_TTL, PYTHONUNBUFFERED="1")
        # One edit per article, spread over the run (a second edit of one article could fall between
        # two checks, and the test counts exactly one new version per edit).
        # (the timeline starts once every article is archived: an edit before the first capture
        # would be part of version 1)
        edits, timelines = {}, {}
        kinds = ["number", "headline", "add_paragraph", "reword", "correction"]
        for i, (name, sim) in enumerate(sims.items()):
            ids = sim.article_ids()
            timelines[name] = [(1 + 3 * j + i, "edit", aid, kinds[j % len(kinds)]) for j, aid in enumerate(ids[:4])]
            edits.update({f"{name}:{aid}": 1 for aid in ids[:4]})
            edits.update({f"{name}:{aid}": 0 for aid in ids[4:]})
        logs = [open(tmp_path / f"worker{n}.log", "w") for n in range(3)]
        workers = [_worker(ww, env, logs[n]) for n in range(3)]
        reader = None
        try:
            def discovered() -> bool:
                if all(w.poll() is not None for w in workers):
                    raise RuntimeError("every worker exited:\n" + _logs(tmp_path))
                return ww.sql("SELECT count(*) AS n FROM articles")[0]["n"] == 15
            assert wait_for(discovered, 90, 0.5), _logs(tmp_path)
            for name, sim in sims.items():
                sim.run_timeline(timelines[name])
            reader = subprocess.Popen([sys.executable, "-c", READER, "40"], env=env, cwd=ROOT,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            time.sleep(6)
            victim = _busiest(ww, workers)
            workers[victim].send_signal(signal.SIGKILL)
            workers[victim].wait(timeout=10)

            def all_edits_in() -> bool:
                got = {r["article_id"]: r["versions"] for r in ww.sql("SELECT article_id, versions FROM articles")}
                return all(got.get(aid) == 1 + n for aid, n in edits.items())
            if not wait_for(all_edits_in, 120, 1):
                got = {r["article_id"]: r["versions"] for r in ww.sql("SELECT article_id, versions FROM articles")}
                missing = {aid: (got.get(aid), 1 + n) for aid, n in edits.items() if got.get(aid) != 1 + n}
                errors = ww.sql("SELECT article_id, outcome, version, error FROM fetches WHERE error IS NOT NULL")
                raise AssertionError(f"versions (found, expected): {missing}\nerrors: {errors}\n{_logs(tmp_path)}")
            # the killed worker's unfinished runs are closed by a survivor's maintenance once its
            # heartbeat is older than its lease
            victim_id = f"{socket.gethostname()}:{workers[victim].pid}"
            assert wait_for(lambda: ww.sql(f"SELECT count(*) AS n FROM runs WHERE outcome = 'running' "
                                           f"AND worker = '{victim_id}'")[0]["n"] == 0, 60, 1), _logs(tmp_path)
            status = json.loads(ww("status", "--workers", "--format", "json").stdout)
            sources = json.loads(ww("status", "--format", "json").stdout)
            out, _ = reader.communicate(timeout=120)
        finally:
            stop_processes(workers, timeout=40)
            if reader is not None and reader.poll() is None:
                reader.kill()
            for log in logs:
                log.close()
        survivors = [w for n, w in enumerate(workers) if n != victim]
        assert all(w.returncode == 0 for w in survivors), _logs(tmp_path)

        # readers never failed while the workers wrote
        last = out.strip().splitlines()[-1]
        assert last.startswith("ok ") and last.endswith(" failed 0"), out[-3000:]

        # every edit archived once, no article lost, no version twice
        versions = {r["article_id"]: r["versions"] for r in ww.sql("SELECT article_id, versions FROM articles")}
        assert versions == {aid: 1 + n for aid, n in edits.items()}
        rows = ww.sql("SELECT article_id, count(*) AS n, max(version) AS top FROM versions GROUP BY 1")
        assert {r["article_id"]: (r["n"], r["top"]) for r in rows} == {aid: (1 + n, 1 + n) for aid, n in edits.items()}
        dupes = ww.sql("""SELECT f.capture_id, f.fetch_id, f.run_id, r.worker, r.job, f.fetched_at, f.outcome, f.article_id
                          FROM fetches f JOIN runs r USING (run_id) WHERE capture_id IN
                          (SELECT capture_id FROM fetches GROUP BY 1 HAVING count(*) > 1) ORDER BY 1, 2""")
        assert dupes == [], "\n".join([f"killed pid {workers[victim].pid}"] + [
            f"{d['capture_id'][:8]} fetch {d['fetch_id']} run {d['run_id']} {d['worker']} {d['job']} {d['outcome']} "
            f"{d['article_id']} {d['fetched_at']}" for d in dupes]) + _logs(tmp_path)
        assert ww.sql("SELECT count(*) - count(DISTINCT fetch_id) AS d FROM fetches")[0]["d"] == 0
        # every version logged once, in one order (what the search index and notifications follow)
        log = ww.sql("SELECT count(*) AS n, count(DISTINCT seq) AS seqs, count(DISTINCT (article_id, version)) AS v "
                     "FROM version_log")[0]
        assert log["n"] == log["seqs"] == log["v"] == sum(1 + n for n in edits.values())

        # the work was shared, and no article was fetched by two workers within one re-check cycle
        fetches = ww.sql("""SELECT f.article_id, f.fetched_at, r.worker FROM fetches f JOIN runs r USING (run_id)
                            WHERE f.article_id IS NOT NULL AND f.outcome <> 'confirm' ORDER BY 1, 2""")
        assert len({f["worker"] for f in fetches}) >= 2
        by_article = defaultdict(list)
        for f in fetches:
            by_article[f["article_id"]].append(f)
        for aid, rows in by_article.items():
            for a, b in zip(rows, rows[1:]):
                if a["worker"] != b["worker"]:
                    gap = _seconds(b["fetched_at"]) - _seconds(a["fetched_at"])
                    assert gap >= 2.5, (aid, a, b)

        # politeness per publisher across all workers: Scrapy spaces requests 0.5–1.5 × the delay
        # (measured here when each response left the simulator, so allow for its jitter: two
        # crawlers at once would put requests milliseconds apart)
        for name, sim in sims.items():
            times = sorted(sim.request_times)
            gaps = [b - a for a, b in zip(times, times[1:])]
            paths = [p for _, p, _ in sim.requests]
            order = sorted(range(len(times)), key=lambda k: sim.request_times[k])
            close = [(paths[order[k]], paths[order[k + 1]], round(gaps[k], 3)) for k in range(len(gaps))
                     if gaps[k] < 0.3 * DELAY]
            assert not close, (name, close)

        # status showed the workers and their leases; the killed one is no longer alive
        shown = {w["worker_id"]: w for w in status}
        assert len(shown) == 3 and sum(1 for w in shown.values() if w["alive"]) == 2, status
        assert {s["source"] for s in sources} == set(sims) and all("crawling_on" in s for s in sources)
        # (the killed worker's runs were closed above; a run a survivor was just starting when SIGTERM
        # came can stay 'running' until the next start closes it: a daemon shutdown defect of its
        # own, in the session note, not what this test is about)
    finally:
        for sim in sims.values():
            sim.__exit__(None, None, None)


def _seconds(value) -> float:
    from datetime import datetime
    return datetime.fromisoformat(str(value)).timestamp()


def _busiest(ww: Wirewatch, workers) -> int:
    """The worker holding a source lease (or that ran the most runs): the one to kill."""
    pids = {w.pid: n for n, w in enumerate(workers)}
    rows = ww.sql("SELECT worker, count(*) AS n FROM runs WHERE worker IS NOT NULL GROUP BY 1 ORDER BY n DESC")
    for row in rows:
        pid = int(row["worker"].rsplit(":", 1)[1])
        if pid in pids:
            return pids[pid]
    return 1


def _logs(tmp_path) -> str:
    return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted(tmp_path.glob("worker*.log")))
