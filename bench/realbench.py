"""The crawl benchmark on real pages (the headline figures of `make bench`).

bench/realsite.py serves the 181 real pages of the article-extraction benchmark, repeated to N
article URLs on H loopback hosts, each discovered through its host's sitemap. The real
`wirewatch crawl realsite` crawls them in a subprocess; every figure counts the CPU of its whole
process tree (the crawl process, its forkserver and extraction workers: bench/proctree.py) and
is set against baselines measured in the same run:
- `crawler.extract.extract` alone, one process, one thread, over the same pages (the bytes the
  crawl's first fetch of each article got): pages/s and CPU per page. This is the headline's
  baseline, as it was when issue 8 measured 0.64: wirewatch's whole extraction (trafilatura's
  body text plus every headline place, byline, dates, lead, container merge, fingerprint), the
  work each page costs whatever runs it;
- plain `trafilatura.extract(body, url=url)` (its defaults) on the same pages, for reference
  only: what trafilatura by itself costs, so the extra work above is visible;
- the fixed cost of a run: a crawl and two `recheck --all` of a 1-article site (process
  start-up, reactor, pool and archive set-up and shutdown); "marginal" figures subtract it.

The phases, on one archive:
1. first crawl (rotating boilerplate): throughput, CPU per article, HTTP requests per new article;
2. R quiet re-checks (`recheck --all`, full 200s, nothing changes but rotating boilerplate:
   case (b)): spurious versions, CPU and archive bytes per unchanged re-check;
3. re-checks with every payload byte-identical to the previous response (case (a)), IDENTICAL_ROUNDS of them.
The server's request log and the archive's fetch rows are both counted: they must agree.
Targets are reported, never asserted; `problems` lists what makes the figures meaningless (errors,
missing articles, requests the archive did not record) and spurious versions.
"""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from bench.crawlbench import SMALL_RUN_NOTE, Workspace, _check, log, render_rows
from bench.realsite import CORPUS, RealSite, load_corpus

SOURCE = "realsite"
TARGETS = {"ratio": 1.6, "cpu_per_article_vs_extract": None, "requests_per_new_article": 1.05,
           "spurious_versions": 0, "recheck_cpu_vs_extract": 0.2, "recheck_bytes": 200}
ZERO = {"duckdb": 0, "warc": 0, "duckdb_used": 0}
# The DuckDB file grows in 256 KB blocks: over one round of 1,000 re-checks a block is 262 B per
# re-check, the size of the target. Cheap identical rounds, several of them, make the figure mean
# something.
IDENTICAL_ROUNDS = 4


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def extraction_alone(site: RealSite, articles: int) -> dict:
    """`extract` over the pages as the first crawl got them (rotation 0), in this process, one
    thread; only the calls are timed. The first page once untimed (imports, compiled patterns)."""
    from crawler.extract import extract

    headers = {"Content-Type": "text/html"}
    extract(site.render(0, 0), site.url(0), headers)
    wall = cpu = 0.0
    size = is_article = 0
    for n in range(articles):
        body = site.render(n, 0)
        size += len(body)
        t0, c0 = time.perf_counter(), time.process_time()
        is_article += extract(body, site.url(n), headers).is_article
        wall += time.perf_counter() - t0
        cpu += time.process_time() - c0
    return {"pages": articles, "articles": is_article, "wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
            "pages_per_s": round(articles / wall, 1), "cpu_ms_per_page": round(cpu / articles * 1000, 2),
            "mean_page_bytes": round(size / articles), "plain_trafilatura": plain_trafilatura(site, articles)}


def plain_trafilatura(site: RealSite, articles: int) -> dict:
    """`trafilatura.extract` with its defaults over the same pages, the same way (reference only)."""
    import trafilatura

    trafilatura.extract(site.render(0, 0), url=site.url(0))
    wall = cpu = 0.0
    for n in range(articles):
        body = site.render(n, 0)
        t0, c0 = time.perf_counter(), time.process_time()
        trafilatura.extract(body, url=site.url(n))
        wall += time.perf_counter() - t0
        cpu += time.process_time() - c0
    return {"pages": articles, "pages_per_s": round(articles / wall, 1),
            "cpu_ms_per_page": round(cpu / articles * 1000, 2)}


def _phase(ws: Workspace, site: RealSite, label: str, before: dict, problems: list[str], *args: str) -> dict:
    """One `wirewatch` run against the site: its process figures, the server's counts, the run's
    fetch rows and outcomes, new versions and the archive's growth."""
    site.reset_counts()
    stats = ws.run(*args, SOURCE, *(["--all"] if args[0] == "recheck" else []))
    served = site.counts()
    run = ws.last_run()
    outcomes = ws.outcomes(run["run_id"])
    sizes = ws.sizes(run)
    _check(problems, label, outcomes, run)
    rows = sum(outcomes.values())
    if served["article_requests"] != rows:
        problems.append(f"{label}: the server answered {served['article_requests']} article requests, "
                        f"the archive has {rows} fetch rows")
    bad = {k: v for k, v in served["article_status"].items() if k != "200"}
    if bad or served["requests"].get("other"):
        problems.append(f"{label}: unexpected responses: {bad} and {served['requests'].get('other', 0)} "
                        "requests for unknown paths")
    growth = {k: sizes[k] - before.get(k, 0) for k in sizes}
    return {"label": label, "wall_s": round(stats["wall_s"], 2),
            "cpu": {k: stats[k] for k in ("cpu_s", "own_cpu_s", "descendants_cpu_s", "bench_cpu_s",
                                          "machine_busy_s", "processes", "orphans_reaped", "cpu_exact")},
            "tree_peak_rss_mb": stats["tree"].get("tree_peak_rss_mb"), "maxrss_mb": stats["maxrss_mb"],
            "server": served, "fetch_rows": rows, "outcomes": outcomes,
            "new_articles": run.get("new_articles") or 0,
            "new_versions": run["total_versions"] - before.get("versions", 0),
            "articles_total": run["total_articles"], "versions_total": run["total_versions"],
            "unchanged": outcomes.get("unchanged", 0) + outcomes.get("not_modified", 0),
            "growth": growth, "sizes": {**sizes, "versions": run["total_versions"]}}


def _startup(pages, problems: list[str], base: Path) -> dict:
    """The fixed cost of a run: a crawl and two re-checks of a 1-article site."""
    with RealSite(1, hosts=1, pages=pages) as small:
        ws = Workspace(base / "startup", source=SOURCE, seed_text=small.seed_toml(SOURCE))
        crawl = _phase(ws, small, "start-up crawl", ZERO, problems, "crawl")
        re1 = _phase(ws, small, "start-up recheck", crawl["sizes"], problems, "recheck")
        re2 = _phase(ws, small, "start-up recheck", re1["sizes"], problems, "recheck")
    best = min((re1, re2), key=lambda p: p["cpu"]["cpu_s"])
    return {"crawl_wall_s": crawl["wall_s"], "crawl_cpu_s": crawl["cpu"]["cpu_s"],
            "recheck_wall_s": best["wall_s"], "recheck_cpu_s": best["cpu"]["cpu_s"],
            "recheck_cpu_s_both": [re1["cpu"]["cpu_s"], re2["cpu"]["cpu_s"]],
            "tree_peak_rss_mb": crawl["tree_peak_rss_mb"]}


def _recheck_figures(phases: list[dict], startup: dict, extract: dict, articles: int) -> dict:
    """CPU and archive bytes per unchanged re-check over some re-check phases, and what they did."""
    unchanged = sum(p["unchanged"] for p in phases)
    cpu = sum(p["cpu"]["cpu_s"] for p in phases)
    marginal = max(cpu - startup["recheck_cpu_s"] * len(phases), 0.0)
    grow = {k: sum(p["growth"][k] for p in phases) for k in ("duckdb", "warc", "duckdb_used")}
    per = max(unchanged, 1)
    one = extract["cpu_ms_per_page"] / 1000
    outcomes: dict[str, int] = {}
    for p in phases:
        for k, v in p["outcomes"].items():
            outcomes[k] = outcomes.get(k, 0) + v
    requests = sum(p["server"]["article_requests"] for p in phases)
    return {"rounds": len(phases), "rechecks": articles * len(phases), "unchanged": unchanged,
            "outcomes": outcomes, "new_versions": sum(p["new_versions"] for p in phases),
            "requests_per_recheck": round(requests / (articles * len(phases)), 3),
            "wall_s": round(sum(p["wall_s"] for p in phases), 2),
            "cpu_s": round(cpu, 3), "cpu_marginal_s": round(marginal, 3),
            "cpu_ms_per_unchanged": round(cpu / per * 1000, 3),
            "cpu_ms_per_unchanged_marginal": round(marginal / per * 1000, 3),
            "cpu_vs_extract": round(cpu / per / one, 3),
            "cpu_vs_extract_marginal": round(marginal / per / one, 3),
            "bytes_per_unchanged": round((grow["duckdb_used"] + grow["warc"]) / per),
            "bytes_per_unchanged_file": round((grow["duckdb"] + grow["warc"]) / per),
            "warc_bytes_per_unchanged": round(grow["warc"] / per),
            "duckdb_bytes_per_unchanged": round(grow["duckdb"] / per),
            "duckdb_used_bytes_per_unchanged": round(grow["duckdb_used"] / per),
            # the rounds after the first: the first re-check after a crawl also writes what the
            # crawl could not (fingerprints of pages whose noise was learned during it) and
            # DuckDB's blocks settle; a long-running archive sees the later figure
            "bytes_per_unchanged_later_rounds": round(sum(p["growth"]["duckdb_used"] + p["growth"]["warc"]
                                                          for p in phases[1:]) / max(sum(p["unchanged"] for p in phases[1:]), 1))
            if len(phases) > 1 else None,
            "per_round": [{"cpu_s": p["cpu"]["cpu_s"], "wall_s": p["wall_s"], "outcomes": p["outcomes"],
                           "new_versions": p["new_versions"], "requests": p["server"]["article_requests"],
                           "warc_growth": p["growth"]["warc"], "duckdb_growth": p["growth"]["duckdb"],
                           "duckdb_used_growth": p["growth"]["duckdb_used"]}
                          for p in phases]}


def run(articles: int = 1000, hosts: int = 3, rounds: int = 3, seed: int = 0, identical_rounds: int = IDENTICAL_ROUNDS,
        workdir: str | Path | None = None) -> dict:
    pages = load_corpus()
    if not pages:
        return {"skipped": f"no corpus at {CORPUS}"}
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="wirewatch-realbench-") as tmp:
        base = Path(workdir) / "real" if workdir else Path(tmp)
        if (base / "main").exists():
            raise SystemExit(f"{base} already holds a benchmark's archives: give an empty directory")
        log("real pages: start-up baseline (1-article site: a crawl, two re-checks)")
        startup = _startup(pages, problems, base)
        with RealSite(articles, hosts=hosts, pages=pages, seed=seed) as site:
            ws = Workspace(base / "main", source=SOURCE, seed_text=site.seed_toml(SOURCE))
            log(f"real pages: first crawl of {articles} articles on {hosts} hosts")
            first = _phase(ws, site, "first crawl", ZERO, problems, "crawl")
            if first["articles_total"] != articles or first["versions_total"] != articles:
                problems.append(f"first crawl: {first['articles_total']} articles and {first['versions_total']} "
                                f"versions in the archive for {articles} article URLs")
            if first["server"]["articles_requested"] != articles:
                problems.append(f"first crawl: {first['server']['articles_requested']} of {articles} "
                                "article URLs requested")
            log("real pages: extraction alone on the same pages")
            extract = extraction_alone(site, articles)
            quiet, before = [], first["sizes"]
            for i in range(rounds):
                log(f"real pages: quiet re-check {i + 1}/{rounds} (rotating boilerplate, full 200s)")
                quiet.append(_phase(ws, site, f"quiet re-check {i + 1}", before, problems, "recheck"))
                before = quiet[-1]["sizes"]
            site.mode = "frozen"
            same = []
            for i in range(identical_rounds):
                log(f"real pages: re-check with byte-identical payloads {i + 1}/{identical_rounds}")
                same.append(_phase(ws, site, f"identical re-check {i + 1}", before, problems, "recheck"))
                before = same[-1]["sizes"]
    for p in [*quiet, *same]:
        if p["new_versions"]:
            problems.append(f"{p['label']}: {p['new_versions']} spurious versions (nothing but boilerplate changed)")
        elif p["unchanged"] != articles:
            problems.append(f"{p['label']}: {p['unchanged']} of {articles} re-checks unchanged ({p['outcomes']})")
    return _figures(articles, hosts, rounds, problems, startup, first, extract, quiet, same)


def _figures(articles, hosts, rounds, problems, startup, first, extract, quiet, same) -> dict:
    wall, fixed = first["wall_s"], startup["crawl_wall_s"]
    new = max(first["new_articles"], 1)
    per_s = new / wall
    steady = new / (wall - fixed) if wall > fixed else None
    one_ms = extract["cpu_ms_per_page"]
    cpu = first["cpu"]
    tree_ms = cpu["cpu_s"] / new * 1000
    marginal_ms = max(cpu["cpu_s"] - startup["crawl_cpu_s"], 0) / new * 1000
    requests = first["server"]["article_requests"]
    served = first["server"]["bytes"].get("article", 0) / max(requests, 1)
    b, a = _recheck_figures(quiet, startup, extract, articles), _recheck_figures(same, startup, extract, articles)
    return {
        "articles": articles, "hosts": hosts, "quiet_rounds": rounds, "cores": cores(),
        "corpus_pages": len(load_corpus()), "problems": problems, "targets": TARGETS,
        "headline": "ratio: new articles archived per second end to end (process start-up included) / "
                    "pages per second of wirewatch's extraction (crawler.extract.extract: trafilatura's text "
                    "plus headlines, byline, dates, container) alone in one thread",
        "startup": startup,
        "first_crawl": {
            "wall_s": wall, "new_articles": first["new_articles"], "fetch_rows": first["fetch_rows"],
            "outcomes": first["outcomes"], "versions": first["versions_total"],
            "articles_per_s": round(per_s, 1), "fetches_per_s": round(first["fetch_rows"] / wall, 1),
            "articles_per_s_excl_startup": round(steady, 1) if steady else None,
            "http_requests": first["server"]["requests"], "article_requests": requests,
            "article_requests_by_host": first["server"]["article_requests_by_host"],
            "requests_per_new_article": round(requests / new, 3),
            "mean_served_bytes": round(served),
            "cpu": cpu, "cpu_ms_per_article": round(tree_ms, 2),
            "cpu_ms_per_article_marginal": round(marginal_ms, 2),
            "cpu_per_article_vs_extract": round(tree_ms / one_ms, 3),
            "cpu_per_article_vs_extract_marginal": round(marginal_ms / one_ms, 3),
            "utilisation": round((cpu["cpu_s"] + cpu["bench_cpu_s"]) / (wall * cores()), 2),
            "other_load_cores": round(max(cpu["machine_busy_s"] - cpu["cpu_s"] - cpu["bench_cpu_s"], 0) / wall, 2)
            if cpu["machine_busy_s"] is not None else None,
            "tree_peak_rss_mb": first["tree_peak_rss_mb"], "crawl_maxrss_mb": first["maxrss_mb"],
            "archive_bytes_per_article": round((first["growth"]["duckdb"] + first["growth"]["warc"]) / new)},
        "extract_alone": extract,
        "ratio": round(per_s / extract["pages_per_s"], 3),
        "ratio_excl_startup": round(steady / extract["pages_per_s"], 3) if steady else None,
        "ratio_vs_plain_trafilatura": round(per_s / extract["plain_trafilatura"]["pages_per_s"], 3),
        "target_met": {"ratio": per_s / extract["pages_per_s"] >= TARGETS["ratio"],
                       "requests_per_new_article": requests / new <= TARGETS["requests_per_new_article"],
                       "spurious_versions": b["new_versions"] + a["new_versions"] == 0,
                       "recheck_cpu_identical": a["cpu_vs_extract_marginal"] <= TARGETS["recheck_cpu_vs_extract"],
                       "recheck_cpu_boilerplate": b["cpu_vs_extract_marginal"] <= TARGETS["recheck_cpu_vs_extract"],
                       "recheck_bytes_identical": a["bytes_per_unchanged"] <= TARGETS["recheck_bytes"],
                       "recheck_bytes_boilerplate": b["bytes_per_unchanged"] <= TARGETS["recheck_bytes"]},
        "recheck_boilerplate": b, "recheck_identical": a,
    }


def _ok(met: bool) -> str:
    return "met" if met else "NOT met"


def table(r: dict) -> str:
    if "skipped" in r:
        return f"skipped: {r['skipped']}"
    f, x, s, t, met = r["first_crawl"], r["extract_alone"], r["startup"], r["targets"], r["target_met"]
    c = f["cpu"]
    rows = [
        ("site", f"{r['articles']} article URLs of {r['corpus_pages']} real pages on {r['hosts']} hosts; "
                 f"{f['mean_served_bytes']:,} B mean served; {r['cores']} cores"),
        ("first crawl", f"{f['wall_s']:.1f} s; {f['new_articles']} new articles, {f['fetch_rows']} fetch rows "
                        f"({_outcomes(f['outcomes'])})"),
        ("end to end", f"{f['articles_per_s']:.1f} articles/s ({f['fetches_per_s']:.1f} fetches/s); "
                       f"excl. start-up ({s['crawl_wall_s']:.1f} s) {f['articles_per_s_excl_startup']}"),
        ("extraction alone (1 thread)", f"{x['pages_per_s']:.1f} pages/s, {x['cpu_ms_per_page']:.2f} ms CPU/page "
                                        "(wirewatch's crawler.extract.extract: the baseline below)"),
        ("  plain trafilatura (reference)", f"{x['plain_trafilatura']['pages_per_s']:.1f} pages/s, "
                                            f"{x['plain_trafilatura']['cpu_ms_per_page']:.2f} ms CPU/page "
                                            "(trafilatura.extract, its defaults: body text only); end to end / "
                                            f"plain trafilatura {r['ratio_vs_plain_trafilatura']:.2f}x"),
        ("RATIO end to end / extraction", f"{r['ratio']:.2f}x  (target >= {t['ratio']}: {_ok(met['ratio'])}); "
                                          f"excl. start-up {r['ratio_excl_startup']}x"),
        ("CPU per article, all processes", f"{f['cpu_ms_per_article']:.2f} ms = {f['cpu_per_article_vs_extract']:.2f}x "
                                           f"one extraction; excl. start-up {f['cpu_ms_per_article_marginal']:.2f} ms "
                                           f"= {f['cpu_per_article_vs_extract_marginal']:.2f}x"),
        ("CPU s: tree / crawl proc / workers", f"{c['cpu_s']:.2f} / {c['own_cpu_s']} / {c['descendants_cpu_s']} "
                                              f"({c['processes']} processes; site+bench {c['bench_cpu_s']:.2f}; machine "
                                              f"{c['machine_busy_s']}; utilisation {f['utilisation']:.0%})"),
        ("other load on the machine", f"{f['other_load_cores']} cores busy with processes not ours during the crawl "
                                      "(figures are only comparable when this is near 0)"),
        ("requests per new article", f"{f['requests_per_new_article']:.3f}  (target <= {t['requests_per_new_article']}: "
                                     f"{_ok(met['requests_per_new_article'])}; by host {f['article_requests_by_host']})"),
        ("archive bytes per new article", f"{f['archive_bytes_per_article']:,} B"),
    ]
    for key, label in (("recheck_boilerplate", f"re-check, boilerplate only (x{r['quiet_rounds']})"),
                       ("recheck_identical", f"re-check, identical bytes (x{r['recheck_identical']['rounds']})")):
        q = r[key]
        kind = "boilerplate" if key == "recheck_boilerplate" else "identical"
        rows += [
            (label, f"{q['unchanged']}/{q['rechecks']} unchanged, {q['new_versions']} new versions "
                    f"({_outcomes(q['outcomes'])}); {q['requests_per_recheck']:.2f} requests each"),
            ("  CPU per unchanged re-check", f"{q['cpu_ms_per_unchanged_marginal']:.2f} ms excl. start-up = "
                                             f"{q['cpu_vs_extract_marginal']:.3f}x one extraction (target <= "
                                             f"{t['recheck_cpu_vs_extract']}: {_ok(met['recheck_cpu_' + kind])}); "
                                             f"with start-up {q['cpu_vs_extract']:.2f}x"),
            ("  archive bytes per re-check", f"{q['bytes_per_unchanged']:,} B (WARC {q['warc_bytes_per_unchanged']:,} "
                                             f"+ DuckDB used blocks {q['duckdb_used_bytes_per_unchanged']:,}; target <= "
                                             f"{t['recheck_bytes']}: {_ok(met['recheck_bytes_' + kind])}); "
                                             f"DuckDB file {q['duckdb_bytes_per_unchanged']:,}"
                                             + (f"; rounds after the first {q['bytes_per_unchanged_later_rounds']:,} B"
                                                if q.get("bytes_per_unchanged_later_rounds") is not None else "")),
        ]
    rows.append(("spurious versions", f"{r['recheck_boilerplate']['new_versions'] + r['recheck_identical']['new_versions']}"
                                      f"  (target {t['spurious_versions']}: {_ok(met['spurious_versions'])})"))
    rows.append(("start-up run CPU: crawl / recheck", f"{s['crawl_cpu_s']:.2f} / {s['recheck_cpu_s']:.2f} s"))
    return render_rows(rows, r, SMALL_RUN_NOTE + "; CPU excl. start-up is noisy at this size")


def _outcomes(d: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in d.items())
