"""What the end-to-end tests share: where things are, a seed pointing at a live wiresim, and
`Wirewatch`, which runs the real `wirewatch` command in a subprocess as a user would (one reactor
per process, so crawls never share a Twisted reactor)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"


def write_sim_seed(directory: Path, base_url: str, **overrides) -> Path:
    """seeds/wiresim.toml with the simulator's real port (and optional extra TOML lines)."""
    directory.mkdir(parents=True, exist_ok=True)
    text = (ROOT / "seeds" / "wiresim.toml").read_text().replace("http://127.0.0.1:8765", base_url)
    for key, value in overrides.items():
        text = text.replace(f"[{key}]", f"[{key}]\n{value}", 1)
    path = directory / "wiresim.toml"
    path.write_text(text)
    return directory


class Wirewatch:
    def __init__(self, archive: Path, seeds: Path | None):
        self.archive, self.seeds = archive, seeds

    def __call__(self, *args: str, check: bool = True, timeout: float = 180, env: dict | None = None):
        cmd = [sys.executable, "-m", "wirewatch.cli", *args]
        full_env = dict(os.environ, WIREWATCH_ARCHIVE=str(self.archive), PYTHONUNBUFFERED="1")
        if self.seeds:
            full_env["WIREWATCH_SEEDS"] = str(self.seeds)
        full_env.update(env or {})
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=full_env, cwd=ROOT)
        if check and proc.returncode != 0:
            raise AssertionError(f"wirewatch {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr[-4000:]}")
        return proc

    def sql(self, query: str):
        out = self("sql", query, "--format", "json").stdout
        return json.loads(out)


def wait_for(predicate, timeout=60, every=0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except AssertionError:     # the archive does not exist yet
            pass
        time.sleep(every)
    return False


def start_daemon(ww, *extra, env: dict | None = None):
    env = dict(os.environ, WIREWATCH_ARCHIVE=str(ww.archive), WIREWATCH_SEEDS=str(ww.seeds), PYTHONUNBUFFERED="1",
               **(env or {}))
    cmd = [sys.executable, "-m", "wirewatch.cli", "run", "--recheck-every", "1s", "--discover-every", "2s",
           "--jitter", "0", *extra]
    return subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


# A re-check policy for end-to-end tests of the real seeds, which must not be edited: every
# article is due again a second after its last check (a first 404 is confirmed a second later,
# a gone one looked at again a second later); the seed's other [recheck] values are kept. Pass
# it with `--set WIREWATCH_SCHEDULE=support.fast_recheck_schedule` and PYTHONPATH=tests.
FAST_RECHECK = {"tiers": [["30d", "1s"]], "min_interval": "1s", "max_interval": "1h",
                "backoff_after": "30d", "confirm_gone_after": "1s", "gone_interval": "1s"}


def fast_recheck_schedule(seed):
    from dataclasses import replace

    from jobs.schedule import schedule_for
    return schedule_for(replace(seed, recheck={**seed.recheck, **FAST_RECHECK}))
