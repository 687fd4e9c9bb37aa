"""`wirewatch run`: one long-lived process, APScheduler on Scrapy's asyncio reactor.

The Twisted reactor cannot be restarted in a process, so every crawl runs through one
AsyncCrawlerRunner on one reactor; APScheduler's AsyncIOScheduler fires coroutine jobs on the
same event loop (TwistedScheduler would run them in a thread pool, where runner.crawl fails).
Jobs: discovery per source at the seed's `every`, a re-check every minute that takes the due
articles chosen by the policy, and maintenance (checkpoint, WARC rotation). Nothing about what
is due lives in memory: it is `articles.next_check` in the archive, so a restart (even after
kill -9) picks up where the last committed batch left off.

What crawls learn about a host lasts for the process (crawler/politeness.py): robots.txt per
origin for its lifetime, AutoThrottle's and the 403/429 backoff's delay per download slot, and a
Retry-After: a source the server asked to pause is not crawled (discovery or re-check) before
then, and `wirewatch status` shows until when.
"""
from __future__ import annotations

import asyncio
import logging
import signal
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from archive.store import Archive
from crawler.seeds import Seed

log = logging.getLogger("wirewatch.daemon")


@dataclass
class DaemonConfig:
    recheck_every: timedelta = timedelta(minutes=1)
    maintenance_every: timedelta = timedelta(minutes=30)
    jitter_s: int = 10                   # start-time spread so sources do not all fire together
    total_budget: int | None = None      # re-checks per minute over all sources (None: seeds' budgets)
    discover_every: dict = field(default_factory=dict)   # per-source override of the seed's `every`
    once: bool = False
    stop_after: float | None = None      # seconds; for tests and demos


class Daemon:
    def __init__(self, archive: Archive, seeds: dict[str, Seed], settings, config: DaemonConfig):
        self.archive, self.seeds, self.settings, self.config = archive, seeds, settings, config
        self.locks = {name: asyncio.Lock() for name in seeds}
        self.stopping = asyncio.Event()
        self.runner = None
        self.scheduler = None
        self.active: set[asyncio.Task] = set()   # job coroutines in progress, awaited at shutdown
        # On a shared archive other workers run too: sources and singleton jobs are leased
        # (jobs/leases.py); on the embedded file the DaemonLock makes this the only daemon.
        self.leases = None
        if getattr(archive, "shared", None):
            from jobs.leases import Leases
            self.leases = Leases(archive, archive.worker_id)

    def _track(self) -> None:
        task = asyncio.current_task()
        self.active.add(task)
        task.add_done_callback(self.active.discard)

    # -- jobs --------------------------------------------------------------------------------
    async def _crawl(self, seed: Seed, *, wait: bool = False, **kwargs) -> dict | None:
        """One crawl of `seed` at a time (two crawlers would each keep their own politeness
        delay). A re-check finding one running is skipped: the next minute's re-check takes what is
        still due. A discovery (`wait`) waits for it instead: skipped, a source whose re-checks run
        back to back never discovered anything again."""
        from crawler.politeness import deferred_until
        from crawler.spiders.wire import spider_for
        from jobs.recheck import select_recheck
        lock = self.locks[seed.name]
        if lock.locked() and not wait:
            log.info("%s: a crawl is still running; this run is skipped", seed.name)
            return None
        if lock.locked():
            log.info("%s: discovery waits for the running crawl", seed.name)
        async with lock:
            if self.stopping.is_set():
                return None
            deferred = deferred_until(seed.name)
            if deferred is not None:
                log.info("%s: deferred until %s (%s); this %s run is skipped", seed.name,
                         deferred.until.isoformat(timespec="seconds"), deferred.reason, kwargs.get("mode"))
                return None
            if self.leases is None:
                return await self._crawl_now(seed, spider_for, kwargs)
            taken, released_at = await asyncio.to_thread(self.leases.acquire, f"source:{seed.name}")
            if not taken:
                log.info("%s: another worker is crawling it; this %s run is skipped", seed.name, kwargs.get("mode"))
                return None
            try:
                await self._after_last_holder(seed, released_at)
                if kwargs.get("mode") == "recheck":
                    # chosen again now that no other worker can fetch this source: what was due when
                    # the cycle began may have been fetched by the worker that held it until now
                    kwargs["keys"] = (await asyncio.to_thread(select_recheck, self.archive, [seed], None, None,
                                                              len(kwargs["keys"])))[seed.name]
                    if not kwargs["keys"]:
                        return None
                return await self._crawl_now(seed, spider_for, kwargs)
            finally:
                await asyncio.to_thread(self.leases.release, f"source:{seed.name}")

    async def _after_last_holder(self, seed: Seed, released_at: datetime | None) -> None:
        """Politeness across workers: no request to the publisher sooner than its delay after the
        previous worker's last one (a lease is let go once its crawl has finished)."""
        delay = float(seed.scrapy_settings().get("DOWNLOAD_DELAY") or self.settings.getfloat("DOWNLOAD_DELAY"))
        if released_at is None or delay <= 0:
            return
        wait = (released_at + timedelta(seconds=delay) - datetime.now(timezone.utc)).total_seconds()
        if wait > 0:
            await asyncio.sleep(wait)

    async def _crawl_now(self, seed: Seed, spider_for, kwargs) -> dict | None:
        crawler = self.runner.create_crawler(spider_for(seed))
        await self.runner.crawl(crawler, **kwargs)
        run = crawler.stats.get_value("wirewatch/run") or {}
        if run:
            log.info("%s %s: %s, %d fetches, %d new articles, %d new versions, %d unchanged, "
                     "%d not modified, %d gone, %d blocked, %d errors", seed.name, run.get("job"),
                     run.get("outcome"), run.get("fetches") or 0, run.get("new_articles") or 0,
                     run.get("new_versions") or 0, run.get("unchanged") or 0, run.get("not_modified") or 0,
                     run.get("gone") or 0, run.get("blocked") or 0, run.get("errors") or 0)
        return run

    async def discover(self, name: str) -> None:
        self._track()
        await self._crawl(self.seeds[name], mode="discover", wait=True)
        await self._publish_schedule()

    async def recheck(self) -> None:
        from jobs.recheck import select_recheck
        self._track()
        chosen = await asyncio.to_thread(select_recheck, self.archive, list(self.seeds.values()),
                                         None, self.config.total_budget)
        log.info("recheck: %s", ", ".join(f"{name} {len(keys)} due" for name, keys in chosen.items()))
        await asyncio.gather(*(self._crawl(self.seeds[name], mode="recheck", keys=keys)
                               for name, keys in chosen.items() if keys))
        await self._publish_schedule()

    async def _singleton(self, job: str) -> bool:
        """On a shared archive, whether this worker runs `job` now (one worker at a time does)."""
        if self.leases is None:
            return True
        taken, _ = await asyncio.to_thread(self.leases.acquire, f"job:{job}")
        return taken

    async def _done(self, job: str) -> None:
        if self.leases is not None:
            await asyncio.to_thread(self.leases.release, f"job:{job}")


    async def maintenance(self) -> None:
        from archive.warc import WarcStore
        self._track()
        WarcStore.rotate_all()
        if not await self._singleton("maintenance"):
            return
        try:
            await self._maintain()
        finally:
            await self._done("maintenance")

    async def _maintain(self) -> None:
        if self.leases is not None:      # runs of a worker that died since (others close theirs)
            await asyncio.to_thread(self.archive.close_stale_runs)
        run_id = await asyncio.to_thread(self.archive.start_run, "maintenance", None)
        try:
            done = await asyncio.to_thread(self.archive.maintain)
            if done:
                log.info("maintenance: %s", ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in done.items()))
            await asyncio.to_thread(self.archive.finish_run, run_id, "ok")
        except Exception as exc:
            await asyncio.to_thread(self.archive.finish_run, run_id, "failed", str(exc).splitlines()[0])
            log.exception("maintenance failed")

    # issue 12: the search index and the notification outbox follow the archive's version_log,
    # each in a worker thread, so neither holds up a crawl (both write briefly between batches).
    async def index(self) -> None:
        from search.index import IndexBusy, SearchIndex
        self._track()
        if not await self._singleton("index"):
            return
        try:
            done = await asyncio.to_thread(SearchIndex(self.archive).catch_up)
            if done.indexed:
                log.info("search index: %d new versions indexed", done.indexed)
        except IndexBusy:
            log.info("search index: another process is indexing; this run is skipped")
        except Exception:
            log.exception("search indexing failed; the next run catches up")
        finally:
            await self._done("index")

    async def notify(self) -> None:
        from jobs.notify import notify_job
        self._track()
        if not await self._singleton("notify"):
            return
        try:
            await asyncio.to_thread(notify_job, self.archive, self.seeds)
        finally:
            await self._done("notify")

    async def _publish_schedule(self) -> None:
        """Write the scheduler's next fire times where `wirewatch status` can read them."""
        from crawler.politeness import DEFERRALS
        if self.scheduler is None or self.config.once:
            return
        deferred = {name: d for name, d in DEFERRALS.active().items() if name in self.seeds}

        def after_deferral(source, when):     # a deferred source's jobs do nothing before then
            d = deferred.get(source)
            return max(when, d.until) if d is not None and when is not None else when

        rows = []
        for job in self.scheduler.get_jobs():
            kind, _, source = job.id.partition(":")
            if kind == "recheck":
                rows += [(f"recheck:{name}", "recheck", name, after_deferral(name, job.next_run_time))
                         for name in self.seeds]
            else:
                rows.append((job.id, "crawl" if kind == "discover" else kind, source or None,
                             after_deferral(source, job.next_run_time)))
        # A Retry-After pause, for `wirewatch status` (jobs/status.py reads job = 'deferred').
        rows += [(f"deferred:{name}", "deferred", name, d.until) for name, d in deferred.items()]
        await asyncio.to_thread(self.archive.set_job_schedule, rows)

    # -- life cycle --------------------------------------------------------------------------
    async def run(self) -> None:
        from scrapy.crawler import AsyncCrawlerRunner

        self.runner = AsyncCrawlerRunner(self.settings)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.request_stop, sig)
        if self.leases is not None:      # renewed at a third of their life, --once too
            from jobs.leases import Heartbeat
            await asyncio.to_thread(self.leases.register)
            beat = Heartbeat(self.leases)
        try:
            await self._run(loop)
        finally:
            if self.leases is not None:
                await asyncio.to_thread(beat.stop)
                await asyncio.to_thread(self.leases.stop)     # others need not wait for expiry

    async def _run(self, loop) -> None:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler
        interrupted = await asyncio.to_thread(self.archive.close_stale_runs)
        if interrupted:
            log.info("marked %d runs of an earlier process as interrupted", interrupted)
        if self.config.once:
            await self._run_once()
            return
        self.scheduler = AsyncIOScheduler(event_loop=loop, timezone=timezone.utc,
                                          job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300})
        now = datetime.now(timezone.utc)
        for name, seed in self.seeds.items():
            every = self.config.discover_every.get(name, seed.every)
            self.scheduler.add_job(self.discover, "interval", args=[name], id=f"discover:{name}",
                                   seconds=every.total_seconds(), jitter=self.config.jitter_s, next_run_time=now)
        self.scheduler.add_job(self.recheck, "interval", id="recheck", seconds=self.config.recheck_every.total_seconds(),
                               jitter=min(self.config.jitter_s, 5),
                               next_run_time=now + timedelta(seconds=min(5, self.config.recheck_every.total_seconds())))
        for follower in (self.index, self.notify):       # within one re-check cycle of a new version
            self.scheduler.add_job(follower, "interval", id=follower.__name__,
                                   seconds=self.config.recheck_every.total_seconds(), next_run_time=now)
        self.scheduler.add_job(self.maintenance, "interval", id="maintenance",
                               seconds=self.config.maintenance_every.total_seconds())
        self.scheduler.start()
        log.info("wirewatch daemon running: %s", ", ".join(sorted(self.seeds)))
        if self.config.stop_after:
            loop.call_later(self.config.stop_after, self.request_stop, None)
        await self.stopping.wait()
        await self._shutdown()

    async def _run_once(self) -> None:
        for name in self.seeds:
            await self.discover(name)
        await self.recheck()
        await self.index()
        await self.notify()
        await self.maintenance()

    def request_stop(self, sig=None) -> None:
        if not self.stopping.is_set():
            log.info("stopping (%s): finishing in-flight requests", signal.Signals(sig).name if sig else "timer")
            self.stopping.set()

    async def _stop_crawls(self) -> None:
        # Crawler.stop_async() does nothing to an engine that was still opening when it was
        # called (it only clears `crawling`), so stop running engines directly.
        for crawler in list(self.runner.crawlers):
            engine = getattr(crawler, "_engine", None)
            if crawler.crawling:
                await crawler.stop_async()
            elif engine is not None and engine.running:
                await engine.stop_async()

    async def _shutdown(self) -> None:
        if self.scheduler:
            self.scheduler.pause()       # no new jobs; running ones finish below
        # Closing the spiders runs the pipeline's close: buffered fetches are written, runs closed.
        # A crawl that was still starting when the first stop went out ignores it, so ask again
        # until every job has finished.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 20
        while loop.time() < deadline:
            try:
                await asyncio.wait_for(self._stop_crawls(), timeout=max(0.1, deadline - loop.time()))
            except asyncio.TimeoutError:
                break
            if not self.active:
                break
            await asyncio.wait(set(self.active), timeout=1)
            if not self.active:
                break
        if self.active or self.runner.crawlers:
            log.error("crawls did not stop in time; unwritten fetches will be fetched again on restart")
        if self.scheduler:
            self.scheduler.shutdown(wait=False)
        from archive.warc import WarcStore
        WarcStore.rotate_all()
        await asyncio.to_thread(self.archive.set_job_schedule, [])   # no daemon, no next run times
        await asyncio.to_thread(self.archive.checkpoint)              # leave one file, no log beside it
        log.info("stopped")


def run_daemon(archive: Archive, seeds: dict[str, Seed], settings, config: DaemonConfig) -> None:
    """Install the asyncio reactor, run the daemon until stopped, return."""
    from scrapy.utils.reactor import install_reactor
    install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
    from twisted.internet import reactor
    from twisted.internet.defer import Deferred

    daemon = Daemon(archive, seeds, settings, config)
    result = {}

    def start():
        d = Deferred.fromFuture(asyncio.ensure_future(daemon.run()))
        d.addErrback(lambda f: result.setdefault("error", f))
        d.addBoth(lambda _: reactor.stop())

    reactor.callWhenRunning(start)
    reactor.run(installSignalHandlers=False)
    if "error" in result:
        result["error"].raiseException()
