"""`complaints demo`: every spider against the local fixture site, into one archive, then a summary."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings

from complaints_crawler.fixture_site import serve_sites
from complaints_crawler.spiders.base import crawl_stat

# The crawls the demo runs, for the spiders that exist: (spider, arguments).
DEMO_CRAWLS: list[tuple[str, dict[str, str]]] = [
    ("bbb", {"company": "microsoft"}),
    ("bbb", {"company": "charter spectrum"}),
    ("consumercomplaints", {"company": "xiaomi-india-b106391", "start_page": "75"}),
    ("consumercomplaints", {"company": "octopus-alipay-topup-b990001"}),
    ("complaintsboard", {"company": "xiaomi-b128703"}),
]

BASE_URL_SETTINGS = {
    "bbb": "BBB_BASE_URL",
    "consumercomplaints": "CONSUMERCOMPLAINTS_BASE_URL",
    "complaintsboard": "COMPLAINTSBOARD_BASE_URL",
}

# A local site needs no politeness delays; everything else stays as in production.
FAST_LOCAL_SETTINGS = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY_JITTER": 0,
    "RETRY_TIMES": 1,
}


@dataclass
class CrawlOutcome:
    spider: str
    arguments: dict[str, str]
    finish_reason: str | None  # None: the crawl never started
    run_id: int | None  # its crawl_runs row, when it reached the archive


def project_settings(overrides: dict[str, Any]) -> Any:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "complaints_crawler.settings")
    settings = get_project_settings()
    settings.setdict(overrides, priority="cmdline")
    return settings


def run_crawls(crawls: list[tuple[str, dict[str, str]]], overrides: dict[str, Any]) -> list[CrawlOutcome]:
    """Run the crawls in one Scrapy process (one after another would need a reactor each)."""
    settings = project_settings(overrides)
    process = CrawlerProcess(settings)
    started = []
    for spider, arguments in crawls:
        crawler = process.create_crawler(spider)
        process.crawl(crawler, **arguments)
        started.append((spider, arguments, crawler))
    process.start()
    return [CrawlOutcome(s, a, crawl_stat(c, "finish_reason"), crawl_stat(c, "archive/run_id")) for s, a, c in started]


def run_demo(archive: str, log_level: str = "WARNING") -> list[CrawlOutcome]:
    settings = project_settings({})
    existing = set(SpiderLoader.from_settings(settings).list())
    crawls = [(spider, args) for spider, args in DEMO_CRAWLS if spider in existing]
    with serve_sites(sorted({spider for spider, _ in crawls})) as sites:
        overrides = {
            **FAST_LOCAL_SETTINGS,
            **{BASE_URL_SETTINGS[name]: site.base_url for name, site in sites.items()},
            "ARCHIVE_URL": archive,
            "LOG_LEVEL": log_level,
        }
        return run_crawls(crawls, overrides)
