"""A leased target's frontier: scrapy-redis's scheduler and dupefilter, on keys of that lease.

Requests (pickled, with their callbacks by name and their pagination `Cursor` in `cb_kwargs`) and request
fingerprints live in Redis under `Q:frontier:N:requests` and `Q:frontier:N:seen`, so a page is fetched once
per target whatever happens in the process. A target taken over after its worker died is crawled again on a
new lease with an empty frontier: the dead worker had popped requests it never finished (gone from the queue,
their fingerprints kept) and held scraped items it never wrote, and only a fresh run finds both again.

When Redis goes away mid-crawl, the crawl closes as `queue_unavailable` instead of ending `finished` on an
empty-looking frontier: what it scraped is written (or spilled) by the archive pipeline as it closes.
"""

from __future__ import annotations

import logging
from typing import Any

from redis import RedisError
from scrapy.crawler import Crawler
from scrapy.http import Request
from scrapy.utils.defer import deferred_from_coro
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler

from complaints_crawler.crawl.reasons import FinishReason
from complaints_crawler.distributed.connection import client
from complaints_crawler.errors import first_line

log = logging.getLogger(__name__)

LOST_STAT = "worker/redis_lost"


def frontier_settings(frontier: str) -> dict[str, Any]:
    """The settings that put a crawl on the frontier `frontier` (scrapy-redis's own setting names)."""
    return {
        "SCHEDULER": f"{__name__}.FrontierScheduler",
        "SCHEDULER_QUEUE_KEY": f"{frontier}:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{frontier}:seen",
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",  # permalinks (priority 1) before listings
        "SCHEDULER_PERSIST": False,  # a crawl that ends deletes its frontier
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
    }


def redis_lost(crawler: Crawler, error: BaseException) -> None:
    """Stop the crawl as `queue_unavailable` (once): its frontier, rate limit or lease cannot be kept."""
    if crawler._stats is None or crawler.stats.get_value(LOST_STAT):  # not started: nothing to stop
        return
    crawler.stats.set_value(LOST_STAT, first_line(error))
    stop_crawl(
        crawler,
        f"Redis went away ({first_line(error)}): stopping the crawl; what it scraped is archived or "
        "spilled, and its target goes back to the queue when its lease expires",
    )


def stop_crawl(crawler: Crawler, message: str) -> None:
    """Close the crawl as `queue_unavailable`, saying why."""
    if crawler._stats is None or crawler.stats.get_value("worker/stopped"):
        return
    crawler.stats.set_value("worker/stopped", True)
    log.error(message)
    crawler.stats.set_value("close_message", message)
    engine = crawler._engine
    if engine is not None and engine.spider is not None:
        deferred_from_coro(engine.close_spider_async(reason=FinishReason.QUEUE_UNAVAILABLE.value))


class FrontierScheduler(Scheduler):
    """scrapy-redis's scheduler with the workers' Redis client, that ends the crawl when Redis goes away."""

    crawler: Crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierScheduler:
        settings = crawler.settings
        server = client(settings["REDIS_URL"])
        seen = RFPDupeFilter(
            server, key=settings["SCHEDULER_DUPEFILTER_KEY"], debug=settings.getbool("DUPEFILTER_DEBUG")
        )
        scheduler = cls(
            server=server,
            persist=settings.getbool("SCHEDULER_PERSIST"),
            queue_key=settings["SCHEDULER_QUEUE_KEY"],
            queue_cls=settings["SCHEDULER_QUEUE_CLASS"],
            dupefilter=seen,
            dupefilter_key=settings["SCHEDULER_DUPEFILTER_KEY"],
        )
        scheduler.stats = crawler.stats
        scheduler.crawler = crawler
        return scheduler

    @property
    def lost(self) -> bool:
        return bool(self.crawler.stats.get_value(LOST_STAT))

    def open(self, spider: Any) -> None:
        try:
            super().open(spider)
        except RedisError as error:
            redis_lost(self.crawler, error)

    # scrapy-redis's own two methods, without the `spider` argument Scrapy >= 2.16 deprecates in stats calls.
    def enqueue_request(self, request: Request) -> bool:
        if self.lost:
            return False
        try:
            if not request.dont_filter and self.df.request_seen(request):
                self.df.log(request, self.spider)
                return False
            self.queue.push(request)
        except RedisError as error:
            redis_lost(self.crawler, error)
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        if self.lost:
            return None
        try:
            request: Request | None = self.queue.pop(self.idle_before_close)
        except RedisError as error:
            redis_lost(self.crawler, error)
            return None
        if request is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        # A lost frontier is never an empty one: the crawl must not close as `finished`.
        if self.lost:
            return True
        try:
            return bool(super().has_pending_requests())
        except RedisError as error:
            redis_lost(self.crawler, error)
            return True

    def close(self, reason: str) -> None:
        if self.lost:
            return  # its keys are deleted when its lease expires
        try:
            super().close(reason)
        except RedisError as error:
            log.warning("the crawl's frontier could not be deleted: %s", first_line(error))
