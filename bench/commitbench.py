"""Part 2 of the shared-archive bench (bench/workersbench.py runs it): catalog commits/s with P writer
processes calling Archive.record_batch in a loop, with conflicts and retries per 1,000 commits.

    python -m bench.commitbench writer URL SECONDS BATCH SOURCE      (one writer; the bench starts them)
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from bench.workersbench import ROOT, Cpu, _reason, _tails


# -- 2. catalog commits/s under P writers ---------------------------------------------------------
def commit_rate(server, directory: Path, p: int, write_s: float, batch: int, same: bool) -> dict:
    """P processes each calling record_batch in a loop, each on its own articles (as the source
    leases guarantee) or, with `same`, all on the same ones (what leases prevent)."""
    directory.mkdir(parents=True)
    url = server.create_database(f"commit{p}{'s' * same}")
    env = dict(os.environ, WIREWATCH_DATA_PATH=str(directory / "shared"), PYTHONUNBUFFERED="1")
    cmd = [sys.executable, "-m", "bench.commitbench", "writer", url, str(write_s), str(batch)]
    logs = [open(directory / f"writer{k}.log", "w") for k in range(p)]
    procs = [subprocess.Popen(cmd + ["shared" if same else f"w{k}"], env=env, cwd=ROOT, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=logs[k], text=True) for k in range(p)]

    def line(proc) -> str:
        got = proc.stdout.readline()
        if not got:
            raise RuntimeError(f"a writer exited:\n{_tails(directory)}")
        return got
    try:
        for proc in procs:              # each has opened the archive and created its articles
            line(proc)
        with Cpu(server) as cpu:
            cpu.start()
            for proc in procs:          # all start together: the clock is theirs from here
                proc.stdin.write("go\n")
                proc.stdin.flush()
            results = [json.loads(line(proc)) for proc in procs]
            usage = cpu.stop()
        for proc in procs:
            proc.wait(timeout=60)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
        for f in logs:
            f.close()
    commits = sum(r["commits"] for r in results)
    conflicts = sum(r["conflicts"] for r in results)
    retries = sum(r["retries"] for r in results)
    latencies = sorted(x for r in results for x in r["batch_ms"])
    wall = max(r["elapsed_s"] for r in results)
    return {"writers": p, "same_articles": same, "commits": commits, "commits_per_s": round(commits / wall, 1),
            "rows_per_s": round(sum(r["rows"] for r in results) / wall, 1),
            "conflicts": conflicts, "retries": retries, "gave_up": sum(r["gave_up"] for r in results),
            "failed": sum(r["failed"] for r in results),
            "conflicts_per_1000": round(1000 * conflicts / commits, 1) if commits else None,
            "retries_per_1000": round(1000 * retries / commits, 1) if commits else None,
            "batch_ms_p50": round(statistics.median(latencies), 1) if latencies else None,
            "batch_ms_p95": round(latencies[int(0.95 * (len(latencies) - 1))], 1) if latencies else None,
            "outcomes": _sum_dicts(r["outcomes"] for r in results), "per_writer_commits": [r["commits"] for r in results],
            "conflict_reasons": _sum_dicts(r["conflict_reasons"] for r in results), "cpu": usage}


def _sum_dicts(dicts) -> dict:
    return dict(sum((Counter(d) for d in dicts), Counter()))


BODY = ("MOSCOW, October 17. /TASS/. Russia condemns all forms of terrorism.\nAt least 2,800 people were killed.\n"
        "The diplomat spoke at a news conference.")
EDIT_EVERY = 5       # an article changes on every 5th re-check: ~4 new versions in each batch of 20


def writer(url: str, seconds: float, batch: int, source: str) -> None:
    """One writer process: batches of `batch` re-checks of distinct articles of `source` (5 x batch
    articles in turn), mostly 304s, each article edited every EDIT_EVERY-th time (staggered), so
    versions, change rows and the version log are written too, as a re-check run writes them."""
    from archive import shared
    from archive.records import FetchResult
    from archive.snapshot import Snapshot
    from archive.store import Archive
    # What conflicted, counted here since the archive keeps no log of it: the full error text
    # (WriteConflict's message is cut at 300 characters, before PostgreSQL's reason).
    reasons: dict[str, int] = {}
    last = [""]
    is_conflict = shared.is_conflict

    def noted(exc) -> bool:
        last[0] = _reason(str(exc))
        return is_conflict(exc)
    shared.is_conflict = noted
    made = shared.WriteConflict.__init__

    def counted(self, *args):
        reasons[last[0]] = reasons.get(last[0], 0) + 1
        made(self, *args)
    shared.WriteConflict.__init__ = counted

    archive = Archive(url)
    run_id = archive.start_run("recheck", source)
    articles, round_ = 5 * batch, 0

    def result(k: str, seen: int, now) -> FetchResult:
        url = f"http://bench.invalid/world/{k}/a"
        if seen and (seen + int(k)) % EDIT_EVERY:
            return FetchResult(source=source, url=url, article_key=k, fetched_at=now, http_status=304, etag=f'"{k}"')
        text = f"{BODY}\nRevision {(seen + int(k)) // EDIT_EVERY}."
        return FetchResult(source=source, url=url, article_key=k, fetched_at=now, http_status=200, etag=f'"{k}"',
                           payload_digest=f"{k}-{seen}-{os.getpid()}",
                           snapshot=Snapshot(url=url, title=f"Headline {k}", text=text, byline="TASS", language="en",
                                             published_at="2026-11-01T10:00:00+00:00", extractor="bench"))

    def results() -> list[FetchResult]:
        nonlocal round_
        first = round_ * batch
        round_ += 1
        now = datetime.now(timezone.utc)
        return [result(str(1000 + (first + i) % articles), (first + i) // articles, now) for i in range(batch)]

    for _ in range(articles // batch):      # every article exists before the clock starts
        todo = results()
        while True:
            try:
                archive.record_batch(todo, run_id=run_id)
                break
            except shared.WriteConflict:    # Archive gave up after its retries: again, untimed
                time.sleep(0.1)
    print("ready", flush=True)
    sys.stdin.readline()
    reasons.clear()
    before = dict(shared.STATS)
    retries0, rows, gave_up, failed, times, outcomes = archive.retries, 0, 0, 0, [], {}
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        t = time.perf_counter()
        try:
            for outcome, _ in archive.record_batch(results(), run_id=run_id):
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
                failed += outcome == "error"
            rows += batch
        except shared.WriteConflict:           # still conflicting after Archive's retries
            gave_up += 1
        times.append(round(1000 * (time.perf_counter() - t), 1))
    elapsed = time.monotonic() - started
    print(json.dumps({"commits": shared.STATS["commits"] - before["commits"], "rows": rows,
                      "conflicts": shared.STATS["conflicts"] - before["conflicts"],
                      "retries": archive.retries - retries0, "gave_up": gave_up, "failed": failed,
                      "elapsed_s": elapsed, "batch_ms": times, "outcomes": outcomes, "conflict_reasons": reasons}),
          flush=True)
    archive.finish_run(run_id)


# -- output -----------------------------------------------------------------------------------


if __name__ == "__main__" and len(sys.argv) > 1 and sys.argv[1] == "writer":
    writer(sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
