"""Memory and CPU of a process and all its descendants, sampled from /proc while it runs.

A crawl is several processes: the `wirewatch` process (reactor, archive writer thread) and the
extraction pool (a forkserver and one worker per core, grandchildren of the crawl). getrusage and
wait4 only see the processes their parent reaped, so they miss the pool; sampling the tree sees
all of them, at the cost of missing whatever happens between two samples (0.1 s apart).
Linux only: elsewhere the sampler records nothing and `result()` says so.

Sampling misses the CPU a process spends after its last sample (up to `interval` per process:
the extraction workers exit at the very end of a crawl) and loses the forkserver once the crawl
process exits (it is re-parented away from the tree). So the CPU figures come from `run_tree`
instead, which is exact: this process becomes a child subreaper (prctl), so every orphaned
descendant is re-parented to it; the crawl process is reaped with wait4 (its rusage includes every
descendant it or they reaped: the forkserver reaps the workers), and whatever was orphaned (the
forkserver, with its reaped workers) is reaped here too. The crawl process's own CPU is read from
/proc while it is a zombie, before it is reaped. The sampler stays for memory (peak RSS of the
tree) and for the list of processes that took part.
"""
from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

PROC = Path("/proc")


def _read_stat(pid: int) -> tuple[str, int, float, int] | None:
    """(command, parent pid, CPU seconds, resident bytes) of one process, or None if it is gone."""
    try:
        raw = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    head, _, tail = raw.rpartition(")")
    comm = head.partition("(")[2]
    fields = tail.split()
    # fields[0] is field 3 of proc(5): ppid is 4, utime 14, stime 15, rss 24
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    return comm, int(fields[1]), cpu, int(fields[21]) * os.sysconf("SC_PAGE_SIZE")


class TreeSampler:
    """Samples the tree under `root` every `interval` seconds on a daemon thread until stopped."""

    def __init__(self, root: int, interval: float = 0.1):
        self.root, self.interval = root, interval
        self.available = PROC.is_dir()
        self.peak_rss = 0                               # the tree's summed RSS, highest sample
        self.procs: dict[int, dict] = {}                # pid -> comm, parent, max cpu, max rss
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="bench-sampler", daemon=True)

    def __enter__(self) -> "TreeSampler":
        if self.available:
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self) -> None:
        stats = {}
        for entry in PROC.iterdir():
            if entry.name.isdigit():
                stat = _read_stat(int(entry.name))
                if stat is not None:
                    stats[int(entry.name)] = stat
        if self.root not in stats:
            return
        tree, frontier = {self.root}, [self.root]
        children: dict[int, list[int]] = {}
        for pid, (_, ppid, _, _) in stats.items():
            children.setdefault(ppid, []).append(pid)
        while frontier:
            for child in children.get(frontier.pop(), []):
                if child not in tree:
                    tree.add(child)
                    frontier.append(child)
        total = 0
        for pid in tree:
            comm, ppid, cpu, rss = stats[pid]
            total += rss
            seen = self.procs.setdefault(pid, {"comm": comm, "parent": ppid, "cpu_s": 0.0, "rss": 0})
            seen["cpu_s"] = max(seen["cpu_s"], cpu)
            seen["rss"] = max(seen["rss"], rss)
        self.peak_rss = max(self.peak_rss, total)
        self.samples += 1

    def result(self) -> dict:
        """Peak summed RSS of the tree; CPU seconds and peak RSS of the root and of the rest."""
        if not self.available or not self.samples:
            return {"sampled": False}
        root = self.procs.get(self.root, {"cpu_s": 0.0, "rss": 0})
        rest = [p for pid, p in self.procs.items() if pid != self.root]
        return {"sampled": True, "samples": self.samples, "interval_s": self.interval,
                "tree_peak_rss_mb": _mb(self.peak_rss),
                "main_cpu_s": round(root["cpu_s"], 2), "main_peak_rss_mb": _mb(root["rss"]),
                "descendants": len(rest),
                "descendants_cpu_s": round(sum(p["cpu_s"] for p in rest), 2),
                "descendant_peak_rss_mb": _mb(max((p["rss"] for p in rest), default=0))}


def become_subreaper() -> bool:
    """Make this process the reaper of its orphaned descendants (Linux >= 3.4); False elsewhere."""
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0   # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def _children() -> set[int]:
    me, out = os.getpid(), set()
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            stat = _read_stat(int(entry.name))
            if stat is not None and stat[1] == me:
                out.add(int(entry.name))
    return out


def _cpu(usage) -> float:
    return usage.ru_utime + usage.ru_stime


def run_tree(args: list[str], *, timeout: float = 30.0, interval: float = 0.1, **popen) -> dict:
    """Run a command to its end; its exit code, wall time and the CPU of its whole process tree.

    Returns `returncode`, `wall_s`, `tree_cpu_s` (exact, see the module doc; None where the
    subreaper is unavailable), `own_cpu_s` (the root process alone), `descendants_cpu_s`,
    `orphans` (descendants that outlived their parent and were reaped here), `maxrss_mb`
    (wait4's) and `sampled` (TreeSampler.result()).
    """
    exact = PROC.is_dir() and become_subreaper()
    before = _children() if exact else set()
    started = time.perf_counter()
    proc = subprocess.Popen(args, **popen)
    with TreeSampler(proc.pid, interval) as sampler:
        own = None
        if exact:
            os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)   # a zombie: /proc still has its times
            stat = _read_stat(proc.pid)
            own = stat[2] if stat else None
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    tree_cpu, orphans = _cpu(usage), 0
    if exact:
        deadline = time.monotonic() + timeout
        while True:                 # the forkserver notices its parent is gone and exits soon after
            left = _children() - before
            for pid in left:
                done, _, rusage = os.wait4(pid, os.WNOHANG)
                if done:
                    tree_cpu += _cpu(rusage)
                    orphans += 1
            if not left or time.monotonic() > deadline:
                break
            time.sleep(0.02)
    sampled = sampler.result()
    if own is None:
        own = sampled.get("main_cpu_s")
    return {"returncode": proc.returncode, "wall_s": wall,
            "tree_cpu_s": round(tree_cpu, 3) if exact else None,
            "own_cpu_s": round(own, 3) if own is not None else None,
            "descendants_cpu_s": round(tree_cpu - own, 3) if exact and own is not None else None,
            "orphans": orphans, "maxrss_mb": round(usage.ru_maxrss / 1024, 1), "sampled": sampled}


def machine_busy_s() -> float | None:
    """CPU seconds the whole machine has spent busy (all cores) since boot, from /proc/stat."""
    try:
        fields = (PROC / "stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    ticks = [int(x) for x in fields]
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)       # idle + iowait
    busy = sum(ticks[:8]) - idle                                 # guest time is already in user
    return busy / os.sysconf("SC_CLK_TCK")


def _mb(n: float) -> float:
    return round(n / 2**20, 1)


def stop_processes(procs: list[subprocess.Popen], timeout: float = 60.0) -> float:
    """SIGTERM to every process still running, then wait for each (killed past `timeout`): a
    clean stop of daemons, as an operator's would be. Returns the seconds it took."""
    started = time.monotonic()
    for p in procs:
        p.send_signal(signal.SIGTERM)      # Popen skips a process already reaped
    for p in procs:
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    return round(time.monotonic() - started, 1)
