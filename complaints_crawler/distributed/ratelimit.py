"""One politeness budget per site for all workers together, kept in Redis.

Every request a worker sends to a site (robots.txt, search and sitemap requests included) first takes the
site's turn from Redis, and gives it back when its answer (or failure) is in. While a request is out, no other
request to that site leaves any worker; after it, the site rests for its delay (`1 / SITE_RATE_LIMITS[site]`,
else the spider's `DOWNLOAD_DELAY`) plus a random part of at most `DOWNLOAD_DELAY_JITTER` times the delay:
jitter only ever lengthens the rest. With `EGRESS_ID` set, the budget is per site and egress (workers leaving
through different addresses do not share it).

Why the turn is held until the answer, instead of spacing the moments turns are handed out: a request leaves
its process some time after its turn (a busy event loop, a new connection), so two turns `delay` apart can reach
the site closer than that; measured under load, 0.10 s apart for a 0.25 s delay. A request's answer comes after
the site saw it, so resting from the answer keeps the delay whatever the lateness. The cost is the request's own
time on top of the delay, the same one request at a time per site as `CONCURRENT_REQUESTS_PER_DOMAIN = 1` in
one process. A worker that dies holding the turn holds it at most `DOWNLOAD_TIMEOUT`.

Each step is one Lua script on the Redis server's clock. The limiter wraps the download handlers (not a
downloader middleware): a middleware runs before Scrapy's own download slot queue, which can hold a request
back after its turn; the handler is the last step before the request is written to the network.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
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

# KEYS[1]: "UNTIL|HOLDER" (µs, server clock): held by HOLDER until UNTIL, or (no holder) resting until UNTIL.
# ARGV: token, hold (µs). 0: the turn is this caller's; > 0: rest left (µs); -1: another request is out.
TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local value = redis.call('GET', KEYS[1]) or '0|'
local bar = string.find(value, '|', 1, true)
local till, holder = tonumber(string.sub(value, 1, bar - 1)), string.sub(value, bar + 1)
if now < till then
  if holder ~= '' then return -1 end
  return till - now
end
redis.call('SET', KEYS[1], string.format('%.0f', now + tonumber(ARGV[2])) .. '|' .. ARGV[1],
           'PX', math.floor(tonumber(ARGV[2]) / 1000) + 60000)
return 0
"""

# KEYS[1]: as above. ARGV: token, rest (µs). Gives the turn back (if still the caller's): the site rests from now.
GIVE_BACK = """
local value = redis.call('GET', KEYS[1]) or '0|'
if string.sub(value, string.find(value, '|', 1, true) + 1) ~= ARGV[1] then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
redis.call('SET', KEYS[1], string.format('%.0f', now + tonumber(ARGV[2])) .. '|',
           'PX', math.floor(tonumber(ARGV[2]) / 1000) + 60000)
return 1
"""

POLL = 0.02  # seconds between looks while another worker's request to the site is out
INNER_HANDLERS = "SITE_LIMITER_INNER_HANDLERS"  # the handlers the limiter wraps, set by the add-on


def site_delay(settings: BaseSettings, site: str) -> float:
    """Seconds between two requests to `site`, all workers together."""
    rates = settings.getdict("SITE_RATE_LIMITS")
    if site in rates:
        return 1.0 / float(rates[site])
    return settings.getfloat("DOWNLOAD_DELAY")


class SiteLimiter:
    def __init__(self, server: Redis, key: str, delay: float, jitter: float, hold: float):
        self.server = server
        self.key = key
        self.delay = delay
        self.jitter = jitter
        self.hold = hold  # the longest a request may keep the turn (a dead worker's turn comes back then)
        self._take = server.register_script(TAKE)
        self._give_back = server.register_script(GIVE_BACK)

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[float]:
        """Hold the site's turn (yielding the seconds waited for it); the site rests from its end."""
        token = uuid.uuid4().hex
        waited = 0.0
        while (answer := int(await self._take(keys=[self.key], args=[token, round(self.hold * 1e6)]))) != 0:
            pause = POLL if answer < 0 else answer / 1e6
            await asyncio.sleep(pause)
            waited += pause
        try:
            yield waited
        finally:
            rest = self.delay * (1 + random.uniform(0, self.jitter))
            # Redis gone: the request's answer is kept all the same, and the turn comes back after `hold`.
            with contextlib.suppress(RedisError):
                await self._give_back(keys=[self.key], args=[token, round(rest * 1e6)])


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
        self.unlimited = False  # the site has no delay: decided once, not on every request

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RateLimitedHandler:
        return cls(crawler)

    def _limiter(self) -> SiteLimiter | None:
        spider = self.crawler.spider
        if self.limiter is None and not self.unlimited and spider is not None:
            settings = self.crawler.settings
            delay = site_delay(settings, spider.name)
            if delay <= 0:
                self.unlimited = True
                return None
            self.server = async_client(settings["REDIS_URL"])
            key = settings["SITE_LIMITER_KEY"] + f":{spider.name}"
            if settings.get("EGRESS_ID"):
                key += f":{settings['EGRESS_ID']}"
            self.limiter = SiteLimiter(
                self.server,
                key,
                delay,
                settings.getfloat("DOWNLOAD_DELAY_JITTER"),
                hold=settings.getfloat("DOWNLOAD_TIMEOUT"),
            )
            log.info(
                "requests to %s: one at a time across all workers, %.2f s or more apart (%s)", spider.name, delay, key
            )
        return self.limiter

    async def download_request(self, request: Request) -> Response:
        limiter = self._limiter()
        if limiter is None:
            response: Response = await self.inner.download_request(request)
            return response
        try:
            async with limiter.turn() as waited:
                stats = self.crawler.stats
                stats.inc_value("ratelimit/requests")
                stats.inc_value("ratelimit/wait_ms", round(waited * 1000))
                response = await self.inner.download_request(request)
        except RedisError as error:
            redis_lost(self.crawler, error)
            raise IgnoreRequest(f"no turn from the site's rate limit: {error}") from None
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
