"""Seeds: one TOML file per source, validated whole on load.

A bad seed is refused with the file, the field and what is wrong; it never half-loads.
"""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_SEEDS_DIR = Path("seeds")
_PART = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_ARTICLE_FIELDS = {"pattern", "id", "drop", "examples", "not_examples", "same_id", "timezone"}
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")     # BCP 47 as sites use it: en, ru, pt-BR, zh-Hans


class SeedError(ValueError):
    """A seed that cannot be used; str() is one line naming file, field and reason."""

    def __init__(self, path: Path | str, field_name: str, reason: str):
        super().__init__(f"{path}: {field_name}: {reason}")
        self.path, self.field, self.reason = str(path), field_name, reason


def parse_duration(text: str | timedelta) -> timedelta:
    """Parse "90s", "15m", "3h", "2d", "1w" or a sum like "1h30m" (a bare number has no unit:
    refused).

    A timedelta is returned unchanged. Anything else raises ValueError saying what is accepted.
    """
    if isinstance(text, timedelta):
        return text
    if not isinstance(text, str):
        raise ValueError(f"duration must be a string like '15m', '3h' or '2d', got {type(text).__name__} {text!r}")
    s = text.strip().lower()
    if s.startswith("-"):
        raise ValueError(f"duration {text!r} is negative")
    pos, seconds = 0, 0.0
    for m in _PART.finditer(s):
        if m.start() != pos:
            break
        seconds += float(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    if not s or pos != len(s):
        raise ValueError(f"bad duration {text!r}: expected a number and a unit s, m, h, d or w, "
                         "e.g. '90s', '15m', '3h', '2d' or '1h30m'")
    return timedelta(seconds=seconds)


@dataclass(frozen=True)
class Seed:
    name: str
    title: str
    language: str | None
    domains: tuple[str, ...]
    feeds: tuple[str, ...]
    sitemaps: tuple[str, ...]
    pages: tuple[str, ...]
    every: timedelta
    pattern: re.Pattern
    id_pattern: re.Pattern | None
    drop: tuple[str, ...]
    recheck: dict = field(default_factory=dict, hash=False, compare=False)
    path: str = ""
    crawl: dict = field(default_factory=dict, hash=False, compare=False)   # Scrapy settings ([crawl], [archive])
    languages: tuple[str, ...] = ()      # every language the source publishes in; `language` is the first
    examples: tuple[str, ...] = ()       # real article URLs the pattern and id must accept (`sources --check`)
    not_examples: tuple[str, ...] = ()   # URLs on the site that are not articles (menus, sections, galleries)
    same_id: tuple[tuple[str, ...], ...] = ()   # groups of URLs of one story (slug or section change): one id
    timezone: str | None = None          # IANA zone of the times the pages state without an offset

    def scrapy_settings(self) -> dict:
        """The seed's [crawl] table as Scrapy settings for this source's spider."""
        return dict(self.crawl)

    def is_article(self, url: str) -> bool:
        return bool(self.pattern.search(url))

    def article_key(self, url: str) -> str | None:
        """Stable id of an article URL (survives slug changes); None if not an article URL.

        The id is the first capture group that matched, so one `id` can hold alternatives for a
        site that changed its URL scheme: '-(\\d+)\\.html$|/(\\d+)-[a-z-]+\\.html$'."""
        if not self.is_article(url):
            return None
        if self.id_pattern is not None:
            m = self.id_pattern.search(url)
            if m:
                return next((g for g in m.groups() if g), m.group(0))
        return url

    def in_domains(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return any(host == d or host.endswith("." + d) for d in self.domains)


def _need(data: dict, key: str, kind, path, where=""):
    name = f"{where}{key}"
    if key not in data:
        raise SeedError(path, name, "missing")
    value = data[key]
    if not isinstance(value, kind):
        raise SeedError(path, name, f"must be {getattr(kind, '__name__', kind)}, got {type(value).__name__}")
    return value


def _url_list(value, path, name: str) -> tuple[str, ...]:
    """A list of absolute http(s) URLs, or a SeedError naming the field."""
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise SeedError(path, name, "must be a list of URL strings")
    for url in value:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SeedError(path, name, f"not an absolute http(s) URL: {url!r}")
    return tuple(value)


def _urls(section: dict, key: str, path, seed_domains) -> tuple[str, ...]:
    urls = _url_list(section.get(key, []), path, f"discover.{key}")
    for url in urls:
        host = urlsplit(url).hostname.lower()
        if not any(host == d or host.endswith("." + d) for d in seed_domains):
            raise SeedError(path, f"discover.{key}", f"{url!r} is outside the seed's domains {list(seed_domains)}")
    return urls


def _same_id(value, path) -> tuple[tuple[str, ...], ...]:
    """[article] same_id: lists of two or more URLs of one story that must give one id."""
    if not isinstance(value, list) or not all(isinstance(group, list) for group in value):
        raise SeedError(path, "article.same_id", "must be a list of lists of URLs, e.g. [['https://a/x-1', 'https://a/y-1']]")
    groups = tuple(_url_list(group, path, "article.same_id") for group in value)
    if any(len(group) < 2 for group in groups):
        raise SeedError(path, "article.same_id", "each group needs at least two URLs of the same story")
    return groups


def _languages(value, path) -> tuple[str, ...]:
    """`language`: one BCP 47 tag ("en") or a list of them (["ru", "uk"]), the main one first."""
    tags = [value] if isinstance(value, str) else value
    if not isinstance(tags, list) or not tags or not all(isinstance(t, str) for t in tags):
        raise SeedError(path, "language", "must be a language tag like 'en' or a list of them like ['ru', 'uk']")
    for tag in tags:
        if not _LANGUAGE.match(tag):
            raise SeedError(path, "language", f"{tag!r} is not a language tag like 'en', 'ru' or 'pt-BR'")
    return tuple(tags)


def _timezone(value, path) -> str:
    if not isinstance(value, str) or not value:
        raise SeedError(path, "article.timezone", "must be an IANA time zone name like 'Asia/Tokyo'")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise SeedError(path, "article.timezone", f"unknown time zone {value!r} (an IANA name like 'Asia/Tokyo')") from None
    return value


def _regex(text, path, name, need_group=False) -> re.Pattern:
    if not isinstance(text, str) or not text:
        raise SeedError(path, name, "must be a non-empty regular expression string")
    try:
        rx = re.compile(text)
    except re.error as exc:
        raise SeedError(path, name, f"invalid regular expression: {exc}") from None
    if need_group and rx.groups < 1:
        raise SeedError(path, name, "needs one capture group holding the id")
    return rx


def _crawl_settings(table, path) -> dict:
    """[crawl] politeness per source: delay (between requests to it), concurrency, autothrottle."""
    if not isinstance(table, dict):
        raise SeedError(path, "crawl", "must be a table")
    out = {}
    for key, value in table.items():
        if key == "delay":
            try:
                seconds = parse_duration(value).total_seconds() if value not in ("0", "0s") else 0.0
            except ValueError as exc:
                raise SeedError(path, "crawl.delay", str(exc)) from None
            out["DOWNLOAD_DELAY"] = seconds
            out["AUTOTHROTTLE_START_DELAY"] = seconds
        elif key == "concurrency":
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise SeedError(path, "crawl.concurrency", "must be a positive integer")
            out["CONCURRENT_REQUESTS_PER_DOMAIN"] = value
        elif key == "autothrottle":
            if not isinstance(value, bool):
                raise SeedError(path, "crawl.autothrottle", "must be true or false")
            out["AUTOTHROTTLE_ENABLED"] = value
        else:
            raise SeedError(path, f"crawl.{key}", "unknown field (known: delay, concurrency, autothrottle)")
    return out


def _archive_settings(table, path) -> dict:
    """[archive] per source: keep_unchanged — a WARC record of every fetch, also of pages proved
    unchanged (a byte-identical payload or an unchanged body region); off by default, the fetch
    row with its payload digest is the proof."""
    if not isinstance(table, dict):
        raise SeedError(path, "archive", "must be a table")
    out = {}
    for key, value in table.items():
        if key == "keep_unchanged":
            if not isinstance(value, bool):
                raise SeedError(path, "archive.keep_unchanged", "must be true or false")
            out["WIREWATCH_KEEP_UNCHANGED"] = value
        else:
            raise SeedError(path, f"archive.{key}", "unknown field (known: keep_unchanged)")
    return out


def parse_seed(data: dict, path: Path | str) -> Seed:
    name = _need(data, "name", str, path)
    if not _NAME.match(name):
        raise SeedError(path, "name", f"{name!r} must be lowercase letters, digits, '-' or '_'")
    domains = _need(data, "domains", list, path)
    if not domains or not all(isinstance(d, str) and d for d in domains):
        raise SeedError(path, "domains", "must be a non-empty list of host names")
    domains = tuple(d.lower() for d in domains)
    discover = _need(data, "discover", dict, path)
    feeds = _urls(discover, "feeds", path, domains)
    sitemaps = _urls(discover, "sitemaps", path, domains)
    pages = _urls(discover, "pages", path, domains)
    if not (feeds or sitemaps or pages):
        raise SeedError(path, "discover", "needs at least one of feeds, sitemaps, pages")
    try:
        every = parse_duration(discover.get("every", "10m"))
        if every.total_seconds() <= 0:
            raise ValueError("must be positive")
    except ValueError as exc:
        raise SeedError(path, "discover.every", str(exc)) from None
    article = _need(data, "article", dict, path)
    pattern = _regex(article.get("pattern"), path, "article.pattern")
    id_pattern = _regex(article["id"], path, "article.id", need_group=True) if "id" in article else None
    drop = article.get("drop", [])
    if not isinstance(drop, list) or not all(isinstance(x, str) for x in drop):
        raise SeedError(path, "article.drop", "must be a list of CSS selector strings")
    try:
        from cssselect import GenericTranslator, SelectorError
        for selector in drop:
            GenericTranslator().css_to_xpath(selector)
    except SelectorError as exc:
        raise SeedError(path, "article.drop", f"invalid CSS selector: {exc}") from None
    recheck = data.get("recheck", {})
    if not isinstance(recheck, dict):
        raise SeedError(path, "recheck", "must be a table")
    crawl = _crawl_settings(data.get("crawl", {}), path) | _archive_settings(data.get("archive", {}), path)
    languages = _languages(data["language"], path) if "language" in data else ()
    examples = _url_list(article.get("examples", []), path, "article.examples")
    not_examples = _url_list(article.get("not_examples", []), path, "article.not_examples")
    same_id = _same_id(article.get("same_id", []), path)
    timezone = _timezone(article["timezone"], path) if "timezone" in article else None
    unknown = sorted(set(article) - _ARTICLE_FIELDS)
    if unknown:
        raise SeedError(path, f"article.{unknown[0]}", f"unknown field (known: {', '.join(sorted(_ARTICLE_FIELDS))})")
    return Seed(name=name, title=str(data.get("title", name)), language=languages[0] if languages else None,
                domains=domains, feeds=feeds, sitemaps=sitemaps, pages=pages, every=every, pattern=pattern,
                id_pattern=id_pattern, drop=tuple(drop), recheck=recheck, path=str(path), crawl=crawl,
                languages=languages, examples=examples, not_examples=not_examples, same_id=same_id,
                timezone=timezone)


def load_seed(path: Path | str) -> Seed:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SeedError(path, "(file)", exc.strerror or str(exc)) from None
    except tomllib.TOMLDecodeError as exc:
        raise SeedError(path, "(toml)", str(exc)) from None
    seed = parse_seed(data, path)
    if seed.name != path.stem:
        raise SeedError(path, "name", f"{seed.name!r} must match the file name {path.stem!r}")
    return seed


def seeds_dir(path: str | os.PathLike | None = None) -> Path:
    if path:
        return Path(path)
    return Path(os.environ.get("WIREWATCH_SEEDS", DEFAULT_SEEDS_DIR))


def load_seeds(directory: str | os.PathLike | None = None) -> dict[str, Seed]:
    directory = seeds_dir(directory)
    if not directory.is_dir():
        raise SeedError(directory, "(dir)", "no such seeds directory (pass --seeds DIR)")
    return {s.name: s for s in (load_seed(p) for p in sorted(directory.glob("*.toml")))}


def get_seed(name: str, directory: str | os.PathLike | None = None) -> Seed:
    seeds = load_seeds(directory)
    if name not in seeds:
        known = ", ".join(sorted(seeds)) or "none"
        raise SeedError(seeds_dir(directory), "source", f"unknown source {name!r} (known: {known})")
    return seeds[name]
