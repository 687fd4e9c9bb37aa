"""Notifications: real Apprise `json://` sends to a real HTTP receiver on loopback, from an archive
the real crawler wrote from wiresim; a receiver that is down for a while; the real daemon."""
from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from support import start_daemon, wait_for, write_sim_seed


class Receiver:
    """A webhook endpoint on 127.0.0.1 that keeps every JSON message; stop() and start() again on
    the same port make it down for a while."""

    def __init__(self):
        self.messages, self.port, self.server = [], 0, None

    def start(self):
        received = self.messages

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver().start()
    yield r
    r.stop()


def write_config(seeds_dir, *targets, base_url="http://view.example:8080"):
    lines = ["[notify]", f'base_url = "{base_url}"']
    for t in targets:
        lines += ["[[notify.targets]]"] + [f"{k} = {json.dumps(v)}" for k, v in t.items()]
    (seeds_dir.parent / "wirewatch.toml").write_text("\n".join(lines) + "\n")


def test_notify_test_sends_a_sample_to_each_target_and_fails_for_one_that_is_down(ww, receiver):
    write_config(ww.seeds, {"name": "desk", "url": f"json://127.0.0.1:{receiver.port}/"},
                 {"name": "nobody", "url": "json://127.0.0.1:9/"})
    proc = ww("notify", "--test", check=False)
    assert proc.returncode == 1 and "desk: sent" in proc.stdout and "nobody: FAILED" in proc.stdout
    (msg,) = receiver.messages
    assert "Test message" in msg["title"] and "2,800 → 3,000" in msg["message"]
    write_config(ww.seeds, {"url": "nonsense"})
    proc = ww("notify", check=False)
    assert proc.returncode == 1 and "notify.targets[0].url" in proc.stderr


def test_a_change_is_sent_once_with_figures_and_link_after_the_receiver_was_down(ww, sim, receiver):
    from archive.store import Archive
    from jobs import notify
    ww("crawl", "wiresim")                              # first captures: not announced
    write_config(ww.seeds, {"name": "desk", "url": f"json://127.0.0.1:{receiver.port}/"},
                 {"name": "headlines", "url": f"json://127.0.0.1:{receiver.port}/", "headline_only": True})
    config = notify.load_config(ww.seeds)
    aid = sim.article_ids()[0]
    edit = sim.edit(aid, "number")
    ww("recheck", "wiresim", "--all")
    archive = Archive(ww.archive)
    receiver.stop()                                     # down
    now = datetime.now(timezone.utc)
    report = notify.run_once(archive, config, now)
    assert report == {"queued": 1, "sent": 0, "failed": 1}   # only `desk` wants a figure change
    pending = ww.sql("SELECT target, state, attempts, last_error FROM notify_outbox")
    assert [(p["target"], p["state"], p["attempts"]) for p in pending] == [("desk", "pending", 1)]
    assert pending[0]["last_error"]
    assert notify.run_once(archive, config, now) == {"queued": 0, "sent": 0, "failed": 0}   # backing off
    receiver.start()                                    # up again, on the same port
    later = now + timedelta(minutes=5)
    assert notify.run_once(archive, config, later)["sent"] == 1
    assert notify.run_once(archive, config, later + timedelta(hours=2)) == {"queued": 0, "sent": 0, "failed": 0}
    (msg,) = receiver.messages
    assert f"wiresim:{aid}" not in msg["title"] and "v1→v2" in msg["title"] and "number" in msg["title"]
    assert f"{edit['old']} → {edit['new']}" in msg["message"]
    assert f"http://view.example:8080/diff/wiresim:{aid}?from=1&to=2" in msg["message"]
    assert ww.sql("SELECT state FROM notify_outbox")[0]["state"] == "sent"


def test_the_daemon_sends_changes_without_holding_up_crawls(ww, sim, receiver, tmp_path):
    ww.seeds = write_sim_seed(tmp_path / "fast", sim.base_url,
                              recheck='tiers = [["1h", "2s"]]\nmin_interval = "1s"\nbackoff_after = "1h"')
    write_config(ww.seeds, {"name": "desk", "url": f"json://127.0.0.1:{receiver.port}/", "classes": ["headline"]})
    ww("crawl", "wiresim")
    ids = sim.article_ids()
    daemon = start_daemon(ww)
    try:
        sim.edit(ids[0], "headline", headline="Talks collapse in Geneva")
        sim.edit(ids[1], "number")                     # filtered out: not a headline change
        assert wait_for(lambda: len(receiver.messages) >= 1, 60)
        assert wait_for(lambda: ww.sql("SELECT count(*) AS n FROM versions WHERE version = 2")[0]["n"] == 2, 30)
    finally:
        daemon.terminate()
        daemon.communicate(timeout=30)
    assert [m["title"].split(" (")[0] for m in receiver.messages] == ["wiresim: Talks collapse in Geneva"]
    assert ww.sql("SELECT count(*) AS n FROM notify_outbox WHERE state = 'sent'")[0]["n"] == 1
