"""The extraction pool survives dead workers: a real forkserver pool, real pages, real SIGKILLs.

- a worker killed with tasks in flight: one rebuild, every in-flight page still extracted, later
  pages too, nothing hangs;
- a page that kills every worker that touches it ("poison", via the test-only hook
  WIREWATCH_TEST_KILL_WORKER): ExtractionFailed after one retry, innocent pages in flight beside
  it are not failed, the pool keeps working;
- max_tasks_per_child does not hang the pool on Python 3.11 (CPython gh-115634);
- end to end: a `wirewatch crawl` of wiresim during which a worker dies archives everything, and a
  poison article becomes an `error` fetch with its WARC record.
"""
from __future__ import annotations

import asyncio
import gzip
import multiprocessing
import os
import signal
from pathlib import Path

import pytest

from crawler import extract_pool
from crawler.extract import extract
from crawler.extract_pool import ExtractionFailed, extract_async
from support import CORPUS

HTML = CORPUS / "article-extraction-benchmark" / "html"
HEADERS = {"Content-Type": "text/html; charset=utf-8"}
URL = "https://example.com/news/1"
TIMEOUT = 120      # "never hangs": every gather below must finish well within this


def pages(n: int) -> list[bytes]:
    files = sorted(HTML.glob("*.html.gz"))[:n]
    if len(files) < n:
        pytest.skip("article-extraction-benchmark corpus not present")
    return [gzip.open(f).read() for f in files]


@pytest.fixture
def fresh_pool(monkeypatch):
    """A pool of our own (2 workers), and none left behind for other tests."""
    extract_pool.shutdown()
    yield
    extract_pool.shutdown()


def _run(coro):
    return asyncio.run(asyncio.wait_for(coro, TIMEOUT))


def _gather(*calls, **kw):
    async def together():
        return await asyncio.gather(*calls, **kw)
    return _run(together())


def _kill_one_worker() -> int:
    pool = extract_pool._pool
    assert pool is not None and pool._processes, "no worker to kill"
    pid = next(iter(pool._processes))
    os.kill(pid, signal.SIGKILL)
    return pid


def _same(a, b) -> bool:
    return (a.title, a.text, a.byline, a.quality) == (b.title, b.text, b.byline, b.quality)


def test_a_worker_killed_mid_flight_costs_one_rebuild_and_no_page(fresh_pool):
    bodies = pages(12)
    expected = [extract(b, URL, HEADERS, ()) for b in bodies]
    before = dict(extract_pool.stats)

    async def crawl():
        tasks = [asyncio.create_task(extract_async(b, URL, HEADERS, (), 2)) for b in bodies]
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        killed = _kill_one_worker()                     # the pool has 2 x 2 calls handed to it
        assert pending, "every page finished before the kill: the test proves nothing"
        results = await asyncio.gather(*tasks, return_exceptions=True)
        return killed, results, len(pending)

    killed, results, in_flight = _run(crawl())
    # every page that was in flight when its worker died was retried (alone) and extracted
    bad = [r for r in results if not hasattr(r, "title")]
    assert not bad, bad
    assert all(_same(got, want) for got, want in zip(results, expected))
    assert extract_pool.stats["rebuilds"] - before["rebuilds"] == 1     # several calls saw it break: ONE rebuild
    assert 1 <= extract_pool.stats["retries"] - before["retries"] <= 4  # at most 2 x workers in flight
    assert extract_pool.stats["failed"] == before["failed"]
    assert killed not in extract_pool._pool._processes
    # and the rebuilt pool keeps extracting
    later = _gather(*(extract_async(b, URL, HEADERS, (), 2) for b in bodies[:4]))
    assert all(_same(got, want) for got, want in zip(later, expected[:4]))


def test_many_coroutines_hitting_a_broken_pool_cause_one_rebuild(fresh_pool):
    bodies = pages(8) * 5                               # 40 calls awaiting at once

    async def crawl():
        await extract_async(bodies[0], URL, HEADERS, (), 4)   # start the pool, 4 workers
        tasks = [asyncio.create_task(extract_async(b, URL, HEADERS, (), 4)) for b in bodies]
        await asyncio.sleep(0.05)
        for pid in list(extract_pool._pool._processes):       # every worker dies at once
            os.kill(pid, signal.SIGKILL)
        return await asyncio.gather(*tasks, return_exceptions=True)

    before = dict(extract_pool.stats)
    results = _run(crawl())
    assert all(hasattr(r, "title") for r in results), [r for r in results if not hasattr(r, "title")]
    assert extract_pool.stats["rebuilds"] - before["rebuilds"] == 1


def test_a_poison_page_fails_alone_after_one_retry_and_the_pool_keeps_working(fresh_pool, monkeypatch):
    monkeypatch.setenv(extract_pool.TEST_KILL_ENV, "poison:wwpoisonmarker")   # read when a pool is made
    bodies = pages(6)
    poison = bodies[0].replace(b"<body", b"<body data-x='wwpoisonmarker'", 1)
    assert poison != bodies[0]
    expected = [extract(b, URL, HEADERS, ()) for b in bodies[1:]]
    before = dict(extract_pool.stats)

    async def crawl():
        return await asyncio.gather(extract_async(poison, URL, HEADERS, (), 2),
                                    *(extract_async(b, URL, HEADERS, (), 2) for b in bodies[1:]),
                                    return_exceptions=True)

    first, *others = _run(crawl())
    assert isinstance(first, ExtractionFailed), first
    assert "died twice" in first.reason
    # the innocent pages in flight beside it were retried alone, not failed with it
    assert all(_same(got, want) for got, want in zip(others, expected)), others
    assert extract_pool.stats["failed"] - before["failed"] == 1
    assert extract_pool.stats["rebuilds"] - before["rebuilds"] == 1   # its retry ran outside the shared pool
    # the pool keeps working, and the poison page fails the same way every time, never hangs
    again = _gather(extract_async(poison, URL, HEADERS, (), 2),
                    *(extract_async(b, URL, HEADERS, (), 2) for b in bodies[1:]), return_exceptions=True)
    assert isinstance(again[0], ExtractionFailed)
    assert all(_same(got, want) for got, want in zip(again[1:], expected))


def test_the_hook_is_off_unless_set(fresh_pool, monkeypatch):
    monkeypatch.delenv(extract_pool.TEST_KILL_ENV, raising=False)
    body = pages(1)[0].replace(b"<body", b"<body data-x='wwpoisonmarker'", 1)
    assert _run(extract_async(body, URL, HEADERS, (), 1)).title


def test_max_tasks_per_child_replaces_workers_without_hanging(fresh_pool, monkeypatch):
    """CPython gh-115634: on 3.11 a stock pool with max_tasks_per_child and a backlog stops
    replacing workers and hangs (200 tasks, 2 workers, limit 50 stop at 100). Ours does not."""
    ctx = multiprocessing.get_context("forkserver")
    with extract_pool._Executor(2, mp_context=ctx, max_tasks_per_child=3) as pool:
        futures = [pool.submit(os.getpid) for _ in range(60)]
        pids = {f.result(timeout=TIMEOUT) for f in futures}
    assert len(pids) >= 20                   # a worker does at most 3 tasks
    # and through extract_async, with real pages
    monkeypatch.setattr(extract_pool, "MAX_TASKS_PER_CHILD", 3)
    bodies = pages(10) * 3
    results = _gather(*(extract_async(b, URL, HEADERS, (), 2) for b in bodies))
    assert all(r.title for r in results)
    assert extract_pool._pool._max_tasks_per_child == 3


@pytest.mark.skipif(not os.environ.get("WIREWATCH_BENCH_POOL"), reason="timing: set WIREWATCH_BENCH_POOL=1")
def test_max_tasks_per_child_costs_little(fresh_pool, monkeypatch):
    import time
    bodies = pages(40)
    n = int(os.environ.get("WIREWATCH_BENCH_POOL_N", "1000"))

    def timed(limit):
        monkeypatch.setattr(extract_pool, "MAX_TASKS_PER_CHILD", limit)
        extract_pool.shutdown()

        async def go():
            await asyncio.gather(*(extract_async(b, URL, HEADERS, (), 2) for b in bodies[:4]))
            t = time.perf_counter()
            await asyncio.gather(*(extract_async(bodies[i % len(bodies)], URL, HEADERS, (), 2) for i in range(n)))
            return time.perf_counter() - t
        return asyncio.run(go())

    without, with_limit = timed(None), timed(500)
    print(f"{n} pages: without {without:.2f}s, max_tasks_per_child=500 {with_limit:.2f}s")
    assert with_limit < without * 1.10


# -- end to end ----------------------------------------------------------------------------------

def test_crawl_survives_a_worker_killed_mid_crawl(ww, sim, tmp_path):
    flag = tmp_path / "worker-killed"
    proc = ww("crawl", "wiresim", env={extract_pool.TEST_KILL_ENV: f"once:{flag}"})
    assert flag.exists(), "no worker was killed: the test proves nothing"
    assert "replacing the extraction pool" in proc.stderr
    ids = sim.article_ids()
    got = {r["article_id"]: r["versions"] for r in ww.sql("SELECT article_id, versions FROM articles")}
    assert got == {f"wiresim:{i}": 1 for i in ids}
    rows = ww.sql("SELECT outcome, count(*) AS n FROM fetches GROUP BY outcome")
    assert {r["outcome"]: r["n"] for r in rows} == {"new": len(ids)}


def test_a_poison_article_is_an_error_fetch_and_the_crawl_goes_on(ww, sim, archive_file):
    poison = sim.publish(headline="Markets steady as talks resume",
                         paragraphs=["Talks resumed on Monday wwpoisonmarker after a week of delays.",
                                     "Officials said both sides hoped to reach an agreement by Friday."])
    proc = ww("crawl", "wiresim", env={extract_pool.TEST_KILL_ENV: "poison:wwpoisonmarker"})
    ids = [i for i in sim.article_ids() if i != poison]
    got = {r["article_id"]: r["versions"] for r in ww.sql("SELECT article_id, versions FROM articles")}
    # every other article is archived: the poison page took no other page with it
    assert all(got.get(f"wiresim:{i}") == 1 for i in ids), got
    assert "extraction worker died twice" in proc.stderr
    # --- DEPENDS ON THE SPIDER CHANGE (crawler/spiders/wire.py, parse_article catching
    # ExtractionFailed): until then the exception leaves the callback and the fetch is lost.
    fetch = ww.sql(f"SELECT outcome, error, warc_file, warc_offset FROM fetches "
                   f"WHERE url = '{sim.article_url(poison)}'")
    assert len(fetch) == 1, fetch
    assert fetch[0]["outcome"] == "error"
    assert "extraction" in fetch[0]["error"] and "died twice" in fetch[0]["error"]
    assert fetch[0]["warc_file"] is not None       # the response is kept, as received
    from warcio.archiveiterator import ArchiveIterator
    with open(Path(archive_file).parent / "warc" / fetch[0]["warc_file"], "rb") as fh:
        fh.seek(fetch[0]["warc_offset"])
        record = next(iter(ArchiveIterator(fh)))
        assert b"wwpoisonmarker" in record.content_stream().read()


def _processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command line) of every process, from /proc."""
    out = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        out[int(entry.name)] = (int(stat.rpartition(")")[2].split()[1]), cmdline)
    return out


def _descendants(pid: int, table: dict[int, tuple[int, str]]) -> set[int]:
    found, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, (parent, _) in table.items() if parent in frontier} - found
        found |= frontier
    return found


@pytest.mark.parametrize("when", ["forkserver starting", "workers running"])
def test_a_crawl_killed_with_sigkill_leaves_no_extraction_process_behind(tmp_path, sim, when):
    """Its forkserver and workers used to live on, re-parented to init: hundreds after a day of
    crash tests, most of the machine's memory. Killed while the forkserver still imports its
    preloads, the crawl is gone before the forkserver can ask who its parent is."""
    import subprocess
    import sys
    import time

    from support import ROOT, write_sim_seed
    seeds = write_sim_seed(tmp_path / "seeds", sim.base_url)
    toml = (seeds / "wiresim.toml").read_text().replace('delay = "0s"', 'delay = "0.5s"')
    (seeds / "wiresim.toml").write_text(toml.replace("concurrency = 16", "concurrency = 1"))
    env = dict(os.environ, WIREWATCH_ARCHIVE=str(tmp_path / "a.duckdb"), WIREWATCH_SEEDS=str(seeds))
    crawl = subprocess.Popen([sys.executable, "-m", "wirewatch.cli", "crawl", "wiresim"], env=env, cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline, workers = time.monotonic() + 60, set()
        while time.monotonic() < deadline and crawl.poll() is None:
            table = _processes()
            tree = _descendants(crawl.pid, table)
            servers = {p for p in tree if "multiprocessing.forkserver" in table[p][1]}
            workers = {p for p in servers if table[p][0] in tree}
            if workers or (servers and when == "forkserver starting"):
                break
            time.sleep(0.05)
        assert workers or (servers and when == "forkserver starting"), "the crawl ended before its pool was seen"
        left = tree
    finally:
        crawl.send_signal(signal.SIGKILL)
        crawl.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        left = left & set(_processes())
        if not left:
            break
        time.sleep(0.2)
    assert not left, {p: _processes().get(p) for p in left}
