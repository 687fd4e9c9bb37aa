"""`make demo`: the daemon against the bundled simulator while the agency edits its copy.

wiresim serves a news agency on 127.0.0.1; `wirewatch run` discovers and re-checks it on short
intervals while a timeline rewrites a headline, updates a death toll, adds a paragraph, appends a
correction, pulls a story, changes a slug and publishes a new story. Then it shows what was caught.
The archive stays in data/demo/ for exploring with `wirewatch sql`.
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
RUN_SECONDS = 35
# Re-check every article every 3 seconds: minutes of wire-desk life in half a minute.
DEMO_POLICY = 'tiers = [["1h", "3s"]]\nmin_interval = "1s"\nbackoff_after = "1h"\nmax_interval = "1h"'


def _say(text: str) -> None:
    print(f"\n\033[1m== {text}\033[0m", flush=True)


def _ww(*args: str, env: dict) -> None:
    print(f"$ wirewatch {' '.join(args)}", flush=True)
    subprocess.run([sys.executable, "-m", "wirewatch.cli", *args], env=env, cwd=ROOT, check=True)


def _seed(base_url: str) -> str:
    text = (ROOT / "seeds" / "wiresim.toml").read_text().replace("http://127.0.0.1:8765", base_url)
    return text.replace('[recheck]\nhorizon = "30d"', f"[recheck]\n{DEMO_POLICY}")


def main() -> None:
    started = time.monotonic()
    shutil.rmtree(DEMO, ignore_errors=True)
    seeds = DEMO / "seeds"
    seeds.mkdir(parents=True)
    corpus = ROOT.parent / "shared" / "corpus"
    archive = DEMO / "wirewatch.duckdb"
    env = dict(os.environ, WIREWATCH_ARCHIVE=str(archive), WIREWATCH_SEEDS=str(seeds))
    with WireSim(articles=12, seed=7, corpus_dir=corpus if corpus.is_dir() else None) as sim:
        (seeds / "wiresim.toml").write_text(_seed(sim.base_url))
        ids = sim.article_ids()
        timeline = [(6, "edit", ids[0], "headline"), (9, "edit", ids[1], "number"),
                    (12, "edit", ids[2], "add_paragraph"), (14, "edit", ids[3], "correction"),
                    (16, "pull", ids[4]), (18, "change_slug", ids[5]), (20, "publish"),
                    (22, "edit", ids[1], "number"), (24, "edit", ids[6], "reword", {"stealth": True})]
        _say(f"wiresim serves a news agency at {sim.base_url}; the daemon runs for {RUN_SECONDS}s")
        for step in timeline:
            print(f"  at {step[0]:>2}s: {' '.join(str(x) for x in step[1:])}")
        sim.run_timeline(timeline)
        _ww("run", "--recheck-every", "2s", "--discover-every", "5s", "--jitter", "0",
            "--stop-after", str(RUN_SECONDS), env=env)
        _say("what the daemon caught")
        _ww("changes", "--since", "1h", env=env)
        for aid in (ids[0], ids[1], ids[3]):
            _ww("diff", f"wiresim:{aid}", env=env)
        _ww("history", f"wiresim:{ids[4]}", env=env)
        _ww("history", f"wiresim:{ids[5]}", env=env)
        _ww("sql", "SELECT outcome, count(*) AS fetches FROM fetches GROUP BY outcome ORDER BY fetches DESC", env=env)
        _ww("status", env=env)
    rel = archive.relative_to(ROOT)
    print(f"\nDemo finished in {time.monotonic() - started:.0f}s. The archive stays in {rel}; explore it with:")
    print(f"  .venv/bin/wirewatch sql --archive {rel} \"SELECT * FROM changes\"")
    print(f"  .venv/bin/wirewatch diff --archive {rel} wiresim:{ids[1]} --format html > diff.html")
    print(f"  .venv/bin/wirewatch feed --archive {rel} --since all -o changes.atom")


if __name__ == "__main__":
    main()
