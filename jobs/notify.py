"""Notifications of new versions through Apprise (e-mail, Slack, Matrix, Telegram, webhooks …).

Targets come from a `[notify]` table: in the global `wirewatch.toml` (WIREWATCH_CONFIG, --config,
or the file beside the seeds directory) for every source, and in a seed for that source only:

    [notify]
    base_url = "http://wirewatch.example:8080"      # where `wirewatch serve` is reached: diff links
    [[notify.targets]]
    name = "desk"                                    # optional; default <file>#<n>
    url = "json://127.0.0.1:9000/"                   # any Apprise URL
    sources = ["tass"]                               # optional filters; all must hold
    classes = ["headline", "number"]                 # any of these classes
    headline_only = false                            # only versions whose headline changed
    min_words = 0                                    # words added + removed at least

The daemon's notify job (`run_once`, off the crawl's event loop) queues a message per matching
new version in the archive's outbox (archive/outbox.py says what is guaranteed) and sends what is
due; a failed send is retried with backoff, doubling up to MAX_BACKOFF, never dropped.
"""
from __future__ import annotations

import logging
import os
import random
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote

from archive import outbox
from archive.edits import CHANGE_CLASSES

log = logging.getLogger("wirewatch.notify")
MAX_BACKOFF = timedelta(hours=1)
FIRST_BACKOFF_S = 2.0
_TARGET_KEYS = {"name", "url", "sources", "classes", "headline_only", "min_words"}


class NotifyConfigError(ValueError):
    """A bad [notify] table: the file, the field and what is wrong, on one line."""

    def __init__(self, path, field_name, reason):
        super().__init__(f"{path}: {field_name}: {reason}")


@dataclass(frozen=True)
class Target:
    name: str
    url: str
    sources: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()
    headline_only: bool = False
    min_words: int = 0

    @property
    def redacted_url(self) -> str:
        """The URL without credentials, for listings and logs."""
        scheme, sep, rest = self.url.partition("://")
        return f"{scheme}{sep}…@{rest.split('@', 1)[1]}" if "@" in rest.split("/", 1)[0] else self.url

    def wants(self, row: dict) -> bool:
        if row.get("from_version") is None:          # a first capture is not a change
            return False
        if self.sources and row["source"] not in self.sources:
            return False
        if self.classes and not set(self.classes) & set(row["classes"]):
            return False
        if self.headline_only and "headline" not in row["classes"]:
            return False
        return (row.get("words_changed") or 0) >= self.min_words


@dataclass
class NotifyConfig:
    targets: list[Target] = field(default_factory=list)
    base_url: str = "http://127.0.0.1:8080"


def _targets(table: dict, path: Path, only_source: str | None) -> list[Target]:
    import apprise
    entries = table.get("targets", [])
    if not isinstance(entries, list):
        raise NotifyConfigError(path, "notify.targets", "must be an array of tables ([[notify.targets]])")
    out = []
    for i, entry in enumerate(entries):
        where = f"notify.targets[{i}]"
        if not isinstance(entry, dict):
            raise NotifyConfigError(path, where, "must be a table")
        unknown = sorted(set(entry) - _TARGET_KEYS)
        if unknown:
            raise NotifyConfigError(path, f"{where}.{unknown[0]}", f"unknown field (known: {', '.join(sorted(_TARGET_KEYS))})")
        url = entry.get("url")
        if not isinstance(url, str) or not apprise.Apprise().add(url):
            raise NotifyConfigError(path, f"{where}.url", f"{url!r} is not an Apprise URL (e.g. json://host:port/)")
        classes = entry.get("classes", [])
        bad = [c for c in classes if c not in CHANGE_CLASSES]
        if not isinstance(classes, list) or bad:
            raise NotifyConfigError(path, f"{where}.classes", f"unknown class {bad[0] if bad else classes!r} "
                                    f"(classes: {', '.join(CHANGE_CLASSES)})")
        sources = entry.get("sources", [])
        if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
            raise NotifyConfigError(path, f"{where}.sources", "must be a list of source names")
        min_words = entry.get("min_words", 0)
        if not isinstance(min_words, int) or min_words < 0:
            raise NotifyConfigError(path, f"{where}.min_words", "must be a whole number from 0")
        out.append(Target(name=str(entry.get("name") or f"{path.stem}#{i + 1}"), url=url,
                          sources=(only_source,) if only_source else tuple(sources), classes=tuple(classes),
                          headline_only=bool(entry.get("headline_only", False)), min_words=min_words))
    return out


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")).get("notify", {})
    except OSError as exc:
        raise NotifyConfigError(path, "(file)", exc.strerror or str(exc)) from None
    except tomllib.TOMLDecodeError as exc:
        raise NotifyConfigError(path, "(toml)", str(exc)) from None


def load_config(seeds_dir=None, config_path=None) -> NotifyConfig:
    """The global file's targets, then each seed's (for its own source only)."""
    from crawler.seeds import load_seeds, seeds_dir as resolve
    directory = resolve(seeds_dir)
    config = NotifyConfig()
    global_file = Path(config_path or os.environ.get("WIREWATCH_CONFIG") or directory.parent / "wirewatch.toml")
    if config_path and not global_file.exists():
        raise NotifyConfigError(global_file, "(file)", "no such file")
    if global_file.exists():
        table = _read(global_file)
        config.base_url = str(table.get("base_url", config.base_url)).rstrip("/")
        config.targets += _targets(table, global_file, None)
    for name, seed in load_seeds(directory).items():
        table = _read(Path(seed.path))
        config.targets += _targets(table, Path(seed.path), name)
    names = [t.name for t in config.targets]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise NotifyConfigError(global_file, "notify.targets", f"two targets are named {dup!r}")
    return config


def diff_url(base_url: str, article_id: str, from_v, to_v) -> str:
    # the web view's diff page (web/links.py builds the same path)
    return f"{base_url}/diff/{quote(article_id, safe=':')}?from={from_v}&to={to_v}"


def compose(row: dict, base_url: str) -> tuple[str, str]:
    """(title, body): headline, versions and classes; summary; figures old → new; the diff link."""
    classes = ", ".join(row["classes"]) or "edited"
    title = f"{row['source']}: {row['title'] or row['article_id']} (v{row['from_version']}→v{row['version']}: {classes})"
    lines = [row.get("summary") or ""]
    if row["figures"]:
        lines.append("Figures: " + "; ".join(f"{f['old']} → {f['new']}" for f in row["figures"]))
    lines.append(f"Diff: {diff_url(base_url, row['article_id'], row['from_version'], row['version'])}")
    lines.append(f"Article: {row['url']}")
    lines.append(f"Id: tag:wirewatch,2026:{quote(row['article_id'], safe=':')}/v{row['version']}")
    return title, "\n".join(x for x in lines if x)


def send(url: str, title: str, body: str) -> str | None:
    """Send one message; None when the target accepted it, else why not (one line)."""
    import apprise
    sender = apprise.Apprise()
    if not sender.add(url):
        return "not an Apprise URL"
    with apprise.LogCapture(level=logging.WARNING) as captured:
        ok = sender.notify(title=title, body=body)
    if ok:
        return None
    reason = [line for line in captured.getvalue().splitlines() if line.strip()]
    return (reason[-1] if reason else "the target did not accept the message")[:300]


def backoff(attempts: int) -> timedelta:
    seconds = min(MAX_BACKOFF.total_seconds(), FIRST_BACKOFF_S * 2 ** max(0, attempts - 1))
    return timedelta(seconds=seconds * random.uniform(0.8, 1.2))


def run_once(archive, config: NotifyConfig, now: datetime | None = None) -> dict:
    """Queue what is new, then send what is due. Runs in a worker thread of the daemon."""
    now = now or datetime.now(timezone.utc)
    by_name = {t.name: t for t in config.targets}

    def build(row):
        return [(t.name, *compose(row, config.base_url)) for t in config.targets if t.wants(row)]

    report = {"queued": outbox.queue(archive, build, now), "sent": 0, "failed": 0}
    for row in outbox.claim(archive, now):
        target = by_name.get(row["target"])
        error = send(target.url, row["title"], row["body"]) if target else f"no target named {row['target']!r} now"
        if error is None:
            outbox.mark_sent(archive, row, datetime.now(timezone.utc))
            report["sent"] += 1
        else:
            outbox.mark_failed(archive, row, error, datetime.now(timezone.utc) + backoff(row["attempts"] + 1))
            log.warning("notify %s: %s (attempt %d; retried later)", row["target"], error, row["attempts"] + 1)
            report["failed"] += 1
    return report


def send_test(config: NotifyConfig) -> list[tuple[Target, str | None]]:
    sample = {"source": "wirewatch", "article_id": "wirewatch:test", "title": "Test message from wirewatch",
              "from_version": 1, "version": 2, "classes": ["headline", "number"], "url": config.base_url + "/",
              "summary": "A sample: this is what a change notification looks like.",
              "figures": [{"old": "2,800", "new": "3,000"}]}
    title, body = compose(sample, config.base_url)
    return [(t, send(t.url, title, body)) for t in config.targets]


def outbox_counts(archive) -> dict:
    with archive.reading() as con:
        return outbox.counts(con)


def notify_job(archive, seeds: dict) -> None:
    """The daemon's job: the configuration is read each run (an edited file takes effect without
    a restart); a bad one is logged and nothing is queued until it is fixed (then the versions
    written meanwhile are queued: the high-water mark did not move)."""
    if not seeds:
        return
    try:
        config = load_config(Path(next(iter(seeds.values())).path).parent)
    except ValueError as exc:
        log.error("notifications paused: %s", exc)
        return
    try:        # with no targets this only moves the high-water mark: nothing is queued for no one
        report = run_once(archive, config)
    except Exception:
        log.exception("notify run failed; the outbox keeps every message for the next run")
        return
    if any(report.values()):
        log.info("notify: %(queued)d queued, %(sent)d sent, %(failed)d failed (retried later)", report)
