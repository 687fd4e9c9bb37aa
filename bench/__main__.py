"""`python -m bench` (`make bench`): every wirewatch benchmark, as tables and as JSON.

    python -m bench [--quick] [--only crawl,sim,policy,diff,extract] [--articles N] [--hosts H]
                    [--rounds R] [--sim-articles N] [--policy-articles N] [--diff-samples N]
                    [--json PATH] [--workdir DIR]

Parts: crawl (real pages on loopback hosts, the headline: bench/realbench.py), sim (the wiresim
crawl with 304s: bench/crawlbench.py), policy, diff, extract (body extraction quality, when
bench/extractbench.py is there), search (bench/searchbench.py: a query over 1,000,000 versions), workers
(bench/workersbench.py: fetches/s with 1-3 `wirewatch run` workers on a shared PostgreSQL archive,
catalog commits/s, conflicts; skipped without PostgreSQL). Prints a table per part, then the figures as JSON, also written
to bench/out/bench.json (or PATH). Every figure is set against a baseline measured in the same
run: the crawl against extraction alone, the re-check policy against NewsDiffs's tiers, the diff
against difflib. Targets are reported, never asserted; the exit status is 1 only when a sanity
check failed (a crawl with errors, blocked pages, missing articles, requests the archive did not
record, spurious versions, no 304s), since then no figure means much. --quick runs everything
small (tens of articles), for tests.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import sys
import time
from pathlib import Path

from bench import crawlbench

PARTS = ("crawl", "sim", "policy", "diff", "extract", "search", "workers")
QUICK = {"articles": 30, "hosts": 2, "rounds": 1, "sim_articles": 30, "policy_articles": 200, "diff_samples": 4,
         "search_versions": 3000}
FULL = {"articles": 1000, "hosts": 3, "rounds": 3, "sim_articles": 1000, "policy_articles": 2000, "diff_samples": 200,
        "search_versions": 1_000_000}
DEFAULT_JSON = Path(__file__).resolve().parent / "out" / "bench.json"
POLICIES = ("newsdiffs", "wirewatch", "wirewatch_2d_signals", "wirewatch_nosignals")


def run_policy(articles: int) -> dict:
    from bench import policy_sim
    return policy_sim.run(seed=0, articles=articles)


def run_diff(samples: int) -> dict:
    from bench import diffbench
    try:
        return diffbench.run(samples=samples, baseline_samples=min(24, samples))
    except SystemExit as exc:   # it needs real text from ../shared; skip cleanly where absent
        return {"skipped": str(exc)}


def run_extract() -> dict:
    if importlib.util.find_spec("bench.extractbench") is None:
        return {"skipped": "bench/extractbench.py is not there"}
    from bench import extractbench, realsite
    try:
        return extractbench.run(realsite.CORPUS)
    except SystemExit as exc:   # no corpus
        return {"skipped": str(exc)}
    except Exception as exc:    # noqa: BLE001  (its failure must not lose the other parts' figures)
        return {"skipped": f"failed: {type(exc).__name__}: {exc}"}


def extract_table(r: dict) -> str:
    if "skipped" in r:
        return f"skipped: {r['skipped']}"
    from bench import extractbench
    return extractbench.table(r)


def policy_table(r: dict) -> str:
    rows = [("requests", "requests"), ("requests vs NewsDiffs", "requests_ratio"),
            ("median delay (min)", "median_delay_min"), ("p90 delay (min)", "p90_delay_min"),
            ("missed versions", "missed"), ("target met", "target_met")]
    lines = [f"{r['articles']} articles, {r['edits']} edits over {r['days']} days "
             "(target: requests <= 0.5x NewsDiffs, median and p90 delay <= NewsDiffs, fewer missed)",
             f"{'':22}" + "".join(f"{p:>22}" for p in POLICIES)]
    for label, key in rows:
        lines.append(f"{label:22}" + "".join(f"{str(r[p].get(key, '-')):>22}" for p in POLICIES))
    return "\n".join(lines)


def diff_table(r: dict) -> str:
    from bench import diffbench
    if "skipped" in r:
        return f"skipped: {r['skipped']}"
    return ("times in ms; ratio = difflib word diff / (diff + compute_change), above 1: ours is faster\n"
            + diffbench.table(r))


def summary(results: dict) -> dict:
    """The headline figures, flat, for a glance and for tracking across runs."""
    out: dict = {}
    if "crawl" in results and "skipped" not in results["crawl"]:
        r = results["crawl"]
        f, a, b = r["first_crawl"], r["recheck_identical"], r["recheck_boilerplate"]
        out.update({"crawl_articles_per_s": f["articles_per_s"],
                    "extract_alone_pages_per_s": r["extract_alone"]["pages_per_s"],
                    "crawl_vs_extract_ratio": r["ratio"],
                    "crawl_vs_extract_ratio_excl_startup": r["ratio_excl_startup"],
                    "crawl_vs_plain_trafilatura_ratio": r["ratio_vs_plain_trafilatura"],
                    "crawl_cpu_per_article_vs_extract": f["cpu_per_article_vs_extract"],
                    "crawl_cpu_per_article_vs_extract_excl_startup": f["cpu_per_article_vs_extract_marginal"],
                    "requests_per_new_article": f["requests_per_new_article"],
                    "spurious_versions": a["new_versions"] + b["new_versions"],
                    "recheck_identical_cpu_vs_extract": a["cpu_vs_extract_marginal"],
                    "recheck_boilerplate_cpu_vs_extract": b["cpu_vs_extract_marginal"],
                    "recheck_identical_bytes": a["bytes_per_unchanged"],
                    "recheck_boilerplate_bytes": b["bytes_per_unchanged"],
                    "crawl_targets_met": r["target_met"]})
    if "sim" in results:
        c = results["sim"]
        out.update({"sim_crawl_pages_per_s": c["crawl"]["pages_per_s"],
                    "sim_extract_alone_pages_per_s": c["extract_alone"]["pages_per_s"],
                    "sim_crawl_vs_extract_ratio": c["ratio"],
                    "sim_bytes_per_version": c["archive"]["first_crawl"]["bytes_per"],
                    "sim_bytes_per_unchanged_200": c["archive"]["recheck_200"]["bytes_per"],
                    "sim_bytes_per_304": c["archive"]["recheck_304"]["bytes_per"],
                    "sim_crawl_maxrss_mb": c["memory"]["crawl_maxrss_mb"],
                    "sim_crawl_tree_peak_rss_mb": c["memory"]["crawl_tree_peak_rss_mb"]})
    if "policy" in results:
        p = results["policy"]["wirewatch"]
        out.update({"policy_requests_vs_newsdiffs": p["requests_ratio"],
                    "policy_median_delay_min": p["median_delay_min"],
                    "policy_p90_delay_min": p["p90_delay_min"],
                    "policy_missed": p["missed"],
                    "policy_missed_newsdiffs": results["policy"]["newsdiffs"]["missed"],
                    "policy_target_met": results["policy"]["target_met"]})
    if "diff" in results and "skipped" not in results["diff"]:
        for label, row in results["diff"]["sizes"].items():
            out[f"diff_{label}_p99_ms"] = row["total_p99_ms"]
            out[f"diff_{label}_vs_difflib_p50"] = row["ratio_p50"]
        out["diff_target_met"] = results["diff"].get("target_met")
    if "search" in results:
        s = results["search"]
        out.update({"search_versions": s["versions"], "search_query_p95_ms": s["query"]["p95_ms"],
                    "search_ms_per_new_version": s["keep_current"]["ms_per_new_version_p50"],
                    "search_fts_p95_vs_ours": s["fts_p95_vs_tantivy_p95"], "search_target_met": s["target_met"]})
    if "workers" in results and "skipped" not in results["workers"]:
        w = results["workers"]
        out.update({f"workers_{f['workers']}_fetches_per_s": f["fetches_per_s"] for f in w["fetch"]})
        out.update({f"writers_{c['writers']}{'_same' if c['same_articles'] else ''}_commits_per_s": c["commits_per_s"]
                    for c in w["commit"]})
        out.update({f"writers_{c['writers']}{'_same' if c['same_articles'] else ''}_conflicts_per_1000":
                    c["conflicts_per_1000"] for c in w["commit"]})
    return out


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="everything small (tens of articles), for tests")
    parser.add_argument("--articles", type=int, help="article URLs in the real-page crawl (default 1000)")
    parser.add_argument("--hosts", type=int, help="loopback hosts serving them (default 3)")
    parser.add_argument("--rounds", type=int, help="quiet re-checks of every article (default 3)")
    parser.add_argument("--sim-articles", type=int, help="articles in the wiresim crawl (default 1000)")
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts: {','.join(PARTS)}")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help=f"where to write the JSON ({DEFAULT_JSON})")
    parser.add_argument("--policy-articles", type=int, help="articles in the policy simulation (default 2000)")
    parser.add_argument("--diff-samples", type=int, help="timed samples per diff size (default 200)")
    parser.add_argument("--search-versions", type=int, help="synthetic versions in the search index (default 1,000,000)")
    parser.add_argument("--workdir", type=Path, help="keep the crawls' archives here instead of a temp dir")
    args = parser.parse_args(argv)
    for key, value in (QUICK if args.quick else FULL).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    args.parts = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = set(args.parts) - set(PARTS)
    if unknown or not args.parts:
        parser.error(f"--only takes {','.join(PARTS)}; got {args.only!r}")
    for key in ("articles", "sim_articles", "rounds"):
        if getattr(args, key) < 1:
            parser.error(f"--{key.replace('_', '-')} must be at least 1")
    if not 1 <= args.hosts <= 6:
        parser.error("--hosts must be 1..6")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    results: dict = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                "platform": platform.platform()}}
    tables: list[tuple[str, str]] = []
    if "crawl" in args.parts:
        from bench import realbench
        results["crawl"] = realbench.run(args.articles, hosts=args.hosts, rounds=args.rounds, workdir=args.workdir,
                                         identical_rounds=1 if args.quick else realbench.IDENTICAL_ROUNDS)
        tables.append(("Crawl of real pages: end to end vs extraction alone; requests; re-checks",
                       realbench.table(results["crawl"])))
    if "sim" in args.parts:
        results["sim"] = crawlbench.run(args.sim_articles, workdir=args.workdir)
        tables.append(("Crawl of wiresim: end to end vs extraction alone; archive size; memory",
                       crawlbench.table(results["sim"])))
    if "policy" in args.parts:
        crawlbench.log("re-check policy simulation")
        results["policy"] = run_policy(args.policy_articles)
        tables.append(("Re-check policy vs NewsDiffs (simulated 30 days)", policy_table(results["policy"])))
    if "diff" in args.parts:
        crawlbench.log("diff timings")
        results["diff"] = run_diff(args.diff_samples)
        tables.append(("Diff + edit analysis vs difflib word diff", diff_table(results["diff"])))
    if "extract" in args.parts:
        crawlbench.log("body extraction against plain trafilatura")
        results["extract"] = run_extract()
        tables.append(("Body extraction vs trafilatura (article-extraction benchmark)",
                       extract_table(results["extract"])))
    if "search" in args.parts:
        from bench import searchbench
        results["search"] = searchbench.run(args.search_versions, fts_versions=min(100_000, args.search_versions))
        tables.append(("Search: query p95 over every version; keeping the index current; DuckDB fts",
                       searchbench.table(results["search"])))
    if "workers" in args.parts:
        from bench import workersbench
        results["workers"] = workersbench.run(**(workersbench.QUICK if args.quick else workersbench.FULL),
                                              workdir=args.workdir)
        tables.append(("Shared archive: fetches/s with 1-3 workers; catalog commits/s, conflicts and retries",
                       workersbench.table(results["workers"])))
    results["summary"] = summary(results)
    results["elapsed_s"] = round(time.perf_counter() - started, 1)

    for title, text in tables:
        print(f"\n== {title} ==\n{text}")
    print()
    text = json.dumps(results, indent=2, default=str)
    print(text)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(text + "\n")
    crawlbench.log(f"done in {results['elapsed_s']} s; JSON written to {args.json}")
    problems = [p for part in ("crawl", "sim") for p in results.get(part, {}).get("problems", [])]
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
