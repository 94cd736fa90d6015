"""What every site spider shares: typed arguments, the base URL setting, quarantine, closing with a reason.

Site spiders stay thin: they say which URLs to fetch and hand pages to the pure parsers.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit, urlunsplit

import scrapy
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider
from scrapy.http import Response

from complaints_crawler.items import Source
from complaints_crawler.parsers.base import ParsedPage
from complaints_crawler.quarantine import QuarantineKind, quarantine

log = logging.getLogger(__name__)

# Finish reasons after which `scrapy crawl` exits 1: the archive did not get what was asked for.
FAILED_FINISH_REASONS = frozenset(
    {"blocked", "layout_changed", "company_not_found", "invalid_arguments", "archive_unavailable", "shutdown",
     "site_unavailable"}
)


def crawl_stat(crawler: Crawler, name: str) -> Any:
    """A stat of a finished crawl; None when the crawl never started (Scrapy >= 2.19 has no stats then)."""
    try:
        return crawler.stats.get_value(name)
    except RuntimeError:
        return None


class CrawlArguments(BaseModel):
    """`-a name=value` arguments, checked before the first request."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    company: str = Field(min_length=1)
    max_pages: int | None = Field(default=None, ge=1)
    since: date | None = None
    start_page: int = Field(default=1, ge=1)
    location: str | None = None


class ComplaintsSpider(scrapy.Spider):
    source: ClassVar[Source]
    base_url_setting: ClassVar[str]
    live_hosts: ClassVar[tuple[str, ...]]
    arguments_model: ClassVar[type[CrawlArguments]] = CrawlArguments

    def __init__(self, name: str | None = None, **kwargs: Any):
        # Scrapy passes -a arguments as keyword strings; keep them as given for the crawl_runs row.
        self.arguments = {k: v for k, v in kwargs.items() if not k.startswith("_")}
        super().__init__(name)
        try:
            self.args = self.arguments_model.model_validate(self.arguments)
            self.argument_error = None
        except ValidationError as error:
            self.args = None
            self.argument_error = "; ".join(
                f"-a {'.'.join(map(str, e['loc'])) or '?'}: {e['msg']}" for e in error.errors()
            )

    @property
    def base_url(self) -> str:
        return self.settings.get(self.base_url_setting).rstrip("/")

    async def start(self):  # type: ignore[override]
        if self.argument_error:
            self.close_with("invalid_arguments", f"bad spider arguments: {self.argument_error}")
        async for request in self.start_requests_checked():
            yield request

    async def start_requests_checked(self):  # type: ignore[no-untyped-def]
        """The spider's first requests; its arguments are valid by now (in `self.args`)."""
        raise NotImplementedError
        yield  # pragma: no cover

    # -- helpers for site spiders ------------------------------------------------------------------------

    def rebase(self, url: str) -> str:
        """A live-site or relative URL, on the configured base URL (the fixture site in tests)."""
        absolute = urljoin(self.base_url + "/", url)
        parts = urlsplit(absolute)
        if parts.hostname in self.live_hosts:
            base = urlsplit(self.base_url)
            return urlunsplit((base.scheme, base.netloc, base.path.rstrip("/") + parts.path, parts.query, ""))
        return absolute

    def close_with(self, reason: str, message: str) -> None:
        """Log what went wrong and what to do, then stop the crawl with `reason` as its finish reason."""
        self.logger.error(message)
        self.crawler.stats.set_value("close_message", message)
        raise CloseSpider(reason)

    def quarantine(self, kind: QuarantineKind, reason: str, **details: Any) -> None:
        quarantine(self.crawler, kind, reason, **details)

    def quarantine_failures(self, page: ParsedPage) -> None:
        for failure in page.failures:
            self.quarantine(
                QuarantineKind.PARSE_ERROR,
                f"unreadable card{f' {failure.card_id}' if failure.card_id else ''}: {failure.reason}",
                url=page.url,
                details={"card_id": failure.card_id, "snippet": failure.snippet[:2000]},
            )

    def emit(self, page: ParsedPage):  # type: ignore[no-untyped-def]
        """The page's items, its unreadable cards quarantined."""
        self.quarantine_failures(page)
        if page.business is not None:
            yield page.business
        yield from page.complaints

    def page_too_old(self, page: ParsedPage) -> bool:
        """True when `-a since` is set and every complaint of the page was filed before it."""
        since = self.args.since if self.args else None
        dates = [c.filed_on for c in page.complaints if c.filed_on]
        return bool(since and dates and max(dates) < since)

    @staticmethod
    def text_of(response: Response) -> str:
        return response.text if hasattr(response, "text") else response.body.decode("utf-8", "replace")
