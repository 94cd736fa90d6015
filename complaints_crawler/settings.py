"""Scrapy settings of complaints-crawler. Every project setting can be overridden with `-s NAME=value`."""

import os

BOT_NAME = "complaints_crawler"
SPIDER_MODULES = ["complaints_crawler.spiders"]
NEWSPIDER_MODULE = "complaints_crawler.spiders"
COMMANDS_MODULE = "complaints_crawler.commands"
LOG_FORMATTER = "complaints_crawler.logformatter.LogFormatter"

# -- the archive ---------------------------------------------------------------------------------------
# SQLAlchemy URL; sqlite:///archive.db (a file in the working directory) unless $COMPLAINTS_ARCHIVE_URL says otherwise.
ARCHIVE_URL = os.environ.get("COMPLAINTS_ARCHIVE_URL", "sqlite:///archive.db")
ARCHIVE_BATCH_SIZE = 200  # items per transaction
ARCHIVE_WRITE_ATTEMPTS = 3  # batch writes the archive may refuse in a row before the crawl stops
ARCHIVE_SPILL_DIR = "."  # where what could not be archived is saved (JSON lines, for `complaints import`)
MASK_RESIDUAL_PII = True  # also mask e-mails, phone and card numbers the sites left in texts
# Off skips near-duplicate linking and bucket storage for what this crawl writes (e.g. a bulk load on a
# slow server); complaints written meanwhile are never found as near-duplicates.
NEAR_DUPLICATES_ENABLED = True
NEAR_DUPLICATE_THRESHOLD = 0.8  # Jaccard of word 5-shingles that makes two complaints near-duplicates
REPOST_THRESHOLD = 0.6  # Jaccard of word sets for the same author's re-post about the same business

ITEM_PIPELINES = {
    "complaints_crawler.pipelines.validate.ValidatePipeline": 100,
    "complaints_crawler.pipelines.spam.SpamPipeline": 200,
    "complaints_crawler.pipelines.masks.MasksPipeline": 300,
    "complaints_crawler.pipelines.dedupe.DedupePipeline": 400,
    "complaints_crawler.pipelines.archive.ArchivePipeline": 900,
}

DOWNLOADER_MIDDLEWARES = {
    # Blocked pages (challenges, 429) retried with backoff, before Scrapy's RetryMiddleware (550) sees them.
    "complaints_crawler.middlewares.blocks.BlockBackoffMiddleware": 560,
    # Low number: sees each response last, after retries and decompression, just before the spider.
    "complaints_crawler.middlewares.spam.PageSpamMiddleware": 50,
}

# -- spam filter: scores in [0, 1]; a page or post at or above its threshold is quarantined ------------
SPAM_PAGE_THRESHOLD = 0.5
SPAM_POST_THRESHOLD = 0.5
# Scripts each spider's site is written in; text mostly in other scripts adds evidence (never decides alone).
SPAM_EXPECTED_SCRIPTS = {
    "bbb": ["Latin"],
    "consumercomplaints": ["Latin", "Devanagari"],
    "complaintsboard": ["Latin", "Devanagari"],
}
# Languages (ISO 639-1) each spider's site is written in; text in other languages adds evidence (never decides
# alone). Where both are set, the language check replaces the script check.
SPAM_EXPECTED_LANGUAGES = {
    "bbb": ["en"],
    "consumercomplaints": ["en", "hi"],
    "complaintsboard": ["en", "hi"],
}

# -- where the sites are (tests and `complaints demo` point these at the local fixture site) ------------
BBB_BASE_URL = "https://www.bbb.org"
CONSUMERCOMPLAINTS_BASE_URL = "https://www.consumercomplaints.in"
COMPLAINTSBOARD_BASE_URL = "https://www.complaintsboard.com"

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

# -- bot protection --------------------------------------------------------------------------------------
# A curl_cffi browser name ("chrome", "firefox", ...) downloads every request with that browser's TLS and
# HTTP/2 fingerprints (BBB is behind Cloudflare); needs the `impersonate` extra. Off by default.
IMPERSONATE_BROWSER = None
ADDONS = {"complaints_crawler.impersonation.Impersonation": 0}

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
