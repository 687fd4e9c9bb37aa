"""Running crawls: the Scrapy settings wirewatch adds, and a one-shot crawl for the CLI.

The daemon (jobs/) drives repeated crawls on one reactor with AsyncCrawlerRunner; the CLI's
`crawl` and `recheck` run exactly one crawl in a fresh process with CrawlerProcess.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from scrapy.settings import Settings

from archive.store import Archive
from crawler.seeds import Seed


def crawl_settings(archive: Archive, seeds_dir: str | Path | None, schedule: Callable | None = None,
                   progress: bool = False, overrides: dict | None = None) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("WIREWATCH_ARCHIVE", str(archive.path), priority="cmdline")
    settings.set("WIREWATCH_SEEDS", str(seeds_dir) if seeds_dir else None, priority="cmdline")
    settings.set("WIREWATCH_SCHEDULE", schedule, priority="cmdline")
    settings.set("WIREWATCH_PROGRESS", progress, priority="cmdline")
    if progress:
        settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def run_once(seed: Seed, settings: Settings, *, mode: str, all_: bool = False, limit: int | None = None,
             keys: list[str] | None = None) -> dict:
    """One crawl in this process (the reactor starts and stops here); returns the run's row."""
    from scrapy.crawler import CrawlerProcess
    from crawler.spiders.wire import spider_for

    process = CrawlerProcess(settings, install_root_handler=True)
    crawler = process.create_crawler(spider_for(seed))
    process.crawl(crawler, mode=mode, all=all_, limit=limit, keys=keys)
    process.start()
    return crawler.stats.get_value("wirewatch/run") or {}
