"""Page-level spam check: every HTML response is scored before its parser runs (in the crawl's work process,
crawl/work_processes.py, when it has one).

A doorway page is quarantined as `spam_page` with its score and reasons and never reaches the spider.
"""

from __future__ import annotations

import logging
from collections.abc import Coroutine
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response, TextResponse

from complaints_crawler.crawl.work_processes import WorkProcesses
from complaints_crawler.quarantine import QuarantineKind, quarantine
from complaints_crawler.text.html_text import mostly_nul
from complaints_crawler.text.page_reading import shared
from complaints_crawler.text.spam import SpamScore, score_html
from complaints_crawler.text.spam.report import expected_languages, expected_scripts, reason_line, spam_details

log = logging.getLogger(__name__)


class PageSpamMiddleware:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.threshold = crawler.settings.getfloat("SPAM_PAGE_THRESHOLD")
        self.processes = WorkProcesses.of(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PageSpamMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response | Coroutine[Any, Any, Response]:
        if (
            response.status != 200
            or not isinstance(response, TextResponse)
            or b"html" not in (response.headers.get("Content-Type") or b"text/html")
            or request.meta.get("skip_spam_check")
        ):
            return response
        text = response.text
        if mostly_nul(text):
            # A page in another encoding than its label (UTF-16 read as one byte a character) repeats itself to
            # the scorer; it is no doorway but an unreadable page, which its parser reports.
            self.stats.inc_value("spam/pages_unreadable")
            return response
        if self.processes.pooled:
            # The work process parses the page itself; the parser here parses it once more, on its own.
            return self._checked_in_work_process(response, text)
        try:
            # The text, decoded as Scrapy decoded it: lxml reads only a <meta> charset, not the HTTP header's.
            reading = shared(text)  # the parser of this text (or the block check before) reads the same tree
            result = score_html(
                text,
                expected_scripts(self.crawler),
                self.threshold,
                expected_languages=expected_languages(self.crawler),
                rendered=reading.text,
            )
        except Exception:
            return self._unchecked(response)
        return self._verdict(response, result)

    async def _checked_in_work_process(self, response: Response, text: str) -> Response:
        try:
            languages = expected_languages(self.crawler)
            result = await self.processes.run(
                score_html, text, expected_scripts(self.crawler), self.threshold, expected_languages=languages
            )
        except Exception:
            return self._unchecked(response)
        return self._verdict(response, result)

    def _unchecked(self, response: Response) -> Response:
        # A scorer bug must not cost the page: let it through to its parser, loudly.
        log.exception("spam check failed on %s; the page is passed on unchecked", response.url)
        self.stats.inc_value("spam/check_errors")
        return response

    def _verdict(self, response: Response, result: SpamScore) -> Response:
        self.stats.inc_value("spam/pages_scored")
        if not result.is_spam:
            return response
        self.stats.inc_value("spam/pages_rejected")
        quarantine(
            self.crawler,
            QuarantineKind.SPAM_PAGE,
            f"spam page (score {result.score:.2f}): {reason_line(result)}",
            url=response.url,
            score=result.score,
            details=spam_details(result),
        )
        raise IgnoreRequest(f"spam page {response.url} (score {result.score:.2f})")
