"""`python -m bench.webbench`: how fast the web view's pages are on a big archive.

    python -m bench.webbench [--versions 100000] [--requests 30] [--workdir DIR] [--json PATH]

The archive is built synthetically through the real write path (Archive.record_batch: change
analysis, classes, edit rows, the article's schedule): articles of eight paragraphs, each edited
several times (figures revised, paragraphs added, headlines rewritten, sentences reworded), an
unchanged re-check between edits, and one article in fifty pulled. It is kept in the workdir and
reused while its size matches. Then the real `wirewatch serve` answers each page `--requests`
times: p50 and p95 per page against the target (300 ms at p95), and against a baseline measured
in the same run: a static file from the same server (what any request costs before the archive
is opened). Targets are reported, never asserted.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

from archive.records import FetchResult
from archive.snapshot import Snapshot
from archive.store import Archive

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
TARGET_P95_MS = 300.0
VERSIONS_PER_ARTICLE = 5
SOURCES = ("tass", "reuters", "ap", "xinhua")
WORDS = ("minister officials said talks ceasefire agreement delegation government river flood city "
         "president economy bank rate market prices report security council border troops aid "
         "villages residents statement spokesman parliament vote budget energy grain exports").split()
T0 = datetime(2026, 9, 1, tzinfo=timezone.utc)


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(9, 16))]
    if rng.random() < 0.5:
        words.insert(rng.randint(1, len(words) - 1), f"{rng.randint(2, 90)},{rng.randint(100, 999)}")
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(2, 4)))


def _edit(rng: random.Random, title: str, paragraphs: list[str]) -> tuple[str, list[str]]:
    paragraphs = list(paragraphs)
    kind = rng.choice(("number", "add", "reword", "headline"))
    at = rng.randrange(len(paragraphs))
    if kind == "number":
        paragraphs[at] = paragraphs[at] + f" The toll rose to {rng.randint(100, 9999):,}."
    elif kind == "add":
        paragraphs.insert(at, _paragraph(rng))
    elif kind == "reword":
        paragraphs[at] = _sentence(rng) + " " + paragraphs[at].split(". ", 1)[-1]
    else:
        title = "UPDATE: " + title if not title.startswith("UPDATE") else title + " — officials"
    return title, paragraphs


def _snapshot(url: str, title: str, paragraphs: list[str]) -> Snapshot:
    return Snapshot(url=url, title=title, headlines={"h1": title, "og": title}, byline="Staff",
                    published_at="2026-09-01T00:00:00+00:00", lead=paragraphs[0][:120],
                    text="\n".join(paragraphs), language="en", extractor="bench-synthetic")


def build(path: Path, versions: int, batch: int = 400) -> dict:
    """An archive of `versions` versions through the real write path; returns what it holds."""
    rng = random.Random(0)
    archive = Archive(path)
    archive.ensure()
    articles = max(1, versions // VERSIONS_PER_ARTICLE)
    pending: list[FetchResult] = []
    written = 0
    started = time.perf_counter()

    def flush():
        nonlocal pending
        if pending:
            archive.record_batch(pending)
            pending = []

    for n in range(articles):
        source = SOURCES[n % len(SOURCES)]
        key = str(100000 + n)
        url = f"https://{source}.example/world/{key}/story"
        title = f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} {rng.choice(WORDS)} in story {key}"
        paragraphs = [_paragraph(rng) for _ in range(8)]
        at = T0 + timedelta(minutes=n * 40 * 24 * 60 / articles)      # spread over 40 days
        for v in range(VERSIONS_PER_ARTICLE):
            if v:
                title, paragraphs = _edit(rng, title, paragraphs)
            for repeat in range(2 if v else 1):        # an unchanged re-check after each edit
                at += timedelta(minutes=rng.randint(5, 90))
                pending.append(FetchResult(source=source, url=url, article_key=key, fetched_at=at, http_status=200,
                                           payload_digest=f"sha1:{n}-{v}-{repeat}", bytes=40000,
                                           snapshot=_snapshot(url, title, paragraphs)))
            written += 1
        if n % 50 == 49:                               # pulled: a 404 confirmed by another
            for k in range(2):
                at += timedelta(minutes=20)
                pending.append(FetchResult(source=source, url=url, article_key=key, fetched_at=at, http_status=404,
                                           payload_digest=f"sha1:{n}-gone-{k}"))
        if len(pending) >= batch:
            flush()
    flush()
    archive.checkpoint()
    with archive.reading() as con:
        counts = dict(zip(("articles", "versions", "fetches"), con.execute(
            "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM versions), "
            "(SELECT count(*) FROM fetches)").fetchone()))
    counts["build_s"] = round(time.perf_counter() - started, 1)
    return counts


def seeds_for(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for source in SOURCES:
        (directory / f"{source}.toml").write_text(
            f'name = "{source}"\ntitle = "{source} (synthetic)"\nlanguage = "en"\ndomains = ["{source}.example"]\n'
            f'[discover]\nfeeds = ["https://{source}.example/rss"]\n'
            f"[article]\npattern = '^https://{source}\\.example/world/\\d+/[a-z]+$'\nid = '/(\\d+)/'\n")
    return directory


def _get(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{url}: HTTP {response.status}")
    return (time.perf_counter() - started) * 1000


def pages(versions: int) -> dict[str, str]:
    articles = max(1, versions // VERSIONS_PER_ARTICLE)
    aid = f"reuters:{100000 + articles // 2 + 1}"
    return {
        "home": "/", "home.json": "/index.json",
        "changes": "/changes", "changes page 20": "/changes?since=all&page=20",
        "changes class+source": "/changes?class=number&source=tass&since=30d",
        "changes.atom": "/changes.atom?source=ap&since=all",
        "article": f"/article/{aid}", "diff": f"/diff/{aid}", "diff v1→v5": f"/diff/{aid}?from=1&to=5",
        "diff.json": f"/diff/{aid}.json", "capture": "/capture/1000",
        # the page's own cost; what a user's query costs is that query's (SELECT * FROM changes
        # builds every transition's classes: about a second on this archive)
        "sql (example)": "/sql?sql=SELECT+outcome,+count(*)+AS+fetches+FROM+fetches+GROUP+BY+outcome",
    }


def measure(base: str, paths: dict[str, str], requests: int) -> dict[str, dict]:
    out = {}
    for name, path in {"baseline: static file": "/static/style.css", **paths}.items():
        first = _get(base + path)       # cold: first-use imports, file cache, feed entries not kept yet
        times = sorted(_get(base + path) for _ in range(requests))
        out[name] = {"first_ms": round(first, 1), "p50_ms": round(statistics.median(times), 1),
                     "p95_ms": round(times[min(len(times) - 1, int(0.95 * len(times)))], 1)}
    return out


def run(versions: int, requests: int, workdir: Path) -> dict:
    path = workdir / f"web-{versions}.duckdb"
    info_path = path.with_suffix(".json")
    if path.exists() and info_path.exists() and json.loads(info_path.read_text()).get("versions") == versions:
        info = json.loads(info_path.read_text())
    else:
        shutil.rmtree(workdir / "warc", ignore_errors=True)
        path.unlink(missing_ok=True)
        info = build(path, versions)
        info_path.write_text(json.dumps(info))
    seeds = seeds_for(workdir / "seeds")
    proc = subprocess.Popen([sys.executable, "-m", "wirewatch.cli", "serve", "--port", "0", "--no-access-log",
                             "--archive", str(path), "--seeds", str(seeds)], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        base = proc.stdout.readline().split()[2].rstrip("/")
        deadline = time.monotonic() + 20
        while True:
            try:
                _get(base + "/static/style.css")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        figures = measure(base, pages(versions), requests)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return {"archive": info, "requests_per_page": requests, "target_p95_ms": TARGET_P95_MS, "pages": figures}


def table(result: dict) -> str:
    base = result["pages"]["baseline: static file"]["p95_ms"] or 0.1
    info = result["archive"]
    lines = [f"web view on {info['versions']:,} versions, {info['articles']:,} articles, {info['fetches']:,} fetches "
             f"({result['requests_per_page']} requests per page; target p95 ≤ {TARGET_P95_MS:.0f} ms)",
             f"{'page':<24}{'first ms':>9}{'p50 ms':>9}{'p95 ms':>9}{'× static':>10}  target"]
    for name, f in result["pages"].items():
        verdict = "" if name.startswith("baseline") else ("met" if f["p95_ms"] <= TARGET_P95_MS else "NOT MET")
        lines.append(f"{name:<24}{f['first_ms']:>9.1f}{f['p50_ms']:>9.1f}{f['p95_ms']:>9.1f}"
                     f"{f['p95_ms'] / base:>10.1f}  {verdict}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.webbench", description=__doc__.splitlines()[0])
    parser.add_argument("--versions", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--workdir", type=Path, default=OUT / "web")
    parser.add_argument("--json", type=Path, default=OUT / "web.json")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    result = run(args.versions, args.requests, args.workdir)
    print(table(result))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
