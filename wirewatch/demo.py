"""`make demo`: crawl the bundled simulator, let it edit stories, re-check, show what was caught.

Everything runs on 127.0.0.1. The archive is left in data/demo/ for exploring with `wirewatch sql`.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from wiresim import WireSim

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"


def _say(text: str) -> None:
    print(f"\n\033[1m== {text}\033[0m", flush=True)


def _ww(*args: str, env: dict) -> None:
    print(f"$ wirewatch {' '.join(args)}", flush=True)
    subprocess.run([sys.executable, "-m", "wirewatch.cli", *args], env=env, cwd=ROOT, check=True)


def main() -> None:
    started = time.monotonic()
    shutil.rmtree(DEMO, ignore_errors=True)
    seeds = DEMO / "seeds"
    seeds.mkdir(parents=True)
    corpus = ROOT.parent / "shared" / "corpus"
    with WireSim(articles=12, seed=7, corpus_dir=corpus if corpus.is_dir() else None) as sim:
        text = (ROOT / "seeds" / "wiresim.toml").read_text().replace("http://127.0.0.1:8765", sim.base_url)
        (seeds / "wiresim.toml").write_text(text)
        archive = DEMO / "wirewatch.duckdb"
        env = dict(os.environ, WIREWATCH_ARCHIVE=str(archive), WIREWATCH_SEEDS=str(seeds))
        _say(f"wiresim is serving a news agency at {sim.base_url}; first crawl")
        _ww("crawl", "wiresim", env=env)
        ids = sim.article_ids()
        _say("the agency edits its copy")
        edits = [
            (ids[0], "headline"), (ids[1], "number"), (ids[2], "add_paragraph"), (ids[3], "correction"),
        ]
        for aid, kind in edits:
            print(f"  {kind:14} article {aid}: {sim.edit(aid, kind)}")
        sim.pull(ids[4], status=410)
        print(f"  pulled         article {ids[4]} (410)")
        print(f"  slug change    article {ids[5]} -> {sim.change_slug(ids[5])}")
        _say("re-check every known article")
        _ww("recheck", "wiresim", "--all", env=env)
        _say("what changed")
        _ww("sql", "SELECT article_id, version, classes, summary FROM changes ORDER BY article_id", env=env)
        for aid, _ in edits:
            _ww("diff", f"wiresim:{aid}", env=env)
        _ww("history", f"wiresim:{ids[4]}", env=env)
        _ww("history", f"wiresim:{ids[5]}", env=env)
        _ww("status", env=env)
    print(f"\nDemo finished in {time.monotonic() - started:.0f}s. The archive stays in {archive.relative_to(ROOT)}; explore it with:")
    print(f"  WIREWATCH_ARCHIVE={archive.relative_to(ROOT)} .venv/bin/wirewatch sql \"SELECT * FROM changes\"")


if __name__ == "__main__":
    main()
