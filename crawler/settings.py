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
RETRY_BACKOFF_BASE = 1.0                # seconds; doubles per retry, Retry-After honoured
RETRY_BACKOFF_MAX = 30.0

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    "crawler.middlewares.SeedDomainsMiddleware": 60,
}
ITEM_PIPELINES = {"crawler.pipeline.ArchivePipeline": 300}
EXTENSIONS = {"crawler.progress.CrawlProgress": 500}

# Articles are handled in the spider's callbacks with their status codes (304, 404, 410, 5xx).
HTTPERROR_ALLOWED_CODES = [304, 403, 404, 410, 429, 500, 502, 503, 504]
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
