"""Memory and CPU of a process and all its descendants, sampled from /proc while it runs.

A crawl is several processes: the `wirewatch` process (reactor, archive writer thread) and the
extraction pool (a forkserver and one worker per core, grandchildren of the crawl). getrusage and
wait4 only see the processes their parent reaped, so they miss the pool; sampling the tree sees
all of them, at the cost of missing whatever happens between two samples (0.1 s apart).
Linux only: elsewhere the sampler records nothing and `result()` says so.
"""
from __future__ import annotations

import os
import threading
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


def _mb(n: float) -> float:
    return round(n / 2**20, 1)
