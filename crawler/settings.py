"""Scrapy settings for wirewatch: polite by default.

`scrapy crawl <source>` reads these; `wirewatch` starts from them and adds the archive path, the
seeds directory and the re-check policy (see crawler/runner.py).
"""
BOT_NAME = "wirewatch"
SPIDER_LOADER_CLASS = "crawler.loader.SeedSpiderLoader"
SPIDER_MODULES: list[str] = []

# An honest User-Agent with a way to reach whoever runs it: set WIREWATCH_CONTACT to your own
# URL or e-mail address so a site's operators can reach you rather than block you.
import os as _os

USER_AGENT = ("wirewatch/0.1 (news revision archiver; +"
              + _os.environ.get("WIREWATCH_CONTACT", "https://github.com/wirewatch/wirewatch") + ")")
ROBOTSTXT_OBEY = True

AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 4.0
CONCURRENT_REQUESTS = 16
# Each callback yields one item or a few requests; a pool of 100 item tasks per output only costs time.
CONCURRENT_ITEMS = 1
CONCURRENT_REQUESTS_PER_DOMAIN = 8
DOWNLOAD_DELAY = 0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024      # an 8 MB article page is not an article
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
DOWNLOAD_FAIL_ON_DATALOSS = True        # a truncated body is an error, never a version

RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_BACKOFF_BASE = 1.0                # seconds; doubles per retry (our own backoff, not Retry-After)
RETRY_BACKOFF_MAX = 30.0

# Politeness that lasts (crawler/politeness.py). What one crawl learns about a host is kept for the
# life of the process, so the daemon's crawls (one a minute per source) share it; a one-shot
# `wirewatch crawl`/`recheck` is one process, so for it this is per crawl.
# robots.txt (crawler/robots.py): one fetch per origin (scheme, host, port) per lifetime: its
# Cache-Control max-age, at most 24 h (RFC 9309), at least the minimum below; then asked again
# with If-None-Match / If-Modified-Since. A 4xx means no rules; a 5xx or no answer keeps the last.
WIREWATCH_ROBOTSTXT_MIN_TTL = 300.0     # seconds; a shorter max-age (or no-cache) is raised to this
WIREWATCH_ROBOTSTXT_MAX_TTL = 24 * 3600.0   # seconds; capped at 24 h whatever is set
WIREWATCH_ROBOTSTXT_ERROR_TTL = 600.0   # seconds before a robots.txt that failed is asked for again
# Retry-After (either form) on these statuses pauses the whole host and the crawl's source until
# then, however long. Up to WIREWATCH_RETRY_AFTER_WAIT seconds the crawl waits and retries; a longer
# pause ends the crawl and the daemon skips the source's jobs until then (`wirewatch status` shows it).
WIREWATCH_RETRY_AFTER_HTTP_CODES = [429, 503]
WIREWATCH_RETRY_AFTER_WAIT = 30.0
# 403 and 429 back the host off (crawler/throttle.py): each doubles the slot's delay (at least the
# start, at most the max); each success halves it, and under the start it is gone.
WIREWATCH_BACKOFF_HTTP_CODES = [401, 403, 429]   # 401: DataDome answers bots so too
WIREWATCH_BACKOFF_START = 1.0           # seconds
WIREWATCH_BACKOFF_MAX = 600.0           # seconds
WIREWATCH_THROTTLE_CARRY_OVER = True    # a crawl's slots start from the delay the last crawl left

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.HeadMetaRefreshMiddleware": 580,
    "crawler.politeness.DeferralMiddleware": 50,
    "crawler.middlewares.SeedDomainsMiddleware": 60,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.robots.SharedRobotsTxtMiddleware": 100,
    # above HttpCompressionMiddleware (590): sees each response as received, for the WARC
    "crawler.rawcapture.RawCaptureMiddleware": 595,
}
# Tests and demos only: with WIREWATCH_HOST_MAP set, a seed's real hosts are fetched from local
# simulators (crawler/hostmap.py); unset, this add-on does nothing.
ADDONS = {"crawler.hostmap.HostMapAddon": 0}
ITEM_PIPELINES = {"crawler.pipeline.ArchivePipeline": 300}
EXTENSIONS = {
    "crawler.progress.CrawlProgress": 500,
    "scrapy.extensions.throttle.AutoThrottle": None,
    "crawler.throttle.PoliteThrottle": 0,   # AutoThrottle that remembers, plus 403/429 backoff
}

# Articles are handled in the spider's callbacks with their status codes (304, 404, 410, 5xx).
HTTPERROR_ALLOWED_CODES = [304, 401, 403, 404, 410, 429, 500, 502, 503, 504]
# Conditional GETs are ours to make; Scrapy's cache would answer them itself.
HTTPCACHE_ENABLED = False
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False          # no listening ports of our own
LOG_LEVEL = "INFO"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"

# wirewatch's own settings (documented in README.md)
WIREWATCH_ARCHIVE = None                # path; None = $WIREWATCH_ARCHIVE or data/wirewatch.duckdb
WIREWATCH_SEEDS = None                  # directory; None = $WIREWATCH_SEEDS or seeds/
# callable(seed) -> schedule(now=..., ...) -> next_check, or its import path. The re-check policy
# lives in jobs/; the crawler only calls what it is given here.
WIREWATCH_SCHEDULE = "jobs.schedule.schedule_for"
WIREWATCH_BATCH_SIZE = 100              # fetches per archive transaction
WIREWATCH_FLUSH_SECONDS = 2.0           # ...or this often, whichever comes first
WIREWATCH_MAX_BUFFER = 5000             # past this the crawl waits for the archive (bounded memory)
WIREWATCH_EXTRACT_WORKERS = 0           # extraction processes; 0 = one per core
WIREWATCH_CONFIRM_CHANGES = True        # fetch a detected change again (archive/revision.py says how often)
WIREWATCH_KEEP_UNCHANGED = False        # WARC records of fetches proved unchanged too (seed: [archive])
WIREWATCH_PROGRESS = False
