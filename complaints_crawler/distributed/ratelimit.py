"""One politeness budget per site for all workers together, kept in Redis.

Every request a worker sends to a site (robots.txt, search and sitemap requests included) first takes its turn
from Redis. The gap after a request is the site's delay (`1 / SITE_RATE_LIMITS[site]`, else the spider's
`DOWNLOAD_DELAY`) plus a random part of at most `DOWNLOAD_DELAY_JITTER` times the delay: jitter only ever
lengthens a gap. With `EGRESS_ID` set, the budget is per site and egress (workers leaving through different
addresses do not share it).

Two steps, each one Lua script on the Redis server's clock: `reserve` hands out turns in order (the caller
sleeps until its turn), and `confirm`, just before the request leaves, checks that the site's previous request
left at least its gap ago and records this one (or says how much longer to wait). Confirming at send time keeps
the budget even when a worker wakes late from its sleep (a busy process) and sends after its reserved turn.

The limiter wraps the download handlers (not a downloader middleware): a middleware runs before Scrapy's own
download slot queue, which can hold a request back after its turn; the handler is the last step before the
request is written to the network. Even so a request reaches the wire a moment after its turn is confirmed (an
event-loop turn, the network stack): every gap is `RELEASE_MARGIN` longer, so that the site never sees two
requests closer than the delay.
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any, ClassVar

from redis import RedisError
from redis.asyncio import Redis
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.misc import build_from_crawler, load_object

from complaints_crawler.distributed.connection import async_client
from complaints_crawler.distributed.frontier import redis_lost

log = logging.getLogger(__name__)

# KEYS[1]: when the site's next turn starts (µs, server clock). ARGV: this request's gap (µs), key lifetime (ms).
RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local turn = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
redis.call('SET', KEYS[1], string.format('%.0f', turn + tonumber(ARGV[1])), 'PX', ARGV[2])
return turn - now
"""

# KEYS[1]: until when the request sent last keeps the site busy (µs). ARGV: as above. 0: go (recorded);
# otherwise the µs still to wait.
CONFIRM = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local busy = tonumber(redis.call('GET', KEYS[1]) or '0')
if now < busy then return busy - now end
redis.call('SET', KEYS[1], string.format('%.0f', now + tonumber(ARGV[1])), 'PX', ARGV[2])
return 0
"""

RELEASE_MARGIN = 0.02  # seconds
INNER_HANDLERS = "SITE_LIMITER_INNER_HANDLERS"  # the handlers the limiter wraps, set by the add-on


def site_delay(settings: BaseSettings, site: str) -> float:
    """Seconds between two requests to `site`, all workers together."""
    rates = settings.getdict("SITE_RATE_LIMITS")
    if site in rates:
        return 1.0 / float(rates[site])
    return settings.getfloat("DOWNLOAD_DELAY")


class SiteLimiter:
    def __init__(self, server: Redis, key: str, delay: float, jitter: float):
        self.server = server
        self.key = key
        self.delay = delay
        self.jitter = jitter
        self._reserve = server.register_script(RESERVE)
        self._confirm = server.register_script(CONFIRM)

    async def wait_turn(self) -> float:
        """Wait until this process may send the site's next request; the seconds waited."""
        gap = self.delay * (1 + random.uniform(0, self.jitter)) + RELEASE_MARGIN
        args = [round(gap * 1e6), round(gap * 1000) + 60_000]
        waited = 0.0
        wait = int(await self._reserve(keys=[f"{self.key}:turns"], args=args)) / 1e6
        while True:
            if wait > 0:
                await asyncio.sleep(wait)
                waited += wait
            wait = int(await self._confirm(keys=[f"{self.key}:sent"], args=args)) / 1e6
            if wait == 0:
                break
        return waited


class RateLimitedHandler:
    """Download handler that waits for the site's turn, then downloads with the handler it wraps."""

    lazy = False
    scheme: ClassVar[str]

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.inner = build_from_crawler(load_object(settings.getdict(INNER_HANDLERS)[self.scheme]), crawler)
        self.server: Redis | None = None
        self.limiter: SiteLimiter | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RateLimitedHandler:
        return cls(crawler)

    def _limiter(self) -> SiteLimiter | None:
        spider = self.crawler.spider
        if self.limiter is None and spider is not None:
            settings = self.crawler.settings
            delay = site_delay(settings, spider.name)
            if delay <= 0:
                return None
            self.server = async_client(settings["REDIS_URL"])
            key = settings["SITE_LIMITER_KEY"] + f":{spider.name}"
            if settings.get("EGRESS_ID"):
                key += f":{settings['EGRESS_ID']}"
            self.limiter = SiteLimiter(self.server, key, delay, settings.getfloat("DOWNLOAD_DELAY_JITTER"))
            log.info("requests to %s: one every %.2f s or more across all workers (%s)", spider.name, delay, key)
        return self.limiter

    async def download_request(self, request: Request) -> Response:
        limiter = self._limiter()
        if limiter is not None:
            try:
                waited = await limiter.wait_turn()
            except RedisError as error:
                redis_lost(self.crawler, error)
                raise IgnoreRequest(f"no turn from the site's rate limit: {error}") from None
            stats = self.crawler.stats
            stats.inc_value("ratelimit/requests")
            stats.inc_value("ratelimit/wait_ms", round(waited * 1000))
        response: Response = await self.inner.download_request(request)
        return response

    async def close(self) -> None:
        await self.inner.close()
        if self.server is not None:
            await self.server.aclose()


class RateLimitedHTTP(RateLimitedHandler):
    scheme = "http"


class RateLimitedHTTPS(RateLimitedHandler):
    scheme = "https"


class SiteRateLimit:
    """Scrapy add-on (after the impersonation add-on): wraps whatever handles http and https."""

    def update_settings(self, settings: BaseSettings) -> None:
        handlers = settings.getwithbase("DOWNLOAD_HANDLERS")
        settings.set(INNER_HANDLERS, {scheme: _path(handlers[scheme]) for scheme in ("http", "https")}, "addon")
        wrapped: dict[str, Any] = {"http": f"{__name__}.RateLimitedHTTP", "https": f"{__name__}.RateLimitedHTTPS"}
        settings.set("DOWNLOAD_HANDLERS", {**settings.getdict("DOWNLOAD_HANDLERS"), **wrapped}, "addon")


def _path(handler: Any) -> str:
    return handler if isinstance(handler, str) else f"{handler.__module__}.{handler.__qualname__}"
