"""`scrapy crawl` whose exit code tells a scheduler whether the crawl did its job.

Scrapy exits 0 whatever the finish reason; a cron job must learn that BBB blocked us, that a layout
changed or that the company was not found, so every reason but `finished` (and a crawl that never
finished) exits 1. Bad settings and unknown spiders are usage errors (exit 2) before anything starts.
"""

from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from complaints_crawler.crawl.checks import SettingsError, check_settings
from complaints_crawler.crawl.reasons import exit_code
from complaints_crawler.spiders.base import crawl_stat


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name")
        assert self.crawler_process
        try:
            crawler = self._create_crawler(args[0])
        except KeyError:
            known = ", ".join(sorted(self.crawler_process.spider_loader.list()))
            raise UsageError(f"no spider named {args[0]!r}; the spiders are: {known}", print_help=False) from None
        try:
            check_settings(crawler.settings)
        except SettingsError as error:
            raise UsageError(str(error), print_help=False) from None
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        reason = crawl_stat(crawler, "finish_reason")
        self.exitcode = 1 if self.crawler_process.bootstrap_failed else exit_code(reason)
