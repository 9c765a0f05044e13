"""Scrapy settings for newsclean (``scrapy.cfg``: ``default = crawler.settings``).

Our own settings are prefixed ``NEWSCLEAN_`` and documented in the README; they are parsed once
into `crawler.config.Config` at start-up, which rejects bad values before any request is sent.
Everything else here is a standard Scrapy setting with a polite default for crawling news sites.
"""

from __future__ import annotations

from crawler import __version__
from crawler.items import ARTICLE_FIELDS

BOT_NAME = "newsclean"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
COMMANDS_MODULE = "crawler.commands"

# --- newsclean settings (see README, "Settings") -------------------------------------------
NEWSCLEAN_DATABASE_URL = "sqlite:///newsclean.db"
NEWSCLEAN_AUTO_MIGRATE = True
NEWSCLEAN_FEED = "articles.jsonl"
NEWSCLEAN_FEED_OVERWRITE = True
NEWSCLEAN_MIN_TEXT_CHARS = 0  # 0: extraction's own default (crawler.extraction.MIN_TEXT_CHARS)
NEWSCLEAN_MAX_DEPTH = 3
NEWSCLEAN_MAX_PAGES = 0
NEWSCLEAN_BATCH_SIZE = 100
NEWSCLEAN_BATCH_SECONDS = 5.0  # a record waits at most this long for its batch; 0: only full batches
NEWSCLEAN_FOLLOW_LINKS = True
NEWSCLEAN_NEAR_DUPLICATES = "link"
NEWSCLEAN_INCREMENTAL = True
NEWSCLEAN_PROGRESS_INTERVAL = 60.0
NEWSCLEAN_LOCK_DIR = ".newsclean-locks"
NEWSCLEAN_ON_OVERLAP = "exit"
NEWSCLEAN_REVISIT_DAYS = 2
NEWSCLEAN_REVISIT_HOURS = 6.0
NEWSCLEAN_JOURNAL_DIR = ".newsclean-journal"
NEWSCLEAN_DB_RETRY_SECONDS = 2.0
NEWSCLEAN_EXTRACT_WORKERS = 0  # extraction processes; 0: one per CPU core, -1: in-process (debugging)
NEWSCLEAN_MAX_PAGES_IN_FLIGHT = 0  # pages submitted to the workers at once; 0: 3 per worker
NEWSCLEAN_MAX_QUEUED = 1000  # requests in Scrapy's queue before article requests wait compacted; 0: no bound

# Reliability and security (README, "Reliability and security"): the SSRF guard refuses private,
# loopback and link-local addresses unless this is True (the tests and `scrapy demo` set it).
NEWSCLEAN_ALLOW_PRIVATE_ADDRESSES = False
NEWSCLEAN_MAX_LINKS_PER_PAGE = 1000  # requests taken from one HTML page; 0: no limit
NEWSCLEAN_MAX_LISTING_PAGES = 5000  # listing pages (fetched for links only) per source; 0: no limit
# A 429/503 retry waits what its Retry-After asks, up to this; a longer wait gives the request up for the run.
NEWSCLEAN_RETRY_AFTER_MAX_SECONDS = 60.0

# Scale-out (README, "Many workers on many machines"): with a Redis URL, every crawl process shares
# one frontier (crawler.redis_frontier); "" keeps Scrapy's single-machine scheduler.
NEWSCLEAN_REDIS_URL = ""
NEWSCLEAN_REDIS_KEY = ""  # key prefix of a shared crawl; "": newsclean:<spider>:<hash of its arguments>
NEWSCLEAN_REDIS_IDLE_SECONDS = 30.0  # a worker stops when the whole crawl has been idle this long
NEWSCLEAN_REDIS_WORKER_TIMEOUT = 60.0  # a worker without heartbeat this long is dead: its requests are requeued

DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.SsrfGuardMiddleware": 50,  # first: nothing else runs for a refused request
    "crawler.middlewares.CharsetMiddleware": 580,  # after HttpCompressionMiddleware (590) decompressed
    # Scrapy's meta refresh handling, reading only the page's start (it decoded and kept the whole page)
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.MetaRefreshHeadMiddleware": 579,  # process_response after CharsetMiddleware
    "crawler.middlewares.RedirectLoopMiddleware": 650,  # before RedirectMiddleware (600) follows
    # an article redirected off its source's site is not fetched (process_request of the redirect)
    "crawler.middlewares.OffsiteRedirectMiddleware": 60,
    # a 429/503 with Retry-After is retried after that wait, before RetryMiddleware (550) retries at once
    "crawler.middlewares.RetryAfterMiddleware": 555,
    "crawler.incremental.NotModifiedMiddleware": 100,  # a 304 for a revisit: marked seen, no extraction
}
SPIDER_MIDDLEWARES = {
    "crawler.middlewares.LinkBudgetMiddleware": 950,
    # stored articles without a reason to refetch are dropped before the scheduler sees them
    "crawler.incremental.IncrementalMiddleware": 960,
    # last on the way out: article requests beyond a bounded queue wait in a compact form (flat memory)
    "crawler.frontier.FrontierMiddleware": 20,
}

# The addon parses and validates the NEWSCLEAN_* settings once, and sets up the default feed.
ADDONS = {"crawler.addon.NewscleanAddon": 0}

# Our progress line (pages, articles, drops, queue) replaces Scrapy's LogStats line; the resume guard
# discards a JOBDIR queue left inconsistent by a killed run (crawler/resume.py).
EXTENSIONS = {
    "scrapy.extensions.logstats.LogStats": None,
    "crawler.progress.ProgressLog": 500,
    "crawler.resume.ResumeGuard": 100,
}

ITEM_PIPELINES = {
    "pipelines.extract.ExtractPipeline": 100,
    "pipelines.validate.ValidatePipeline": 200,
    "pipelines.deduplicate.DeduplicatePipeline": 300,
    "pipelines.store.StorePipeline": 400,
}

# --- politeness ------------------------------------------------------------------------------
USER_AGENT = f"newsclean/{__version__} (+https://github.com/newsclean/newsclean; news article archiver)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
RETRY_TIMES = 2
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19's remote control extension serves, on a localhost port, an endpoint that runs any Python
# code in the crawl process (token in a file in the user's profile): not something a scheduled
# scraper on a shared machine should open by default. Set it to True to use it.
REMOTE_CONTROL_ENABLED = False
FEED_EXPORT_ENCODING = "utf-8"
# Feeds (the default one and `-o`/`-O`) carry the record fields in schema order.
FEED_EXPORT_FIELDS = list(ARTICLE_FIELDS)
LOG_LEVEL = "INFO"
