"""Run several crawls in one Scrapy process: the sites at once, one site's crawls one after another.

Per-site politeness (one request at a time, a delay between requests) is kept by crawling one target of a
site at a time; different sites are different servers, so their targets run side by side.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings
from twisted.internet import defer

from complaints_crawler.crawl.reasons import FinishReason
from complaints_crawler.spiders.base import crawl_stat

Crawl = tuple[str, dict[str, str]]  # (spider, arguments)


@dataclass
class CrawlOutcome:
    spider: str
    arguments: dict[str, str]
    finish_reason: str | None  # None: the crawl never started
    run_id: int | None  # its crawl_runs row, when it reached the archive
    mode: str | None = None  # "full" or "incremental"
    requests: int = 0  # page requests (robots.txt not counted)
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    health: str | None = None
    seconds: float = 0.0

    @property
    def succeeded(self) -> bool:
        return self.finish_reason == FinishReason.FINISHED and self.health in (None, "ok")

    @property
    def label(self) -> str:
        shown = " ".join(f"{k}={v}" for k, v in self.arguments.items())
        return f"{self.spider} {shown}"

    @property
    def summary(self) -> str:
        """How the crawl ended, in one line (`complaints crawl` and the workers print it)."""
        health = "" if self.health in (None, "ok") else f"; unhealthy: {self.health}"
        return (
            f"{self.finish_reason or 'did not start'} ({self.mode or '-'}), {self.requests} requests, {self.new} new, "
            f"{self.updated} updated, {self.unchanged} unchanged, {self.quarantined} quarantined, "
            f"{self.seconds:.1f} s{health}"
        )

    @classmethod
    def of(cls, spider: str, arguments: dict[str, str], crawler: Crawler, seconds: float) -> CrawlOutcome:
        def stat(name: str, default: Any = 0) -> Any:
            value = crawl_stat(crawler, name)
            return default if value is None else value

        return cls(
            spider,
            arguments,
            crawl_stat(crawler, "finish_reason"),
            crawl_stat(crawler, "archive/run_id"),
            mode=crawl_stat(crawler, "refresh/mode"),
            requests=stat("downloader/request_count") - stat("robotstxt/request_count"),
            new=stat("archive/complaints_new"),
            updated=stat("archive/complaints_updated"),
            unchanged=stat("archive/complaints_unchanged"),
            quarantined=stat("quarantine/count"),
            health=crawl_stat(crawler, "archive/health"),
            seconds=seconds,
        )


def project_settings(overrides: dict[str, Any]) -> Settings:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "complaints_crawler.settings")
    settings = get_project_settings()
    settings.setdict(overrides, priority="cmdline")
    return settings


def run_crawls(
    crawls: Sequence[Crawl],
    overrides: dict[str, Any],
    *,
    on_start: Callable[[int, Crawl], None] | None = None,
    on_end: Callable[[int, CrawlOutcome], None] | None = None,
) -> list[CrawlOutcome]:
    """Run `crawls` in one Scrapy process (a reactor runs once per process); their outcomes, in order."""
    process = CrawlerProcess(project_settings(overrides))
    outcomes: list[CrawlOutcome | None] = [None] * len(crawls)

    def start(index: int) -> defer.Deferred[None]:
        spider, arguments = crawls[index]
        if on_start:
            on_start(index, crawls[index])
        began = time.monotonic()
        try:
            crawler = process.create_crawler(spider)
        except KeyError:
            outcomes[index] = CrawlOutcome(spider, arguments, None, None)
            return defer.succeed(None)

        def finished(_: object) -> None:  # whatever happened, the site's next crawl runs
            outcome = outcomes[index] = CrawlOutcome.of(spider, arguments, crawler, time.monotonic() - began)
            if on_end:
                on_end(index, outcome)

        return process.crawl(crawler, **arguments).addBoth(finished)

    def start_next(_: object, index: int) -> defer.Deferred[None]:
        return start(index)

    by_site: dict[str, list[int]] = {}
    for index, (spider, _) in enumerate(crawls):
        by_site.setdefault(spider, []).append(index)
    for indices in by_site.values():
        chain: defer.Deferred[None] = defer.succeed(None)
        for index in indices:
            chain.addCallback(start_next, index)
    process.start()
    return [
        o if o is not None else CrawlOutcome(crawls[i][0], crawls[i][1], None, None) for i, o in enumerate(outcomes)
    ]
