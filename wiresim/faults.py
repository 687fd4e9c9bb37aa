"""Misbehaviour on demand: which requests get a fault, and how many times. How each fault is
acted out on the wire is the server's job; this module only decides whether one applies."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

FAULT_KINDS = ("500", "503", "reset", "slow", "truncated", "huge", "challenge", "near_empty", "redirect")
# Options each kind understands, with defaults; anything else is refused so a typo is not
# silently ignored.
FAULT_OPTIONS = {"503": {"retry_after": 30}, "slow": {"seconds": 5.0},
                 "huge": {"size": 10_500_000},
                 # a 301 to anywhere, e.g. another host: crawlers must not follow it off-site
                 "redirect": {"location": "http://localhost/elsewhere", "status": 301}}


@dataclass
class Fault:
    target: str              # an article id, a path ("/rss.xml", "/section/*"), or "*"
    kind: str
    remaining: int | None    # requests left; None = until cleared
    options: dict = field(default_factory=dict)

    def matches(self, path: str, article_id: str | None) -> bool:
        if self.target == "*":
            return True
        if self.target.startswith("/"):
            if self.target.endswith("*"):
                return path.startswith(self.target[:-1])
            return path == self.target
        return article_id == self.target


def normalize_target(target) -> str:
    target = str(target).strip()
    if not target or not (target == "*" or target.startswith("/") or target.isdigit()):
        raise ValueError(f"fault target {target!r}: expected an article id, a path starting "
                         "with '/', or '*'")
    return target


class FaultTable:
    def __init__(self):
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, target, kind, count: int | None = None, **options) -> Fault:
        kind = str(kind)
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; kinds: {', '.join(FAULT_KINDS)}")
        if count is not None and int(count) < 1:
            raise ValueError("fault count must be at least 1 (or None for until cleared)")
        allowed = FAULT_OPTIONS.get(kind, {})
        unknown = set(options) - set(allowed)
        if unknown:
            raise ValueError(f"fault {kind!r} takes no option(s) {sorted(unknown)}; "
                             f"it takes {sorted(allowed) or 'none'}")
        fault = Fault(normalize_target(target), kind, None if count is None else int(count),
                      {**allowed, **options})
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self, target=None) -> int:
        with self._lock:
            before = len(self._faults)
            if target is None:
                self._faults.clear()
            else:
                wanted = normalize_target(target)
                self._faults = [f for f in self._faults if f.target != wanted]
            return before - len(self._faults)

    def take(self, path: str, article_id: str | None) -> Fault | None:
        """The first matching fault, spending one of its uses: faults apply in the order set."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(path, article_id):
                    if fault.remaining is not None:
                        fault.remaining -= 1
                        if fault.remaining <= 0:
                            self._faults.remove(fault)
                    return Fault(fault.target, fault.kind, fault.remaining, dict(fault.options))
            return None

    def active(self) -> list[dict]:
        with self._lock:
            return [{"target": f.target, "kind": f.kind, "remaining": f.remaining,
                     **f.options} for f in self._faults]
