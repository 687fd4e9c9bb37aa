"""Crash campaign: SIGKILL the crawler and the daemon at random points of crawls with edits in
flight, restart, and check that the archive lost and duplicated nothing.

    python -m bench.crashes [--kills 20] [--articles 10] [--seed 0] [--longest 6] [--workdir DIR]

Each round makes a few edits on wiresim, starts `wirewatch run` (even rounds) or `wirewatch
recheck --all` / `crawl` (odd rounds), kills it with SIGKILL after a random 1.5-6 s (the edits land during the run), and notes
whether the kill landed between a WARC write and its commit (the journal's open segment held
rows). Then a clean run, and the checks: the archive opens; every article of the simulator is
there; no duplicate fetch (capture ids) and no two identical consecutive versions; the latest
version of every article is the simulator's current text (no edit lost for good); every fetch row
points at a readable WARC record. Exit status 1 when a check fails.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FAST_RECHECK = ('tiers = [["1h", "2s"]]\nmin_interval = "1s"\nbackoff_after = "1h"\nmax_interval = "1h"\n'
                'confirm_gone_after = "2s"\ngone_interval = "5s"')
EDITS = ("number", "headline", "add_paragraph", "reword", "correction", "byline", "remove_paragraph")


def _seeds(directory: Path, base_url: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    text = (ROOT / "seeds" / "wiresim.toml").read_text().replace("http://127.0.0.1:8765", base_url)
    text = text.replace("[recheck]", "[recheck]\n" + FAST_RECHECK, 1)
    (directory / "wiresim.toml").write_text(text)
    return directory


def _edit(sim, aid: str, kind: str) -> None:
    try:
        sim.edit(aid, kind)
    except ValueError:          # e.g. no figure left to change
        pass


def run(kills: int = 20, articles: int = 10, seed: int = 0, workdir: Path | None = None,
        longest: float = 6.0) -> dict:
    from wiresim import WireSim

    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="wirewatch-crashes-") as tmp:
        base = Path(workdir or tmp)
        with WireSim(articles=articles, seed=seed) as sim:
            archive = base / "data" / "wirewatch.duckdb"
            env = dict(os.environ, WIREWATCH_ARCHIVE=str(archive), WIREWATCH_SEEDS=str(_seeds(base / "seeds", sim.base_url)),
                       PYTHONUNBUFFERED="1")
            ids = sim.article_ids()
            between, edits = 0, 0
            for round_ in range(kills):
                lasts = rng.uniform(1.5, longest)
                for _ in range(rng.randint(1, 3)):       # edits in flight: during the run
                    sim.schedule(rng.uniform(0, lasts), _edit, sim, rng.choice(ids), rng.choice(EDITS))
                    edits += 1
                if round_ % 2 == 0:
                    cmd = ["run", "--recheck-every", "1s", "--discover-every", "2s", "--jitter", "0"]
                else:
                    cmd = ["recheck", "wiresim", "--all"] if archive.exists() else ["crawl", "wiresim"]
                proc = subprocess.Popen([sys.executable, "-m", "wirewatch.cli", *cmd], env=env, cwd=ROOT,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(lasts)
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                journal = Path(str(archive) + ".journal") / "wiresim"
                if journal.exists() and any(p.stat().st_size for p in journal.glob("open-*.seg")):
                    between += 1
            # the clean finish: the daemon once (discovery, re-check of what is due), then all
            for cmd in (["run", "--once", "--jitter", "0"], ["recheck", "wiresim", "--all"],
                        ["recheck", "wiresim", "--all"]):
                subprocess.run([sys.executable, "-m", "wirewatch.cli", *cmd], env=env, cwd=ROOT, check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
            result = {"kills": kills, "articles": articles, "edits": edits,
                      "kills_between_warc_and_commit": between, **check(archive, sim)}
    return result


def check(archive: Path, sim) -> dict:
    import duckdb

    from archive.noise import Noise
    from archive.store import Archive
    from archive.warc_read import read_response

    problems: list[str] = []
    store = Archive(archive)
    with store.reading() as con:
        present = {a for (a,) in con.execute("SELECT article_id FROM articles").fetchall()}
        missing = [a for a in sim.article_ids() if f"wiresim:{a}" not in present]
        if missing:
            problems.append(f"articles missing: {missing}")
        fetches, ids = con.execute("SELECT count(*), count(DISTINCT capture_id) FROM fetches").fetchone()
        if fetches != ids:
            problems.append(f"{fetches - ids} fetches written twice")
        versions = con.execute("SELECT article_id, version, title, headlines, byline, lead, text FROM versions "
                               "ORDER BY article_id, version").fetchall()
        pointers = con.execute("SELECT fetch_id, warc_file, warc_offset FROM fetches WHERE warc_file IS NOT NULL").fetchall()
    noise = Noise(store.noise("wiresim"))
    from archive import revision
    previous = None
    for aid, version, *content in versions:
        row = dict(zip(("title", "headlines", "byline", "lead", "text"), content))
        if previous and previous[0] == aid and revision.key(previous[1], noise) == revision.key(row, noise):
            problems.append(f"{aid} v{version - 1} and v{version} are identical")
        previous = (aid, row)
    latest = {aid: row for aid, _, *row in versions}
    for a in sim.article_ids():
        art, got = sim.article(a), latest.get(f"wiresim:{a}")
        if got is None or art.status != "live":
            continue
        if got[0] != art.headline or any(p[:50] not in got[4] for p in art.paragraphs):
            problems.append(f"wiresim:{a}: the latest version is not the simulator's current text")
    unreadable = 0
    for fetch_id, name, offset in pointers:
        try:
            read_response(store.warc_dir, (name, offset))
        except Exception:
            unreadable += 1
    if unreadable:
        problems.append(f"{unreadable} fetch rows point at no readable WARC record")
    orphans = _records(store.warc_dir) - {(name, offset) for _, name, offset in pointers}
    if orphans:      # a capture made and never recorded: an edit seen only there would be lost
        problems.append(f"{len(orphans)} WARC records no fetch row points at, e.g. {sorted(orphans)[:3]}")
    duckdb.connect(str(archive), read_only=True).close()     # the stock client opens it
    return {"fetches": fetches, "versions": len(versions), "problems": problems}


def _records(warc_dir: Path) -> set[tuple[str, int]]:
    """(file, offset) of every response and revisit record in the WARC files."""
    from warcio.archiveiterator import ArchiveIterator
    out = set()
    for path in sorted(Path(warc_dir).glob("*.warc.gz")):
        with open(path, "rb") as fh:
            it = ArchiveIterator(fh)
            for record in it:
                if record.rec_type in ("response", "revisit"):
                    out.add((path.name, it.get_record_offset()))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--articles", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--longest", type=float, default=6.0, help="longest run before its kill, seconds")
    args = parser.parse_args(argv)
    result = run(args.kills, args.articles, args.seed, args.workdir, args.longest)
    print(json.dumps(result, indent=2))
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
