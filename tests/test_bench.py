"""`python -m bench` at small scale: every figure is present, typed and sane. No timing thresholds."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = 30
REAL_TEXT = (ROOT.parent / "shared" / "seed-article").is_dir()   # diffbench needs it


def _positive(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "bench.json"
    proc = subprocess.run([sys.executable, "-m", "bench", "--articles", str(ARTICLES),
                           "--policy-articles", "200", "--diff-samples", "4", "--json", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    assert out.exists(), proc.stderr[-3000:]
    return proc, json.loads(out.read_text())


def test_prints_tables_and_the_same_json(bench):
    proc, result = bench
    for title in ("== Crawl", "== Re-check policy", "== Diff"):
        assert title in proc.stdout
    assert "RATIO end to end / extraction" in proc.stdout
    printed = json.loads(proc.stdout[proc.stdout.index("\n{") + 1:])
    assert printed == result


def test_crawl_figures(bench):
    c = bench[1]["crawl"]
    assert c["articles"] == ARTICLES
    assert c["crawl"]["versions"] == ARTICLES and c["crawl"]["new_articles"] == ARTICLES
    # each article fetched twice on its first crawl (the confirmation fetch); all of them count
    assert c["crawl"]["article_pages"] == sum(c["crawl"]["outcomes"].values()) >= ARTICLES
    assert c["crawl"]["outcomes"].get("error", 0) == 0 and c["crawl"]["outcomes"].get("blocked", 0) == 0
    for value in (c["crawl"]["pages_per_s"], c["crawl"]["wall_s"], c["startup"]["wall_s"],
                  c["extract_alone"]["pages_per_s"], c["extract_alone"]["mean_page_bytes"], c["ratio"]):
        assert _positive(value)
    assert c["extract_alone"]["pages"] == ARTICLES
    assert c["ratio"] == pytest.approx(c["crawl"]["pages_per_s"] / c["extract_alone"]["pages_per_s"], rel=0.01)
    if c["ratio_excl_startup"] is not None:
        assert c["ratio_excl_startup"] >= c["ratio"]
    assert isinstance(c["target_met"], bool) and c["target_ratio"] == 1.6
    assert c["target_met"] == (c["ratio"] >= 1.6)


def test_archive_and_memory_figures(bench):
    c = bench[1]["crawl"]
    first = c["archive"]["first_crawl"]
    assert first["versions"] == ARTICLES
    assert _positive(first["bytes_per"]) and _positive(first["warc_per"]) and _positive(first["duckdb_bytes"])
    assert first["bytes_per"] == pytest.approx(first["duckdb_per"] + first["warc_per"], abs=2)
    for key in ("recheck_200", "recheck_304"):
        r = c["archive"][key]
        assert r["fetches"] >= ARTICLES
        assert isinstance(r["bytes_per"], int) and _positive(r["warc_bytes"])  # DuckDB grows in blocks
    assert c["archive"]["recheck_200"]["unchanged_fetches"] == ARTICLES
    assert c["archive"]["recheck_200"]["new_versions"] == 0
    m = c["memory"]
    for key in ("crawl_maxrss_mb", "bench_maxrss_mb", "vs_startup_maxrss"):
        assert _positive(m[key])
    if sys.platform == "linux":
        assert m["crawl_tree_peak_rss_mb"] >= m["crawl_maxrss_mb"] * 0.5
        assert _positive(c["cpu"]["extraction_pool_s"])


def test_policy_and_diff_figures(bench):
    result = bench[1]
    policy = result["policy"]
    assert policy["articles"] == 200
    for name in ("newsdiffs", "wirewatch"):
        for key in ("requests", "median_delay_min", "p90_delay_min"):
            assert _positive(policy[name][key])
        assert policy[name]["missed"] >= 0
    assert isinstance(policy["target_met"], bool)
    summary = result["summary"]
    assert summary["crawl_vs_extract_ratio"] == result["crawl"]["ratio"]
    assert summary["policy_requests_vs_newsdiffs"] == policy["wirewatch"]["requests_ratio"]
    if not REAL_TEXT:
        assert result["diff"]["skipped"]
        return
    sizes = result["diff"]["sizes"]
    assert set(sizes) == {"5KB", "20KB", "100KB"}
    for row in sizes.values():
        for key in ("total_p50_ms", "total_p99_ms", "baseline_p50_ms", "baseline_p99_ms", "ratio_p50"):
            assert _positive(row[key])
    assert summary["diff_20KB_p99_ms"] == sizes["20KB"]["total_p99_ms"]


def test_no_sanity_check_failed(bench):
    """Crawls without errors or blocks, every article versioned, 304s recorded as not_modified."""
    proc, result = bench
    assert result["crawl"]["problems"] == []
    assert proc.returncode == 0
