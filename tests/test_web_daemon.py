"""`wirewatch serve` beside `wirewatch run`: pages load in a loop while the daemon crawls wiresim
with edits on; not one page load fails, and the daemon loses nothing."""
from __future__ import annotations

import signal
import time

from support import start_daemon, wait_for, write_sim_seed
from test_daemon import FAST_RECHECK, article_requests
from websupport import Server

EDITS = ["number", "headline", "add_paragraph", "correction", "reword"]


def test_pages_load_beside_the_daemon_without_a_failure_and_nothing_is_lost(ww, sim, tmp_path):
    ww.seeds = write_sim_seed(tmp_path / "fast-seeds", sim.base_url, recheck=FAST_RECHECK)
    ids = sim.article_ids()
    edited = {ids[i]: kind for i, kind in enumerate(EDITS)}
    daemon = start_daemon(ww)
    server = None
    loads, failures = 0, []
    try:
        assert wait_for(lambda: ww.archive.exists(), 30, 0.1)
        server = Server(ww.archive, ww.seeds, "--no-access-log", log=tmp_path / "serve.log")
        pages = ["/", "/index.json", "/changes", "/changes.json?since=all", "/changes.atom",
                 "/sql?sql=SELECT+count(*)+FROM+versions", "/sql.json?sql=SELECT+*+FROM+changes"]
        pages += [f"/article/wiresim:{aid}" for aid in edited] + [f"/diff/wiresim:{aid}" for aid in edited]
        pages += ["/capture/1", "/capture/1.json"]

        def all_edits_caught() -> bool:
            reply = server.get("/sql.json?sql=SELECT+article_id,+versions+FROM+articles")
            versions = {a: v for a, v in reply.json()["rows"]} if reply.status == 200 else {}
            return all(versions.get(f"wiresim:{aid}") == 2 for aid in edited)

        def crawled() -> bool:     # the first crawl is in: every article has a page to load
            reply = server.get("/sql.json?sql=SELECT+count(*)+FROM+versions")
            return reply.status == 200 and reply.json()["rows"][0][0] >= len(ids)

        assert wait_for(crawled, 60, 0.2)
        # the agency edits once the first crawl is in, so every edit is a second version to catch
        sim.run_timeline([(1 + 2 * i, "edit", aid, kind) for i, (aid, kind) in enumerate(edited.items())])
        started = time.monotonic()
        while time.monotonic() - started < 120:
            for path in pages:
                reply = server.get(path)
                loads += 1
                if reply.status != 200:
                    failures.append((path, reply.status, reply.body[:300]))
            # at least 100 loads while the daemon writes, however busy the machine is
            if loads >= 100 and time.monotonic() - started > 12 and all_edits_caught():
                break
        daemon.send_signal(signal.SIGINT)
        out, _ = daemon.communicate(timeout=30)
    finally:
        if daemon.poll() is None:
            daemon.kill()
        log = server.stop() if server else ""
    assert failures == [], log[-3000:]
    assert loads >= 100
    assert daemon.returncode == 0, out[-3000:]
    # nothing lost: every article response the simulator served is a fetch row, every edit a version
    assert ww.sql("SELECT count(*) AS n FROM fetches")[0]["n"] == article_requests(sim)
    versions = {r["article_id"]: r["versions"] for r in ww.sql("SELECT article_id, versions FROM articles")}
    assert {aid: versions[f"wiresim:{aid}"] for aid in ids} == {aid: 2 if aid in edited else 1 for aid in ids}
