"""`python -m bench` (`make bench`): every wirewatch benchmark, as tables and as JSON.

    python -m bench [--articles N] [--only crawl,policy,diff] [--json PATH]
                    [--policy-articles N] [--diff-samples N] [--workdir DIR]

Prints a table per part, then the figures as JSON, also written to bench/out/bench.json (or
PATH). Every figure is set against a baseline measured in the same run: the crawl against
extraction alone, the re-check policy against NewsDiffs's tiers, the diff against difflib.
Targets are reported, never asserted; the exit status is 1 only when a sanity check failed
(a crawl with errors, blocked pages, missing versions or no 304s), since then no figure means much.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

from bench import crawlbench

PARTS = ("crawl", "policy", "diff")
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
    if "crawl" in results:
        c = results["crawl"]
        out.update({"crawl_pages_per_s": c["crawl"]["pages_per_s"],
                    "extract_alone_pages_per_s": c["extract_alone"]["pages_per_s"],
                    "crawl_vs_extract_ratio": c["ratio"],
                    "crawl_vs_extract_ratio_excl_startup": c["ratio_excl_startup"],
                    "crawl_ratio_target_met": c["target_met"],
                    "bytes_per_version": c["archive"]["first_crawl"]["bytes_per"],
                    "bytes_per_unchanged_200": c["archive"]["recheck_200"]["bytes_per"],
                    "bytes_per_304": c["archive"]["recheck_304"]["bytes_per"],
                    "crawl_maxrss_mb": c["memory"]["crawl_maxrss_mb"],
                    "crawl_tree_peak_rss_mb": c["memory"]["crawl_tree_peak_rss_mb"]})
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
    return out


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000, help="articles in the crawl (default 1000)")
    parser.add_argument("--only", default=",".join(PARTS), help="comma-separated parts: crawl,policy,diff")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help=f"where to write the JSON ({DEFAULT_JSON})")
    parser.add_argument("--policy-articles", type=int, default=2000, help="articles in the policy simulation")
    parser.add_argument("--diff-samples", type=int, default=200, help="timed samples per diff size")
    parser.add_argument("--workdir", type=Path, help="keep the crawl's archives here instead of a temp dir")
    args = parser.parse_args(argv)
    args.parts = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = set(args.parts) - set(PARTS)
    if unknown or not args.parts:
        parser.error(f"--only takes {','.join(PARTS)}; got {args.only!r}")
    if args.articles < 1:
        parser.error("--articles must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    results: dict = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                "platform": platform.platform()}}
    tables: list[tuple[str, str]] = []
    if "crawl" in args.parts:
        results["crawl"] = crawlbench.run(args.articles, workdir=args.workdir)
        tables.append(("Crawl: end to end vs extraction alone; archive size; memory",
                       crawlbench.table(results["crawl"])))
    if "policy" in args.parts:
        crawlbench.log("re-check policy simulation")
        results["policy"] = run_policy(args.policy_articles)
        tables.append(("Re-check policy vs NewsDiffs (simulated 30 days)", policy_table(results["policy"])))
    if "diff" in args.parts:
        crawlbench.log("diff timings")
        results["diff"] = run_diff(args.diff_samples)
        tables.append(("Diff + edit analysis vs difflib word diff", diff_table(results["diff"])))
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
    problems = results.get("crawl", {}).get("problems", [])
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
