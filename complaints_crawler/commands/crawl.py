"""`scrapy crawl` whose exit code tells a scheduler whether the crawl did its job.

Scrapy exits 0 whatever the finish reason; a cron job must learn that BBB blocked us, that a layout
changed or that the company was not found, so those reasons (and a crawl that never finished) exit 1.
"""

from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from complaints_crawler.impersonation import require_scrapy_impersonate
from complaints_crawler.spiders.base import FAILED_FINISH_REASONS, crawl_stat


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name")
        assert self.crawler_process
        crawler = self._create_crawler(args[0])
        require_scrapy_impersonate(crawler.settings)  # a usage error, before anything starts
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        reason = crawl_stat(crawler, "finish_reason")
        if self.crawler_process.bootstrap_failed or reason is None or reason in FAILED_FINISH_REASONS:
            self.exitcode = 1
