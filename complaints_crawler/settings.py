"""Scrapy settings of complaints-crawler: every default of the project, declared once and read from here.

Every setting can be overridden with `-s NAME=value` (`scrapy crawl`, `complaints crawl`). Library code that
needs a default outside a crawl (the CLI, the archive store) imports it from this module.
"""

from complaints_crawler.sites import SITES

BOT_NAME = "complaints_crawler"
SPIDER_MODULES = ["complaints_crawler.spiders"]
NEWSPIDER_MODULE = "complaints_crawler.spiders"
COMMANDS_MODULE = "complaints_crawler.commands"
LOG_FORMATTER = "complaints_crawler.logformatter.LogFormatter"

# -- the archive ---------------------------------------------------------------------------------------
# SQLAlchemy URL; unset means $COMPLAINTS_ARCHIVE_URL, else sqlite:///archive.db (see archive.database).
ARCHIVE_URL = None
ARCHIVE_BATCH_SIZE = 200  # items per transaction
ARCHIVE_WRITE_ATTEMPTS = 3  # batch writes the archive may refuse in a row before the crawl stops
ARCHIVE_SPILL_DIR = "."  # where what could not be archived is saved (JSON lines, for `complaints import`)
ARCHIVE_HEARTBEAT_INTERVAL = 60.0  # seconds between a running crawl's signs of life in crawl_runs
RUN_STALE_AFTER = 900.0  # seconds without a sign of life after which another host's running crawl is interrupted
WORKER_ID = None  # set by `complaints worker`: which worker ran a crawl (crawl_runs.worker)
MASK_RESIDUAL_PII = True  # also mask e-mails, phone and card numbers the sites left in texts
# Off skips near-duplicate linking and bucket storage for what this crawl writes (e.g. a bulk load on a
# slow server); complaints written meanwhile are never found as near-duplicates.
NEAR_DUPLICATES_ENABLED = True
NEAR_DUPLICATE_THRESHOLD = 0.8  # Jaccard of word 5-shingles that makes two complaints near-duplicates
REPOST_THRESHOLD = 0.6  # Jaccard of word sets for the same author's re-post about the same business

ITEM_PIPELINES = {
    "complaints_crawler.pipelines.validate.ValidatePipeline": 100,
    "complaints_crawler.pipelines.spam.SpamPipeline": 200,
    "complaints_crawler.pipelines.dedupe.DedupePipeline": 300,
    "complaints_crawler.pipelines.prepare.PreparePipeline": 400,
    "complaints_crawler.pipelines.archive.ArchivePipeline": 900,
}

DOWNLOADER_MIDDLEWARES = {
    # Blocked pages (challenges, 429) retried with backoff, before Scrapy's RetryMiddleware (550) sees them.
    "complaints_crawler.middlewares.blocks.BlockBackoffMiddleware": 560,
    # Low number: sees each response last, after retries and decompression, just before the spider.
    "complaints_crawler.middlewares.spam.PageSpamMiddleware": 50,
}

SPIDER_MIDDLEWARES = {
    # Outermost: sees a callback's exception after every other middleware.
    "complaints_crawler.middlewares.errors.CallbackErrorsMiddleware": 10,
}

EXTENSIONS = {"complaints_crawler.crawl.progress.Progress": 500}

# -- incremental refresh -------------------------------------------------------------------------------
# Complaints filed within this many days can still change (BBB: Answered -> Resolved, customer answers): an
# incremental run reads pages until one holds only archived, unchanged complaints older than that.
REFRESH_WINDOW_DAYS = 60
# A target whose last full sweep (every page read) is older than this gets a full sweep instead.
FULL_SWEEP_DAYS = 30

# -- run health and progress ---------------------------------------------------------------------------
HEALTH_MAX_QUARANTINE_RATIO = 0.2  # quarantined / (quarantined + complaints) above this: the run is unhealthy
PROGRESS_INTERVAL = 30.0  # seconds between progress lines of a running crawl

# -- CPU work beside the crawl ----------------------------------------------------------------------------
# Processes that do the spam checks and prepare complaints for the archive beside the crawl, so downloads and
# parsers do not wait for them (crawl/work_processes.py); 0 does that work in the crawl's own thread. More than 1
# can let the complaints of one page reach the archive in another order than the page's.
WORK_PROCESSES = 1
# Scrapy starts this many tasks for every page's output, however few items it holds; a page holds at most 20
# complaints, and Scrapy's default of 100 cost about 6 % of a crawl's time in idle tasks.
CONCURRENT_ITEMS = 20

# -- spam filter: scores in [0, 1]; a page or post at or above its threshold is quarantined ------------
SPAM_PAGE_THRESHOLD = 0.5
SPAM_POST_THRESHOLD = 0.5
# Scripts and languages (ISO 639-1) each spider's site is written in; text in others adds evidence (never decides
# alone). Where both are set, the language check replaces the script check.
SPAM_EXPECTED_SCRIPTS = {name: list(site.scripts) for name, site in SITES.items()}
SPAM_EXPECTED_LANGUAGES = {name: list(site.languages) for name, site in SITES.items()}

# -- where the sites are: BBB_BASE_URL, CONSUMERCOMPLAINTS_BASE_URL, … (tests and `complaints demo` point
# them at the local fixture site) ----------------------------------------------------------------------
for _site in SITES.values():
    globals()[_site.base_url_setting] = _site.live_origin

# -- politeness ----------------------------------------------------------------------------------------
USER_AGENT = "complaints-crawler/0.1 (+consumer-complaints research archive; respects robots.txt)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 2.0
DOWNLOAD_DELAY_JITTER = 0.5  # each delay is DOWNLOAD_DELAY x (1 ± jitter)
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
RETRY_ENABLED = True
RETRY_TIMES = 3
HTTPCACHE_ENABLED = False
TRUNCATED_RETRY_TIMES = 2  # a page that arrives cut (no closing </html>) is fetched again this often
# Listing pages kept in flight on a full sweep, when CONCURRENT_REQUESTS_PER_DOMAIN allows more than one request
# at a time (never more than it allows): a fast local import or a permissive site is not paced by one page.
PAGES_AHEAD = 8

# -- workers (`complaints worker`) ---------------------------------------------------------------------
WORKER_LEASE_SECONDS = 60.0  # a leased target returns to the queue this long after its worker stops renewing
WORKER_MAX_ATTEMPTS = 3  # attempts at a target (failed ones, or lost with their worker) before it is marked failed
WORKER_POLL_INTERVAL = 5.0  # seconds between looks at a queue with nothing to lease
# Requests per second per site for all workers of a queue together, e.g. {"bbb": 0.25}: one request out at a
# time, then a rest of 1 / rate s (a site not listed: its spider's DOWNLOAD_DELAY). Jitter only lengthens rests.
SITE_RATE_LIMITS: dict[str, float] = {}
# Workers with the same EGRESS_ID (or none) share one budget per site; give each egress address its own id
# when workers leave through different addresses.
EGRESS_ID = None

# -- bot protection --------------------------------------------------------------------------------------
BLOCK_RETRY_TIMES = 3  # blocked pages (challenges, 429, 503) are retried this often with exponential backoff
BLOCK_BACKOFF_BASE = 10.0  # seconds before the first retry; doubled each time
BLOCK_BACKOFF_MAX = 120.0  # the longest backoff the crawler chooses itself
# A Retry-After the site sends is honoured up to this many seconds; a longer one ends the crawl `blocked`
# ("the site asked to wait N s") instead of holding it for hours.
BLOCK_RETRY_AFTER_MAX = 900.0
# A curl_cffi browser name ("chrome", "firefox", ...) downloads every request with that browser's TLS and
# HTTP/2 fingerprints (BBB is behind Cloudflare); needs the `impersonate` extra. Off by default.
IMPERSONATE_BROWSER = None
ADDONS = {"complaints_crawler.impersonation.Impersonation": 0}

# Scrapy's telnet console and its remote-control HTTP server listen on ports and run what they are sent: a crawler
# that runs unattended on a server needs neither.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
