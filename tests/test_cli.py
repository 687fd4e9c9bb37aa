"""The command line as a user meets it: formats, and bad input as one line with exit code 1."""
from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from support import ROOT


@pytest.fixture
def crawled(ww, sim):
    ww("crawl", "wiresim")
    ids = sim.article_ids()
    sim.edit(ids[0], "number")
    ww("recheck", "wiresim", "--all")
    sim.edit(ids[0], "headline")
    ww("recheck", "wiresim", "--all")
    return ids


def one_line_error(proc, *words):
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("wirewatch: error:"), proc.stderr
    for word in words:
        assert word in lines[0], lines[0]
    assert "Traceback" not in proc.stderr


def test_bad_input_is_one_line_and_exit_1(ww, crawled, tmp_path):
    one_line_error(ww("crawl", "nosuchsource", check=False), "unknown source", "nosuchsource")
    one_line_error(ww("history", "http://127.0.0.1:1/nowhere/1/x", check=False), "no article")
    one_line_error(ww("diff", "wiresim:99999", check=False), "no article")
    one_line_error(ww("diff", f"wiresim:{crawled[0]}", "--from", "7", check=False), "no version 7")
    one_line_error(ww("sql", "SELEC nonsense", check=False), "syntax")
    one_line_error(ww("sql", "SELECT * FROM no_such_table", check=False), "no_such_table")
    one_line_error(ww("sql", "DELETE FROM versions", check=False), "read-only")
    one_line_error(ww("sql", "DROP TABLE versions", check=False), "read-only")
    assert ww.sql("SELECT count(*) AS n FROM versions")[0]["n"] == len(crawled) + 2   # nothing lost
    one_line_error(ww("sql", "SELECT 1", "--archive", str(tmp_path / "missing.duckdb"), check=False), "no archive")
    bad = tmp_path / "bad-seeds"
    bad.mkdir()
    (bad / "broken.toml").write_text('name = "broken"\ndomains = ["x.org"]\n[discover]\nfeeds = ["https://x.org/rss"]\n'
                                     '[article]\npattern = "^https://x.org/(\\\\d+"\n')
    one_line_error(ww("sources", "--seeds", str(bad), check=False), "broken.toml", "article.pattern")
    assert ww("frobnicate", check=False).returncode == 2
    assert ww("sql", check=False).returncode == 2


def test_locked_archive_is_one_line_after_waiting(ww, crawled):
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('held', flush=True); time.sleep(30)", str(ww.archive)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        proc = ww("sql", "SELECT 1", check=False, env={"WIREWATCH_LOCK_WAIT": "1.5"})
        one_line_error(proc, "locked")
        assert time.monotonic() - started >= 1.5
    finally:
        holder.kill()
        holder.wait()
    assert ww("sql", "SELECT 1").returncode == 0


def test_output_formats(ww, crawled):
    aid = f"wiresim:{crawled[0]}"
    csv_out = ww("sql", "SELECT article_id, versions FROM articles ORDER BY article_id", "--format", "csv").stdout
    assert csv_out.splitlines()[0] == "article_id,versions" and f"{aid},3" in csv_out
    table = ww("sql", "SELECT article_id FROM articles").stdout
    assert aid in table
    hist = json.loads(ww("history", aid, "--format", "json").stdout)
    assert [v["version"] for v in hist["versions"]] == [1, 2, 3]
    unified = ww("diff", aid, "--format", "unified").stdout
    assert unified.startswith("---") or "@@" in unified
    data = json.loads(ww("diff", aid, "--from", "1", "--to", "2", "--format", "json").stdout)
    assert data["ops"] and any(op["tag"] != "equal" for op in data["ops"])
    html = ww("diff", aid, "--format", "html").stdout
    assert html.lstrip().lower().startswith("<!doctype html")
    terminal = ww("diff", aid).stdout
    assert terminal.strip()
    status = json.loads(ww("status", "--format", "json").stdout)
    assert {s["source"] for s in status} == {"wiresim"}


def test_scrapy_list_and_crawl_work_from_the_repo_root(ww, sim, tmp_path):
    env = {"WIREWATCH_SEEDS": str(ww.seeds), "WIREWATCH_ARCHIVE": str(ww.archive)}
    import os
    full = dict(os.environ, **env)
    listed = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=ROOT, env=full, capture_output=True, text=True)
    assert listed.stdout.split() == ["wiresim"], listed.stderr[-2000:]
    crawl = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "wiresim"], cwd=ROOT, env=full,
                           capture_output=True, text=True, timeout=120)
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert ww.sql("SELECT count(*) AS n FROM versions")[0]["n"] == len(sim.article_ids())
    # politeness: robots.txt asked first, nothing it forbids was fetched, an honest User-Agent
    paths = [p for _, p, _ in sim.requests]
    assert paths[0] == "/robots.txt"
    assert not any(p.startswith(("/private", "/_admin")) for p in paths)
