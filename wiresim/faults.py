"""Misbehaviour on demand: which requests get a fault, and how many times. How each fault is
acted out on the wire is the server's job; this module only decides whether one applies."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

FAULT_KINDS = ("500", "503", "429", "403", "reset", "slow", "truncated", "huge", "challenge",
               "near_empty", "redirect", "robots")
# Options each kind understands, with defaults; anything else is refused so a typo is not
# silently ignored.
FAULT_OPTIONS = {# Retry-After: None = no header; seconds, sent as delta-seconds or (http_date=True)
                 # as the HTTP-date that many seconds from now
                 "503": {"retry_after": None, "http_date": False},
                 "429": {"retry_after": None, "http_date": False},
                 # agent: None = every request; "default" = a missing or empty User-Agent or an
                 # HTTP library's default one (Scrapy, python-requests, curl ...); else a
                 # case-insensitive substring of the User-Agent. Other requests pass untouched
                 # (and do not use up `count`).
                 "403": {"agent": None},
                 # robots.txt with more Disallow lines (paths) in its `User-agent: *` group, and
                 # its Cache-Control max-age (None: no Cache-Control); ETag follows the content
                 "robots": {"disallow": [], "max_age": 30},
                 "slow": {"seconds": 5.0},
                 "huge": {"size": 10_500_000},
                 # a 301 to anywhere, e.g. another host: crawlers must not follow it off-site
                 "redirect": {"location": "http://localhost/elsewhere", "status": 301}}


@dataclass
class Fault:
    target: str              # an article id, a path ("/rss.xml", "/section/*"), or "*"
    kind: str
    remaining: int | None    # requests left; None = until cleared
    options: dict = field(default_factory=dict)

    def applies_to_agent(self, user_agent: str | None) -> bool:
        agent = self.options.get("agent") if self.kind == "403" else None
        if agent is None:
            return True
        ua = (user_agent or "").strip().lower()
        if agent == "default":
            return not ua or ua.startswith(DEFAULT_AGENTS)
        return str(agent).lower() in ua

    def matches(self, path: str, article_id: str | None) -> bool:
        if self.target == "*":
            return True
        if self.target.startswith("/"):
            if self.target.endswith("*"):
                return path.startswith(self.target[:-1])
            return path == self.target
        return article_id == self.target


# How HTTP libraries introduce themselves when nobody set a User-Agent.
DEFAULT_AGENTS = ("scrapy/", "python-requests/", "python-urllib/", "python-httpx/", "curl/", "wget/",
                  "go-http-client/", "java/", "okhttp/", "aiohttp/", "libwww-perl/")


def _paths(value) -> list[str]:
    paths = [value] if isinstance(value, str) else list(value or [])
    for p in paths:
        if not isinstance(p, str) or not p.startswith("/") or "\n" in p:
            raise ValueError(f"robots disallow {p!r}: expected paths starting with '/'")
    return paths


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
        options = {**allowed, **options}
        if kind == "robots":
            if normalize_target(target) != "/robots.txt":
                raise ValueError("fault 'robots' applies to the target '/robots.txt' only")
            options["disallow"] = _paths(options["disallow"])
            if options["max_age"] is not None and int(options["max_age"]) < 0:
                raise ValueError("robots max_age must be at least 0 (or None)")
        if kind in ("429", "503") and options["retry_after"] is not None and float(options["retry_after"]) < 0:
            raise ValueError("retry_after must be at least 0 seconds (or None for no header)")
        fault = Fault(normalize_target(target), kind, None if count is None else int(count), options)
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

    def take(self, path: str, article_id: str | None, user_agent: str | None = None) -> Fault | None:
        """The first matching fault, spending one of its uses: faults apply in the order set."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(path, article_id) and fault.applies_to_agent(user_agent):
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
