"""Shared-archive workers (issue 13): fetches/s with 1, 2 and 3 `wirewatch run` workers on one
PostgreSQL + DuckLake archive, and the catalog's commits/s with conflicts and retries per 1,000
commits under a synthetic writer load.

Everything runs on this machine: the workers, PostgreSQL, the wiresim sources (threads in this
process) and the writers share its cores, so every figure comes with the CPU each of them used and
the machine's utilisation; with 2 cores, more workers can only help while the cores have idle time.

    python -m bench --only workers          (or: python -m bench.workersbench)
"""
from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from bench.crawlbench import log
from bench.proctree import TreeSampler, machine_busy_s, stop_processes

ROOT = Path(__file__).resolve().parents[1]
# Every article is due 2 s after its last check (and its age stays under the 1 h tier): demand is
# articles / 2 s, far above what 2 cores fetch, so the workers are never idle waiting for work.
RECHECK = ('tiers = [["1h", "2s"]]\nmin_interval = "2s"\nbackoff_after = "1h"\nmax_interval = "1h"\n'
           'confirm_gone_after = "2s"\ngone_interval = "5s"')
CRAWL = 'delay = "0s"\nconcurrency = 8\nautothrottle = false'
FULL = {"workers": (1, 2, 3), "sources": 6, "articles": 40, "window_s": 20.0,
        "writers": (1, 2, 4), "write_s": 15.0, "batch": 20}
QUICK = {"workers": (1, 2), "sources": 2, "articles": 10, "window_s": 5.0,
         "writers": (1, 2), "write_s": 4.0, "batch": 10}


def run(*, workers=FULL["workers"], sources=FULL["sources"], articles=FULL["articles"],
        window_s=FULL["window_s"], writers=FULL["writers"], write_s=FULL["write_s"], batch=FULL["batch"],
        same_articles: bool = True, workdir: Path | None = None) -> dict:
    """`workdir`: keep the worker and writer logs and the Parquet/WARC files there (else a temp dir)."""
    sys.path.insert(0, str(ROOT / "tests"))     # tests/ is not importable as a package (shadowed)
    from pgserver import PostgresServer, available
    reason = available()
    if reason:
        return {"skipped": reason}
    server = PostgresServer()
    try:
        server.start()
    except Exception as exc:                    # noqa: BLE001  (never fail the other parts)
        server.stop()
        return {"skipped": f"PostgreSQL did not start: {type(exc).__name__}: {exc}"}
    out: dict = {"cores": os.cpu_count(), "sources": sources, "articles_per_source": articles,
                 "window_s": window_s, "write_s": write_s, "batch": batch, "fetch": [], "commit": []}
    try:
        keep = contextlib.nullcontext(Path(workdir) / f"workers-{int(time.time())}") if workdir else None
        from bench.commitbench import commit_rate       # it uses this module's Cpu and logs
        with keep or tempfile.TemporaryDirectory(prefix="wirewatch-workersbench-") as tmp:
            for n in workers:
                log(f"workers: {n} worker(s), {sources} sources x {articles} articles, {window_s:.0f} s window")
                out["fetch"].append(fetch_rate(server, Path(tmp) / f"fetch{n}", n, sources, articles, window_s))
            variants = [(p, False) for p in writers] + ([(max(writers), True)] if same_articles else [])
            for p, same in variants:
                log(f"workers: catalog commits, {p} writer(s){' on the SAME articles' if same else ''}")
                out["commit"].append(commit_rate(server, Path(tmp) / f"commit{p}{'s' * same}", p, write_s,
                                                 batch, same))
    except Exception as exc:                    # noqa: BLE001  (keep what was measured, and the other parts)
        out["error"] = f"{type(exc).__name__}: {exc}"[:3000]
    finally:
        server.stop()
    return out


# -- CPU: this process's tree (workers, their extraction pools, writers) and PostgreSQL's ----------
class Cpu:
    """CPU seconds between start() and stop() of the process trees under this process (the sims
    run here) and under the postmaster (which pg_ctl detached from us), and of the whole machine.
    Sampled from /proc (bench/proctree.py): RUSAGE_CHILDREN never sees a forkserver's workers."""

    def __init__(self, server):
        postmaster = int((server.data / "postmaster.pid").read_text().split()[0])
        self.samplers = {"ours": TreeSampler(os.getpid(), 0.25), "postgres": TreeSampler(postmaster, 0.25)}

    def __enter__(self) -> "Cpu":
        for s in self.samplers.values():
            s.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        for s in self.samplers.values():
            s.__exit__(*exc)

    def _now(self) -> dict:
        for s in self.samplers.values():
            s.sample()
        return {name: {pid: p["cpu_s"] for pid, p in list(s.procs.items())} for name, s in self.samplers.items()}

    def start(self) -> None:
        self._t0, self._m0, self._p0 = time.monotonic(), machine_busy_s(), self._now()

    def stop(self, mains=()) -> dict:
        """`mains`: pids whose own CPU (without their children) is reported apart, as cores."""
        wall, machine, now = time.monotonic() - self._t0, machine_busy_s(), self._now()
        me = os.getpid()
        delta = {name: {pid: cpu - self._p0[name].get(pid, 0.0) for pid, cpu in procs.items()}
                 for name, procs in now.items()}
        bench = delta["ours"].pop(me, 0.0)          # wiresim's threads and the samplers
        for pid in delta["postgres"]:               # re-parented to us if we are a subreaper (proctree)
            delta["ours"].pop(pid, None)
        ours = sum(delta["ours"].values())
        pg = sum(delta["postgres"].values())
        busy = machine - self._m0 if machine is not None and self._m0 is not None else None
        cores = os.cpu_count() or 1
        return {"wall_s": round(wall, 2), "main_cores": [round(delta["ours"].get(pid, 0.0) / wall, 2) for pid in mains],
                "processes_cpu_s": round(ours, 2), "postgres_cpu_s": round(pg, 2),
                "bench_cpu_s": round(bench, 2), "machine_busy_s": round(busy, 2) if busy is not None else None,
                "cores_busy": round(busy / wall, 2) if busy is not None else None,
                "utilisation": round(busy / (wall * cores), 2) if busy is not None else None,
                "other_load_cores": round(max(busy - ours - pg - bench, 0) / wall, 2) if busy is not None else None}


# -- 1. fetches/s with N workers ----------------------------------------------------------------
def fetch_rate(server, directory: Path, n: int, sources: int, articles: int, window_s: float) -> dict:
    from sharedsupport import sim_seed
    from wiresim import WireSim
    directory.mkdir(parents=True)
    url = server.create_database(f"fetch{n}")
    sims = [WireSim(articles=articles, seed=i + 1).__enter__() for i in range(sources)]
    procs, logs = [], []
    try:
        for i, sim in enumerate(sims):
            sim_seed(directory / "seeds", f"sim{i}", sim.base_url, recheck=RECHECK, crawl=CRAWL)
        env = dict(os.environ, WIREWATCH_ARCHIVE=url, WIREWATCH_SEEDS=str(directory / "seeds"),
                   WIREWATCH_DATA_PATH=str(directory / "shared"), PYTHONUNBUFFERED="1")
        # Discovery again every 15 s: a discovery batch that gave up on write conflicts waits in the
        # journal for the source's next crawl, and a source with no article known has no re-checks.
        cmd = [sys.executable, "-m", "wirewatch.cli", "run", "--recheck-every", "1s", "--discover-every", "15s",
               "--jitter", "0"]
        with Cpu(server) as cpu:
            started = time.monotonic()
            for k in range(n):
                logs.append(open(directory / f"worker{k}.log", "w"))
                procs.append(subprocess.Popen(cmd, env=env, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=logs[-1],
                                              stderr=subprocess.STDOUT))
            total = sources * articles
            while (known := _count(url, "SELECT count(*) FROM articles")) < total:
                if all(p.poll() is not None for p in procs):
                    raise RuntimeError(f"every worker exited:\n{_tails(directory)}")
                if time.monotonic() - started > 120:     # measured anyway, and said so
                    break
                time.sleep(0.5)
            discovered_s = time.monotonic() - started
            time.sleep(3)       # past the first-fetch wave: every article is now in its re-check cycle
            t0 = datetime.now(timezone.utc)
            cpu.start()
            time.sleep(window_s)
            usage = cpu.stop([p.pid for p in procs])
            t1 = datetime.now(timezone.utc)
        stop_s = stop_processes(procs)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        for f in logs:
            f.close()
        for sim in sims:
            sim.__exit__(None, None, None)
    # Counted after the workers stopped: a fetch in the window may have been committed after it.
    where = "fetched_at >= ? AND fetched_at < ?"
    fetches = _count(url, f"SELECT count(*) FROM fetches WHERE {where}", [t0, t1])
    outcomes = dict(_rows(url, f"SELECT outcome, count(*) FROM fetches WHERE {where} GROUP BY 1 ORDER BY 2 DESC",
                          [t0, t1]))
    per_worker = sorted((r[1] for r in _rows(url, f"""SELECT r.worker, count(*) FROM fetches f JOIN runs r
                           USING (run_id) WHERE {where.replace('fetched_at', 'f.fetched_at')} GROUP BY 1""",
                                             [t0, t1])), reverse=True)
    import psycopg          # DuckLake's commits: its snapshots, in the catalog's own table
    with psycopg.connect(url) as con:
        snapshots = con.execute("SELECT count(*) FROM ducklake.ducklake_snapshot WHERE snapshot_time >= %s "
                                "AND snapshot_time < %s", [t0, t1]).fetchone()[0]
    # A clean stop (SIGTERM) should leave no run 'running' and nothing in the journal.
    stale = _count(url, "SELECT count(*) FROM runs WHERE outcome = 'running'")
    journal = len(list((directory / "shared" / "journal").rglob("*.seg")))
    wall = usage["wall_s"]
    return {"workers": n, "articles_known": known, "runs_left_running": stale, "journal_segments_left": journal, "discovered_s": round(discovered_s, 1), "fetches": fetches,
            "fetches_per_s": round(fetches / wall, 1), "outcomes": outcomes, "fetches_by_worker": per_worker,
            "lake_commits": snapshots, "lake_commits_per_s": round(snapshots / wall, 1),
            "cpu_ms_per_fetch": round(1000 * (usage["processes_cpu_s"] + usage["postgres_cpu_s"]) / fetches, 1)
            if fetches else None,
            "cpu": usage, "exit_codes": [p.returncode for p in procs], "stop_s": stop_s,
            "log_problems": _problems(directory)}


def _rows(url: str, sql: str, params=None) -> list[tuple]:
    from archive.store import Archive
    with Archive(url).reading() as con:
        return con.execute(sql, params or []).fetchall()


def _count(url: str, sql: str, params=None) -> int:
    try:
        return _rows(url, sql, params)[0][0]
    except Exception:          # noqa: BLE001  (the workers have not created the archive yet)
        return 0


def _problems(directory: Path) -> dict:
    """Worker log lines that say something went wrong, counted, with the first few. APScheduler's
    "skipped: maximum number of running instances" (a 1 s job still running after 1 s, which is
    the point of this load) is counted apart."""
    found, overran, retried = [], 0, Counter()
    for path in sorted(directory.glob("worker*.log")):
        for line in path.read_text(errors="replace").splitlines():
            if "maximum number of running instances" in line:
                overran += 1
            elif "write conflict, trying again" in line:     # Archive._retrying: by what conflicted
                retried[_reason(line)] += 1
            # log levels, not words: every run's summary line says "0 errors"
            elif any(sign in line for sign in (" ERROR", " WARNING", " CRITICAL", "Traceback")):
                found.append(f"{path.stem}: {line.strip()[:300]}")
    return {"lines": len(found), "first": found[:8], "jobs_overran": overran, "write_retries": dict(retried)}


def _reason(text: str) -> str:
    """What a conflict was on: the statement's table and PostgreSQL's reason, as far as shown."""
    import re
    found = re.search(r'could not serialize access[^"\n]*|deadlock detected|unique constraint "\w+"', text)
    table = re.search(r'(INSERT INTO|UPDATE|DELETE FROM|COPY) "?(?:public"?\.)?"?(\w+)', text)
    return " ".join(x for x in ((table and f"{table.group(1)} {table.group(2)}:"),
                               found.group(0) if found else "(reason cut off)") if x)


def _tails(directory: Path) -> str:
    return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-2000:]}" for p in sorted(directory.glob("*.log")))


def table(r: dict) -> str:
    if "skipped" in r:
        return f"skipped: {r['skipped']}"
    lines = [f"FAILED: {r['error']}"] if "error" in r else []
    lines += [f"{r['sources']} wiresim sources x {r['articles_per_source']} articles, each due every 2 s; "
             f"{r['window_s']:.0f} s window per row; {r['cores']} cores shared by workers, PostgreSQL and the sims",
             f"{'workers':>7} {'fetches/s':>10} {'lake commits/s':>15} {'CPU ms/fetch':>13} {'workers CPU':>12} "
             f"{'PG CPU':>7} {'sims CPU':>9} {'machine':>8} {'other load':>11}  outcomes"]
    for f in r["fetch"]:
        c = f["cpu"]
        lines.append(f"{f['workers']:>7} {f['fetches_per_s']:>10} {f['lake_commits_per_s']:>15} "
                     f"{str(f['cpu_ms_per_fetch']):>13} {c['processes_cpu_s'] / c['wall_s']:>10.2f} c "
                     f"{c['postgres_cpu_s'] / c['wall_s']:>5.2f} c {c['bench_cpu_s'] / c['wall_s']:>7.2f} c "
                     f"{c['utilisation']:>8.0%} {c['other_load_cores']:>9} c  "
                     + ", ".join(f"{k} {v}" for k, v in f["outcomes"].items()))
    total = r["sources"] * r["articles_per_source"]
    for f in r["fetch"]:
        lines.append(f"  {f['workers']} worker(s): fetches by worker {f['fetches_by_worker']}; each worker's own "
                     f"process (no pool) {f['cpu']['main_cores']} cores; 1 s jobs (re-check, index, notify) overran "
                     f"{f['log_problems']['jobs_overran']} times; discovery took {f['discovered_s']} s"
                     + (f" and found only {f['articles_known']} articles" if f["articles_known"] < total else ""))
        if f["log_problems"]["write_retries"]:
            lines.append(f"  {f['workers']} worker(s): writes retried after a conflict (worker logs): "
                         + "; ".join(f"{n} x {k}" for k, n in f["log_problems"]["write_retries"].items()))
        if f["runs_left_running"] or f["journal_segments_left"]:
            lines.append(f"  {f['workers']} worker(s): after SIGTERM, {f['runs_left_running']} runs left 'running' and "
                         f"{f['journal_segments_left']} journal segments unwritten")
        if f["log_problems"]["lines"] or any(f["exit_codes"]):
            lines.append(f"  {f['workers']} worker(s): exit codes {f['exit_codes']}, {f['log_problems']['lines']} "
                         f"problem lines in logs, e.g. {f['log_problems']['first'][:2]}")
    lines += ["(c = cores busy on average; machine = utilisation of all cores; other load = processes not ours)", "",
              f"synthetic writers: record_batch of {r['batch']} fetches in a loop for {r['write_s']:.0f} s",
              f"{'writers':>7} {'articles':>9} {'commits/s':>10} {'rows/s':>8} {'conflicts/1k':>13} "
              f"{'retries/1k':>11} {'gave up':>8} {'batch p50/p95 ms':>17} {'writers CPU':>12} {'PG CPU':>7} "
              f"{'machine':>8} {'other load':>11}"]
    for w in r["commit"]:
        c = w["cpu"]
        lines.append(f"{w['writers']:>7} {'SAME' if w['same_articles'] else 'own':>9} {w['commits_per_s']:>10} "
                     f"{w['rows_per_s']:>8} {str(w['conflicts_per_1000']):>13} {str(w['retries_per_1000']):>11} "
                     f"{w['gave_up']:>8} {str(w['batch_ms_p50']) + ' / ' + str(w['batch_ms_p95']):>17} "
                     f"{c['processes_cpu_s'] / c['wall_s']:>10.2f} c {c['postgres_cpu_s'] / c['wall_s']:>5.2f} c "
                     f"{c['utilisation']:>8.0%} {c['other_load_cores']:>9} c")
    for w in r["commit"]:
        if w["conflict_reasons"]:
            lines.append(f"  {w['writers']} writers, {'SAME' if w['same_articles'] else 'own'} articles, conflicts: "
                         + "; ".join(f"{n} x {k}" for k, n in sorted(w["conflict_reasons"].items(), key=lambda x: -x[1])))
    if any(w["same_articles"] for w in r["commit"]):
        lines.append("(SAME: every writer on the same articles of one source, which source leases prevent in "
                     "production; writers of one source take turns: SharedCatalog.writer_turn)")
    return "\n".join(lines)


def main() -> None:
    quick = "--quick" in sys.argv
    r = run(**{k: v for k, v in (QUICK if quick else FULL).items()})
    print(table(r))
    print(json.dumps(r, indent=2, default=str))


if __name__ == "__main__":
    main()
