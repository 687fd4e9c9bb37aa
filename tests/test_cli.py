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


def test_sources_shows_discovery_and_languages_and_check_reports_per_seed(ww, tmp_path):
    shipped = str(ROOT / "seeds")
    listed = {s["name"]: s for s in json.loads(ww("sources", "--seeds", shipped, "--format", "json").stdout)}
    assert listed["unian"]["language"] == "ru, uk" and listed["interfax"]["discovery"] == "1 feed, 1 sitemap, 2 pages"
    assert listed["ap"]["sitemaps"] == 2 and listed["ap"]["feeds"] == 0
    checked = json.loads(ww("sources", "--check", "--seeds", shipped, "--format", "json").stdout)
    assert len(checked) == len(listed) >= 15 and {r["result"] for r in checked} == {"ok"}

    mixed = tmp_path / "mixed"
    mixed.mkdir()
    (mixed / "tass.toml").write_text((ROOT / "seeds" / "tass.toml").read_text())
    drifted = (ROOT / "seeds" / "kyodo.toml").read_text().replace('"kyodo"', '"drifted"', 1)
    (mixed / "drifted.toml").write_text(drifted.replace("articles/-/\\d+", "articles/\\d+"))   # the site moved on
    proc = ww("sources", "--check", "--seeds", str(mixed), "--format", "csv", check=False)
    one_line_error(proc, "1 of 2 seeds failed the check: drifted")
    rows = {line.split(",")[0]: line for line in proc.stdout.splitlines()[1:]}
    assert rows["tass"].startswith("tass,ok,")
    assert "FAILED" in rows["drifted"] and "https://english.kyodonews.net/articles/-/62626 does not match article.pattern" in rows["drifted"]
    assert ww("sources", "--check", "tass", "--seeds", str(mixed)).returncode == 0
    one_line_error(ww("sources", "--check", "nope", "--seeds", str(mixed), check=False), "unknown source 'nope'")


def test_extract_tries_a_seed_on_a_saved_page(ww, tmp_path):
    agencies = ROOT.parent / "shared" / "corpus" / "agencies"
    if not agencies.is_dir():
        pytest.skip(f"saved agency pages not found at {agencies}")
    shipped = str(ROOT / "seeds")
    article = ww("extract", str(agencies / "kyodo/english.kyodonews.net_article_ed0a2c69b94b_2020-07-17.html"),
                 "--source", "kyodo", "--seeds", shipped, "--format", "json")
    data = json.loads(article.stdout)
    assert data["title"] == "China's Xi visits Wuhan for 1st time since virus outbreak"
    assert data["published_at"] == "2020-03-10T16:46:00+09:00" and data["text"].count("\n") > 20
    links = ww("extract", str(agencies / "yonhap/en.yna.co.kr_homepage_2020-06-16.html"), "--source", "yonhap",
               "--links", "--seeds", shipped)
    assert links.stdout.strip().endswith("15 articles on https://en.yna.co.kr/ for yonhap")
    bare = tmp_path / "bare.html"
    bare.write_text("<html><body><p>no address anywhere</p></body></html>")
    one_line_error(ww("extract", str(bare), "--source", "kyodo", "--seeds", shipped, check=False), "give --url")
