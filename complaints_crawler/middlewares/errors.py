"""A page whose callback raised is quarantined with the error, and the crawl goes on.

Scrapy logs a callback's exception and forgets the page: the crawl then finishes "finished" without it. Here
the page is recorded (`parse_error`, with the error and the page's URL on the live site) and counted; an
exception that closes the spider (`CloseSpider`) is left to Scrapy.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider
from scrapy.http import Response

from complaints_crawler.quarantine import QuarantineKind, quarantine

log = logging.getLogger(__name__)


class CallbackErrorsMiddleware:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_spider_exception(self, response: Response, exception: Exception) -> Iterable[Any] | None:
        if isinstance(exception, CloseSpider):
            return None
        spider = self.crawler.spider
        live_url = getattr(spider, "live_url", lambda url: url)(response.url)
        log.error("the %s spider failed on %s", getattr(spider, "name", "?"), response.url, exc_info=exception)
        quarantine(
            self.crawler,
            QuarantineKind.PARSE_ERROR,
            f"the page could not be processed: {type(exception).__name__}: {exception}",
            url=live_url,
            details={"status": response.status, "error": type(exception).__name__},
        )
        return []
