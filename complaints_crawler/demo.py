"""`complaints demo`: every spider against the local fixture site, into one archive, then a summary."""

from __future__ import annotations

from complaints_crawler.crawl.runner import CrawlOutcome, run_crawls
from complaints_crawler.fixture_site import serve_sites
from complaints_crawler.sites import SITES

# A local site needs no politeness delays; everything else stays as in production.
FAST_LOCAL_SETTINGS = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY_JITTER": 0,
    "RETRY_TIMES": 1,
}


def demo_crawls() -> list[tuple[str, dict[str, str]]]:
    return [(name, dict(target)) for name, site in SITES.items() for target in site.demo_targets]


def run_demo(archive: str, log_level: str = "WARNING") -> list[CrawlOutcome]:
    crawls = demo_crawls()
    with serve_sites(sorted({spider for spider, _ in crawls})) as sites:
        overrides = {
            **FAST_LOCAL_SETTINGS,
            **{SITES[name].base_url_setting: site.base_url for name, site in sites.items()},
            "ARCHIVE_URL": archive,
            "LOG_LEVEL": log_level,
            "PROGRESS_INTERVAL": 0,
        }
        return run_crawls(crawls, overrides)
