"""One crawl per source at a time in the daemon: a re-check that finds one running is skipped, a
discovery waits for it. Discovery used to be skipped too, so a source whose re-checks ran back to
back never discovered a new article again (seen in tests/test_agency_personas.py).

The daemon's own `discover` and `_crawl` run here; only Scrapy's runner is replaced by one whose
crawls last until the test lets them end, so the overlap is certain rather than timed."""
from __future__ import annotations

import asyncio

from crawler.seeds import load_seed
from jobs.daemon import Daemon, DaemonConfig
from support import ROOT


class HeldRunner:
    """Stands in for AsyncCrawlerRunner: records each crawl's mode and holds it open."""

    def __init__(self):
        self.started: list[str] = []
        self.release: dict[str, asyncio.Event] = {}

    def create_crawler(self, spidercls):
        return type("Crawler", (), {"stats": type("Stats", (), {"get_value": lambda self, key: {}})()})()

    async def crawl(self, crawler, **kwargs):
        mode = kwargs["mode"]
        self.started.append(mode)
        self.release[mode] = asyncio.Event()
        await self.release[mode].wait()


def test_a_discovery_waits_for_the_running_recheck_and_a_second_recheck_is_skipped(tmp_path):
    seed = load_seed(ROOT / "seeds" / "tass.toml")

    async def scenario():
        daemon = Daemon(None, {"tass": seed}, None, DaemonConfig())
        daemon.runner = runner = HeldRunner()
        recheck = asyncio.create_task(daemon._crawl(seed, mode="recheck", keys=["1"]))
        await asyncio.sleep(0.05)
        discover = asyncio.create_task(daemon.discover("tass"))
        again = await daemon._crawl(seed, mode="recheck", keys=["2"])     # returns at once: skipped
        await asyncio.sleep(0.05)
        assert again is None and runner.started == ["recheck"] and not discover.done()
        runner.release["recheck"].set()
        await recheck
        await asyncio.sleep(0.05)
        assert runner.started == ["recheck", "discover"]                   # it ran once the lock was free
        runner.release["discover"].set()
        await asyncio.wait_for(discover, 5)

    asyncio.run(scenario())
