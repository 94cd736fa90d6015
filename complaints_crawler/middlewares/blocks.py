"""Blocked pages (Cloudflare challenges, 429s, pages without the site's data) are retried with backoff.

A spider opts in by defining `block_reason(request, response) -> str | None`; for other spiders this middleware
does nothing. A blocked response is retried up to `BLOCK_RETRY_TIMES` times, waiting
`BLOCK_BACKOFF_BASE * 2**n` seconds, at most `BLOCK_BACKOFF_MAX`, or the server's `Retry-After` when that is
longer. A `Retry-After` above `BLOCK_RETRY_AFTER_MAX` is not waited for: the response goes on at once with
"the site asked to wait N s" in its reason. After the last retry the response goes on to the spider with
`meta["block_reason"]` set, and the spider decides (quarantine it, close the crawl with `blocked`).
Every response the middleware checked carries `meta["block_reason"]` (None when not blocked), so the
spider does not check it twice.

It sits just before Scrapy's RetryMiddleware on the response path (a higher order number), so blocked
429/503 answers are retried here, with backoff, instead of there, at once.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.utils.asyncio import sleep

log = logging.getLogger(__name__)


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """A `Retry-After` header (delay-seconds or an HTTP date) in seconds; None when absent or unreadable."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def backoff_delay(retries: int, retry_after: float | None, base: float, maximum: float) -> float:
    """Seconds to wait before retry number `retries + 1`: exponential up to `maximum`, or the site's Retry-After
    when that is longer (the caller refuses a Retry-After it will not wait for)."""
    delay = min(base * 2**retries, maximum)
    return max(delay, retry_after) if retry_after is not None else delay


class BlockBackoffMiddleware:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.retry_times = settings.getint("BLOCK_RETRY_TIMES")
        self.base = settings.getfloat("BLOCK_BACKOFF_BASE")
        self.maximum = settings.getfloat("BLOCK_BACKOFF_MAX")
        self.retry_after_max = settings.getfloat("BLOCK_RETRY_AFTER_MAX")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BlockBackoffMiddleware:
        return cls(crawler)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        detect = getattr(self.crawler.spider, "block_reason", None)
        if detect is None:
            return response
        reason = detect(request, response)
        request.meta["block_reason"] = reason
        if reason is None:
            return response
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value("blocks/detected")
        retries = request.meta.get("block_retries", 0)
        retry_after = retry_after_seconds(response.headers.get("Retry-After"))
        if retry_after is not None and retry_after > self.retry_after_max:
            request.meta["block_reason"] = f"{reason}; the site asked to wait {retry_after:.0f} s"
            retries = self.retry_times  # not waited for: that long a pause is the operator's call
        if retries >= self.retry_times:
            stats.inc_value("blocks/gave_up")
            log.warning("still blocked at %s after %d retries: %s", request.url, retries, request.meta["block_reason"])
            request.meta["dont_retry"] = True  # nor should RetryMiddleware try again
            return response
        delay = backoff_delay(retries, retry_after, self.base, self.maximum)
        stats.inc_value("blocks/retries")
        log.warning(
            "blocked at %s (%s): retry %d of %d in %.1f s", request.url, reason, retries + 1, self.retry_times, delay
        )
        await sleep(delay)
        meta = {k: v for k, v in request.meta.items() if k != "block_reason"}
        return request.replace(dont_filter=True, meta={**meta, "block_retries": retries + 1})
