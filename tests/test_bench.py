"""`python -m bench --quick`: the figures agree with the archive, the server's request log and the
machine; the real-page site serves real pages; the CPU accounting sees every process. No timing
thresholds: targets are the bench's business, these check that what it measures is what it says."""
from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from bench.realsite import CORPUS, RealSite, load_corpus

ROOT = Path(__file__).resolve().parents[1]
ARTICLES, HOSTS, ROUNDS, SIM_ARTICLES = 30, 2, 1, 30      # bench/__main__.py QUICK
HAVE_CORPUS = (CORPUS / "ground-truth.json").is_file()
REAL_TEXT = (ROOT.parent / "shared" / "seed-article").is_dir()   # diffbench needs it
LINUX = sys.platform == "linux"
INJECTED = re.compile(rb'<meta name="csrf-token"[^>]*><script nonce=[^<]*</script>|<div class="ad-slot".*?</div>'
                      rb'|<p class="read-also">.*?</p>|<div class="views">[^<]*</div>', re.S)


def _positive(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


# -- the site of real pages ----------------------------------------------------------------------
@pytest.mark.skipif(not HAVE_CORPUS, reason="needs ../shared/corpus/article-extraction-benchmark")
def test_realsite_serves_real_pages_with_rotating_boilerplate():
    pages = load_corpus()
    assert len(pages) == 181
    with RealSite(12, hosts=3, pages=pages) as site:
        assert len({urllib.parse.urlsplit(b).hostname for b in site.base_urls()}) == 3
        n = next(i for i in range(12) if site.page(i).in_place)
        raw = gzip.decompress((CORPUS / "html" / f"{site.page(n).sha}.html.gz").read_bytes())
        one, two = _get(site.url(n)), _get(site.url(n))
        assert one != two                                   # a fresh token, ad slot, views, teaser
        for body in (one, two):
            assert INJECTED.sub(b"", body) == raw           # the corpus page, nothing else changed
            assert body.count(b"Read also: ") == 1
            after = re.compile(rb"</p\s*>", re.I).search(body, re.search(rb"<h1[\s>]", body, re.I).end()).end()
            assert body.index(b'<p class="read-also">') == after   # after the story's first paragraph
        site.mode = "frozen"
        assert _get(site.url(n)) == two == _get(site.url(n))
        site.mode = "plain"
        assert _get(site.url(n)) == raw
        host = site.host(n)
        base = f"http://{host}:{site.ports[host]}"
        assert b"Allow: /" in _get(base + "/robots.txt")
        listed = re.findall(rb"<loc>([^<]+)</loc>", _get(base + "/sitemap.xml"))
        assert [u.decode() for u in listed] == [site.url(i) for i in range(12) if site.host(i) == host]
        with pytest.raises(urllib.error.HTTPError):
            _get(base + site.path((n + 1) % 12))            # an article of another host: 404 here
        counts = site.counts()
        assert counts["article_requests"] == 5 and counts["article_status"] == {"200": 5}
        assert counts["articles_requested"] == 1 and counts["requests"]["other"] == 1


@pytest.mark.skipif(not HAVE_CORPUS, reason="needs ../shared/corpus/article-extraction-benchmark")
def test_realsite_never_puts_boilerplate_inside_a_script():
    """"<body>" and "</p>" also occur as text inside scripts (a JSON-LD articleBody on cbsnews.com):
    boilerplate put there would be a change of structured data, which no real site rotates."""
    pages = load_corpus()
    site = RealSite(len(pages), pages=pages)
    for n, page in enumerate(pages):
        body = site.render(n, 1)
        scripts = [m.span() for m in re.finditer(rb"<script\b.*?</script\s*>", body, re.I | re.S)]
        for marker in (b'<div class="ad-slot"', b'<p class="read-also">', b'<div class="views">'):
            at = body.index(marker)
            assert not any(a <= at < b for a, b in scripts), (page.url, marker)


@pytest.mark.skipif(not LINUX, reason="/proc and the child subreaper are Linux's")
def test_run_tree_counts_descendants_that_outlive_their_parent():
    """A grandchild that burns CPU after its parent has exited (as the forkserver and workers of an
    extraction pool do) is counted; the root's own CPU is told apart."""
    burn = "import time\nt=time.process_time()\nwhile time.process_time()-t<{}: pass\n"
    code = ("import subprocess, sys\n"
            f"subprocess.Popen([sys.executable, '-c', {burn.format(0.6)!r}])\n" + burn.format(0.2))
    probe = ("import json, sys\nfrom bench.proctree import run_tree\n"
             f"print(json.dumps(run_tree([sys.executable, '-c', {code!r}], interval=0.05), default=str))")
    # in a process of its own: run_tree makes its caller the reaper of orphans for good
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    res = json.loads(done.stdout)
    assert res["returncode"] == 0 and res["orphans"] == 1
    assert res["tree_cpu_s"] >= res["own_cpu_s"] + 0.6
    assert 0.2 <= res["own_cpu_s"] < 0.6 + 0.2


# -- the whole bench, small ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "bench.json"
    proc = subprocess.run([sys.executable, "-m", "bench", "--quick", "--only", "crawl,sim,policy,diff",
                           "--json", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert out.exists(), proc.stderr[-3000:]
    return proc, json.loads(out.read_text())


def test_prints_tables_and_the_same_json(bench):
    proc, result = bench
    for title in ("== Crawl of real pages", "== Crawl of wiresim", "== Re-check policy", "== Diff"):
        assert title in proc.stdout
    assert "RATIO end to end / extraction" in proc.stdout
    printed = json.loads(proc.stdout[proc.stdout.index("\n{") + 1:])
    assert printed == result


def test_no_sanity_check_failed(bench):
    """No errors, blocks, missing articles, unrecorded requests or spurious versions."""
    proc, result = bench
    assert result["crawl"].get("problems", []) == [] and result["sim"]["problems"] == []
    assert proc.returncode == 0, proc.stderr[-3000:]


@pytest.mark.skipif(not HAVE_CORPUS, reason="needs the article-extraction corpus")
def test_real_crawl_agrees_with_the_archive_and_the_server(bench):
    r = bench[1]["crawl"]
    f, x = r["first_crawl"], r["extract_alone"]
    assert (r["articles"], r["hosts"], r["quiet_rounds"]) == (ARTICLES, HOSTS, ROUNDS)
    assert f["new_articles"] == f["versions"] == ARTICLES
    # every request the server answered is a fetch row, and the other way round
    assert f["article_requests"] == f["fetch_rows"] == sum(f["outcomes"].values()) >= ARTICLES
    assert sum(f["article_requests_by_host"].values()) == f["article_requests"]
    assert len(f["article_requests_by_host"]) == HOSTS
    assert f["http_requests"]["sitemap"] >= HOSTS and "other" not in f["http_requests"]
    assert f["requests_per_new_article"] == pytest.approx(f["article_requests"] / ARTICLES, abs=0.001)
    # real pages of real size (the simulator's are ~10 KB), the same the baseline extracted
    assert x["pages"] == ARTICLES and x["mean_page_bytes"] > 50_000
    assert f["mean_served_bytes"] == pytest.approx(x["mean_page_bytes"], rel=0.05)
    assert r["ratio"] == pytest.approx(f["articles_per_s"] / x["pages_per_s"], rel=0.02)
    # plain trafilatura, for reference, on the same pages: it does less than wirewatch's extraction
    plain = x["plain_trafilatura"]
    assert plain["pages"] == ARTICLES and _positive(plain["cpu_ms_per_page"])
    assert r["ratio_vs_plain_trafilatura"] == pytest.approx(f["articles_per_s"] / plain["pages_per_s"], rel=0.02)


@pytest.mark.skipif(not (HAVE_CORPUS and LINUX), reason="needs the corpus and /proc")
def test_real_crawl_cpu_covers_every_process(bench):
    r = bench[1]["crawl"]
    c, x = r["first_crawl"]["cpu"], r["extract_alone"]
    assert c["cpu_exact"] is True
    assert c["cpu_s"] == pytest.approx(c["own_cpu_s"] + c["descendants_cpu_s"], abs=0.01)
    assert c["processes"] >= 1
    if c["processes"] >= 3:        # extraction ran in workers (a forkserver and at least one worker)
        assert c["descendants_cpu_s"] > 0.5 * x["cpu_s"]   # they extracted every new article once at least
        assert c["cpu_s"] > c["own_cpu_s"] + 0.5 * x["cpu_s"]
    # wherever extraction ran, the crawl spent at least about what extracting its articles costs
    assert c["cpu_s"] >= 0.7 * x["cpu_s"]
    # the whole machine was busy at least as long as the crawl's processes and this one's servers
    assert c["machine_busy_s"] >= 0.95 * (c["cpu_s"] + c["bench_cpu_s"]) - 0.1
    assert r["first_crawl"]["cpu_ms_per_article"] == pytest.approx(c["cpu_s"] / ARTICLES * 1000, rel=0.01)


@pytest.mark.skipif(not HAVE_CORPUS, reason="needs the article-extraction corpus")
def test_rechecks_agree_with_the_archive_and_the_server(bench):
    r = bench[1]["crawl"]
    for key, rounds in (("recheck_boilerplate", ROUNDS), ("recheck_identical", 1)):
        q = r[key]
        assert q["rounds"] == len(q["per_round"]) == rounds and q["rechecks"] == ARTICLES * rounds
        for one in q["per_round"]:
            assert one["requests"] == sum(one["outcomes"].values()) >= ARTICLES
            # a byte-identical payload is proved unchanged by its digest: no WARC record by default
            if key == "recheck_identical":
                assert one["warc_growth"] == 0
        assert q["unchanged"] == ARTICLES * rounds and q["new_versions"] == 0
        assert q["bytes_per_unchanged"] == pytest.approx(
            q["warc_bytes_per_unchanged"] + q["duckdb_used_bytes_per_unchanged"], abs=2)
        assert _positive(q["cpu_s"]) and q["cpu_marginal_s"] <= q["cpu_s"]
        assert q["cpu_vs_extract"] == pytest.approx(
            q["cpu_s"] / q["unchanged"] / (r["extract_alone"]["cpu_ms_per_page"] / 1000), rel=0.02)
    summary = bench[1]["summary"]
    assert summary["spurious_versions"] == 0
    assert summary["recheck_identical_bytes"] == r["recheck_identical"]["bytes_per_unchanged"]
    assert summary["crawl_vs_extract_ratio"] == r["ratio"]
    assert all(isinstance(v, bool) for v in r["target_met"].values())


def test_sim_crawl_figures(bench):
    c = bench[1]["sim"]
    assert c["articles"] == SIM_ARTICLES
    assert c["crawl"]["versions"] == SIM_ARTICLES and c["crawl"]["new_articles"] == SIM_ARTICLES
    assert c["crawl"]["article_pages"] == sum(c["crawl"]["outcomes"].values()) >= SIM_ARTICLES
    assert c["extract_alone"]["pages"] == SIM_ARTICLES
    assert c["ratio"] == pytest.approx(c["crawl"]["pages_per_s"] / c["extract_alone"]["pages_per_s"], rel=0.01)
    a = c["archive"]
    assert a["recheck_200"]["unchanged_fetches"] == SIM_ARTICLES and a["recheck_200"]["new_versions"] == 0
    assert a["recheck_304"]["unchanged_fetches"] == SIM_ARTICLES
    if LINUX:
        assert c["cpu"]["tree_s"] == pytest.approx(c["cpu"]["crawl_process_s"] + c["cpu"]["extraction_pool_s"],
                                                   abs=0.01)
        assert c["memory"]["crawl_tree_peak_rss_mb"] >= c["memory"]["crawl_maxrss_mb"] * 0.5


def test_policy_and_diff_figures(bench):
    result = bench[1]
    policy = result["policy"]
    assert policy["articles"] == 200
    for name in ("newsdiffs", "wirewatch"):
        for key in ("requests", "median_delay_min", "p90_delay_min"):
            assert _positive(policy[name][key])
    assert result["summary"]["policy_requests_vs_newsdiffs"] == policy["wirewatch"]["requests_ratio"]
    if not REAL_TEXT:
        assert result["diff"]["skipped"]
        return
    assert set(result["diff"]["sizes"]) == {"5KB", "20KB", "100KB"}
    assert result["summary"]["diff_20KB_p99_ms"] == result["diff"]["sizes"]["20KB"]["total_p99_ms"]
