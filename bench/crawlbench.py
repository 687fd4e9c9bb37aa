"""Crawl speed, archive size and memory on the simulator, against extraction alone (the `sim`
part of `python -m bench`; the headline crawl figures are bench/realbench.py's, on real pages:
the simulator's pages are small and hide the per-page cost of real ones). `Workspace` is shared.

A WireSim with N articles (built from the shared corpus pages where present) is crawled by the
real `wirewatch crawl` in a subprocess, as a user runs it. The baselines, measured in the same
run: a crawl of a 1-article sim (process start-up, reactor, pool and archive set-up and shutdown:
the fixed cost of any crawl) and `crawler.extract.extract` alone, single-threaded in this
process, over the same N article pages fetched once with urllib.

Where the crawler fetches an article more than once on its first crawl (a confirmation fetch
that learns rotating lines), every response counts: the crawl's page count is its fetch rows.

CPU counts the whole process tree of each `wirewatch` run, exactly (bench/proctree.run_tree).

Then the archive: bytes per version after the first crawl, per unchanged re-check when every
re-check is a full 200 with fresh boilerplate (`sim.conditional = False`), and per 304.

    python -m bench.crawlbench [--articles N]      (or python -m bench --only sim)
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.proctree import machine_busy_s, run_tree

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
SIM_URL = "http://127.0.0.1:8765"
TARGET_RATIO = 1.6


def corpus_dir() -> Path | None:
    return CORPUS if CORPUS.is_dir() else None


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


class Workspace:
    """An archive and a seeds dir with one seed, and `wirewatch` run against them. The seed is
    the bundled wiresim seed pointed at `base_url`, or `seed_text` saved as `<source>.toml`."""

    def __init__(self, directory: Path, base_url: str | None = None, *, source: str = "wiresim",
                 seed_text: str | None = None):
        self.dir = directory
        self.archive = directory / "data" / "wirewatch.duckdb"
        seeds = directory / "seeds"
        seeds.mkdir(parents=True, exist_ok=True)
        if seed_text is None:
            seed_text = (ROOT / "seeds" / "wiresim.toml").read_text().replace(SIM_URL, base_url or SIM_URL)
        (seeds / f"{source}.toml").write_text(seed_text)
        self.source = source
        self.env = dict(os.environ, WIREWATCH_ARCHIVE=str(self.archive), WIREWATCH_SEEDS=str(seeds),
                        PYTHONUNBUFFERED="1")
        self.runs = 0

    def run(self, *args: str) -> dict:
        """One `wirewatch` command to its end: wall time, the CPU of its whole process tree (the
        command, its forkserver and extraction workers: exact, see bench/proctree.py) and of the
        command's process alone, its peak RSS (wait4) and the sampled tree (peak RSS, processes).
        `bench_cpu_s` is this process's CPU meanwhile (the servers it runs), `machine_busy_s`
        the whole machine's (anything else running shows up there)."""
        self.runs += 1
        out = self.dir / f"run{self.runs}.out"
        with open(out, "wb") as sink:
            bench0, machine0 = time.process_time(), machine_busy_s()
            res = run_tree([sys.executable, "-m", "wirewatch.cli", *args], cwd=ROOT, env=self.env,
                           stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT)
            bench_cpu, machine1 = time.process_time() - bench0, machine_busy_s()
        if res["returncode"] != 0:
            tail = out.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"wirewatch {' '.join(args)} exited {res['returncode']}:\n{tail}")
        tree = res["sampled"]
        return {"wall_s": res["wall_s"], "maxrss_mb": res["maxrss_mb"],
                "cpu_s": res["tree_cpu_s"] if res["tree_cpu_s"] is not None
                else tree.get("main_cpu_s", 0) + tree.get("descendants_cpu_s", 0),
                "cpu_exact": res["tree_cpu_s"] is not None,
                "own_cpu_s": res["own_cpu_s"], "descendants_cpu_s": res["descendants_cpu_s"],
                "orphans_reaped": res["orphans"], "processes": 1 + tree.get("descendants", 0),
                "bench_cpu_s": round(bench_cpu, 3),
                "machine_busy_s": round(machine1 - machine0, 2) if machine0 is not None else None,
                "tree": tree}

    def sql(self, query: str) -> list[dict]:
        proc = subprocess.run([sys.executable, "-m", "wirewatch.cli", "sql", query, "--format", "json"],
                              cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            raise RuntimeError(f"wirewatch sql failed: {proc.stderr.strip()}")
        return json.loads(proc.stdout)

    def outcomes(self, run_id: int | None = None) -> dict[str, int]:
        """Fetch outcomes, of one run or of all: `SELECT outcome, count(*) FROM fetches`."""
        where = f" WHERE run_id = {int(run_id)}" if run_id is not None else ""
        rows = self.sql(f"SELECT outcome, count(*) AS n FROM fetches{where} GROUP BY ALL ORDER BY ALL")
        return {row["outcome"]: row["n"] for row in rows}

    def last_run(self) -> dict:
        """The latest run's row, the archive's totals and DuckDB's used blocks (the file also
        holds free blocks, which later writes fill before it grows)."""
        return self.sql("SELECT r.*, (SELECT count(*) FROM versions) AS total_versions, "
                        "(SELECT count(*) FROM articles) AS total_articles, "
                        "(SELECT used_blocks * block_size FROM pragma_database_size()) AS duckdb_used "
                        "FROM runs r ORDER BY run_id DESC LIMIT 1")[0]

    def sizes(self, run: dict) -> dict[str, int]:
        db = sum(p.stat().st_size for p in self.archive.parent.glob(self.archive.name + "*") if p.is_file())
        warc_dir = self.archive.parent / "warc"
        warc = sum(p.stat().st_size for p in warc_dir.rglob("*") if p.is_file()) if warc_dir.exists() else 0
        return {"duckdb": db, "warc": warc, "duckdb_used": int(run["duckdb_used"])}


def _crawl(ws: Workspace, *args: str) -> tuple[dict, dict, dict, dict]:
    """Run one crawl; its process figures, run row, fetch outcomes and the archive's sizes."""
    stats = ws.run(*args)
    run = ws.last_run()
    return stats, run, ws.outcomes(run["run_id"]), ws.sizes(run)


def _check(problems: list[str], what: str, outcomes: dict, run: dict) -> None:
    """The figures mean nothing if the crawl misbehaved: no errors, blocks or failed runs."""
    for key in ("error", "blocked"):
        if outcomes.get(key):
            problems.append(f"{what}: {outcomes[key]} {key} fetches")
    if run.get("outcome") != "ok":
        problems.append(f"{what}: run outcome {run.get('outcome')} ({run.get('error')})")


def fetch_pages(sim) -> list[tuple[bytes, str, dict]]:
    pages = []
    for aid in sim.article_ids():
        url = sim.article_url(aid)
        with urllib.request.urlopen(url, timeout=30) as response:
            pages.append((response.read(), url, dict(response.headers)))
    return pages


def extraction_alone(pages: list[tuple[bytes, str, dict]]) -> dict:
    """`extract` over the pages in this process, one thread; the first page once untimed
    (imports, compiled patterns), as the crawl's workers warm up before their first page."""
    from crawler.extract import extract

    extract(*pages[0])
    started, cpu = time.perf_counter(), time.process_time()
    articles = sum(extract(body, url, headers).is_article for body, url, headers in pages)
    wall = time.perf_counter() - started
    return {"pages": len(pages), "articles": articles, "wall_s": round(wall, 3),
            "cpu_s": round(time.process_time() - cpu, 3), "pages_per_s": round(len(pages) / wall, 1),
            "mean_page_bytes": round(sum(len(p[0]) for p in pages) / len(pages))}


def _per(delta: dict[str, int], count: int, baseline_bytes: float) -> dict:
    total = delta["duckdb"] + delta["warc"]
    count = max(count, 1)
    return {"duckdb_bytes": delta["duckdb"], "warc_bytes": delta["warc"],
            "bytes_per": round(total / count), "duckdb_per": round(delta["duckdb"] / count),
            "warc_per": round(delta["warc"] / count),
            "duckdb_used_per": round(delta["duckdb_used"] / count),
            "vs_page_bytes": round(total / count / baseline_bytes, 3)}


def _recheck(ws: Workspace, sim, conditional: bool, before: dict, problems: list[str],
             page_bytes: float) -> tuple[dict, dict]:
    """`recheck --all` with the sim answering conditional GETs (304s) or not (fresh 200s);
    its figures and the archive's sizes after it."""
    sim.conditional = conditional
    stats, run, outcomes, after = _crawl(ws, "recheck", "wiresim", "--all")
    label = "recheck (304s)" if conditional else "recheck (full 200s)"
    _check(problems, label, outcomes, run)
    kept = outcomes.get("not_modified", 0) if conditional else outcomes.get("unchanged", 0)
    if kept == 0:
        seen = ", ".join(f"{k} {v}" for k, v in outcomes.items())
        problems.append(f"{label}: no {'not_modified' if conditional else 'unchanged'} fetches ({seen})")
    delta = {k: after[k] - before[k] for k in after}
    fetches = sum(outcomes.values())
    return {"wall_s": round(stats["wall_s"], 2), "fetches": fetches, "outcomes": outcomes,
            "unchanged_fetches": kept, "new_versions": run.get("new_versions") or 0,
            "pages_per_s": round(fetches / stats["wall_s"], 1),
            "per": "unchanged fetch" if kept else "fetch (none was unchanged)",
            **_per(delta, kept or fetches, page_bytes)}, after


def run(articles: int = 1000, seed: int = 0, workdir: str | Path | None = None) -> dict:
    from wiresim import WireSim

    corpus = corpus_dir()
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="wirewatch-bench-") as tmp:
        base = Path(workdir) if workdir else Path(tmp)
        if workdir and any((base / d).exists() for d in ("startup", "main")):
            raise SystemExit(f"{base} already holds a benchmark's archives: give an empty directory")
        log("start-up baseline: crawl of a 1-article sim")
        with WireSim(articles=1, seed=seed, corpus_dir=corpus) as small:
            ws1 = Workspace(base / "startup", small.base_url)
            startup, run1, out1, _ = _crawl(ws1, "crawl", "wiresim")
            _check(problems, "start-up crawl", out1, run1)

        sim = WireSim(articles=articles, seed=seed, corpus_dir=corpus).start(port=0)
        try:
            ws = Workspace(base / "main", sim.base_url)
            log(f"crawl of {articles} articles")
            cpu0 = time.process_time()
            crawl, run_row, outcomes, first = _crawl(ws, "crawl", "wiresim")
            sim_cpu = time.process_time() - cpu0
            _check(problems, "crawl", outcomes, run_row)
            if run_row["total_versions"] != articles or run_row["new_articles"] != articles:
                problems.append(f"crawl: {run_row['total_versions']} versions, {run_row['new_articles']} "
                                f"new articles for {articles} articles")
            http_requests = sim.request_count()

            log("extraction alone on the same pages")
            extract = extraction_alone(fetch_pages(sim))
            page_bytes = extract["mean_page_bytes"]
            log("recheck --all, full 200s")
            full, sizes = _recheck(ws, sim, False, first, problems, page_bytes)
            log("recheck --all, 304s")
            cond, _ = _recheck(ws, sim, True, sizes, problems, page_bytes)
        finally:
            sim.stop()

    pages = sum(outcomes.values())
    wall, fixed = crawl["wall_s"], startup["wall_s"]
    e2e = pages / wall
    steady = pages / (wall - fixed) if wall > fixed else None
    tree = crawl["tree"]
    cpu = {"wall_s": round(wall, 2), "cores": os.cpu_count(),
           "crawl_process_s": crawl["own_cpu_s"], "extraction_pool_s": crawl["descendants_cpu_s"],
           "tree_s": crawl["cpu_s"], "exact": crawl["cpu_exact"],
           "sim_and_bench_s": round(sim_cpu, 2)}
    busy = (cpu["tree_s"] or 0) + cpu["sim_and_bench_s"]
    cpu["utilisation"] = round(busy / (wall * (os.cpu_count() or 1)), 2)
    return {
        "articles": articles, "seed": seed, "corpus": corpus is not None, "problems": problems,
        "startup": {"wall_s": round(fixed, 2), "maxrss_mb": startup["maxrss_mb"],
                    "tree_peak_rss_mb": startup["tree"].get("tree_peak_rss_mb")},
        "crawl": {"wall_s": round(wall, 2), "article_pages": pages, "outcomes": outcomes,
                  "new_articles": run_row["new_articles"], "versions": run_row["total_versions"],
                  "http_requests": http_requests,
                  "pages_per_s": round(e2e, 1),
                  "pages_per_s_excl_startup": round(steady, 1) if steady else None,
                  "articles_per_s": round(articles / wall, 1)},
        "extract_alone": extract,
        "ratio": round(e2e / extract["pages_per_s"], 3),
        "ratio_excl_startup": round(steady / extract["pages_per_s"], 3) if steady else None,
        "headline": "ratio: end-to-end pages/s (start-up included) / extraction-alone pages/s",
        "target_ratio": TARGET_RATIO,
        "target_met": e2e / extract["pages_per_s"] >= TARGET_RATIO,
        "cpu": cpu,
        "memory": {
            "crawl_maxrss_mb": crawl["maxrss_mb"],
            "crawl_maxrss_covers": "wait4 of the crawl process: its own peak (the largest of it and the "
                                   "descendants it reaped; the extraction workers are reaped by the "
                                   "forkserver, so they are not in it)",
            "crawl_tree_peak_rss_mb": tree.get("tree_peak_rss_mb"),
            "crawl_tree_covers": "sampled every 0.1 s: summed RSS of the crawl process, the forkserver "
                                 "and the extraction workers (shared pages counted in each)",
            "extraction_worker_peak_rss_mb": tree.get("descendant_peak_rss_mb"),
            "vs_startup_maxrss": round(crawl["maxrss_mb"] / startup["maxrss_mb"], 2),
            "bench_maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "bench_covers": "this process: the sim (N articles, its request log) and the fetched pages",
        },
        "archive": {
            "first_crawl": {"versions": run_row["total_versions"],
                            **_per(first, run_row["total_versions"], page_bytes)},
            "recheck_200": full,
            "recheck_304": cond,
        },
    }


def table(r: dict) -> str:
    c, x, m, a = r["crawl"], r["extract_alone"], r["memory"], r["archive"]
    rows = [
        ("articles (corpus pages)" if r["corpus"] else "articles (built-in texts)", f"{r['articles']}"),
        ("crawl wall time", f"{c['wall_s']:.1f} s  ({c['article_pages']} article pages, {c['http_requests']} HTTP requests)"),
        ("start-up (1-article crawl)", f"{r['startup']['wall_s']:.1f} s"),
        ("end to end", f"{c['pages_per_s']:.1f} pages/s  ({c['articles_per_s']:.1f} articles/s)"),
        ("end to end, excl. start-up", f"{c['pages_per_s_excl_startup']} pages/s"),
        ("extraction alone (1 thread)", f"{x['pages_per_s']:.1f} pages/s  ({x['pages']} pages, {x['mean_page_bytes']} B mean)"),
        ("RATIO end to end / extraction", f"{r['ratio']:.2f}x  (target >= {r['target_ratio']}: "
                                          f"{'met' if r['target_met'] else 'NOT met'})"),
        ("ratio excl. start-up", f"{r['ratio_excl_startup']}x"),
        ("CPU s: crawl / pool / sim+bench", f"{r['cpu']['crawl_process_s']} / {r['cpu']['extraction_pool_s']} / "
                                            f"{r['cpu']['sim_and_bench_s']}  (utilisation {r['cpu']['utilisation']:.0%} "
                                            f"of {r['cpu']['cores']} cores)"),
        ("crawl outcomes", ", ".join(f"{k} {v}" for k, v in c["outcomes"].items())),
        ("bytes/version (first crawl)", _bytes(a["first_crawl"])),
        ("bytes/unchanged 200 recheck", _bytes(a["recheck_200"]) + f"; {a['recheck_200']['new_versions']} new versions"),
        ("bytes/304 recheck", _bytes(a["recheck_304"])),
        ("recheck pages/s: 200 / 304", f"{a['recheck_200']['pages_per_s']} / {a['recheck_304']['pages_per_s']}"),
        ("crawl max RSS (wait4)", f"{m['crawl_maxrss_mb']} MB  (x{m['vs_startup_maxrss']} the 1-article crawl)"),
        ("crawl tree peak RSS (sampled)", f"{m['crawl_tree_peak_rss_mb']} MB  (largest worker {m['extraction_worker_peak_rss_mb']} MB)"),
        ("sim + bench max RSS", f"{m['bench_maxrss_mb']} MB"),
    ]
    return render_rows(rows, r)


SMALL_RUN_NOTE = "note: DuckDB's file grows in 256 KB blocks: its bytes per fetch mean little below a few hundred fetches"


def render_rows(rows: list[tuple[str, str]], r: dict, note: str = SMALL_RUN_NOTE) -> str:
    """A benchmark's table: aligned label/value rows, the small-run note, its problems."""
    width = max(len(k) for k, _ in rows)
    lines = [f"{k:<{width}}  {v}" for k, v in rows]
    if r["articles"] < 500:
        lines.append(note)
    lines += [f"PROBLEM: {p}" for p in r["problems"]]
    return "\n".join(lines)


def _bytes(d: dict) -> str:
    per = "" if d.get("per", "unchanged fetch") == "unchanged fetch" else f"per {d['per']}: "
    return per + (f"{d['bytes_per']:,} B  (DuckDB file {d['duckdb_per']:,} [used blocks {d['duckdb_used_per']:,}]"
            f" + WARC {d['warc_per']:,}; {d['vs_page_bytes']:.2f}x page bytes)")


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    args = parser.parse_args(argv)
    result = run(args.articles)
    print(table(result))
    print(json.dumps(result, indent=2))
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
