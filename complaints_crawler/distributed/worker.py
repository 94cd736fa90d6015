"""`complaints worker`: one Scrapy process that leases targets from the queue and crawls them, one at a time.

Each target is crawled by a fresh crawler whose frontier is the lease's keys in Redis (`frontier`) and whose
downloads take turns from the shared per-site budget (`ratelimit`); its crawl_runs row names the worker. While
a target runs, its lease is renewed every third of `WORKER_LEASE_SECONDS`; a renewal that finds the lease gone
(the worker was cut off long enough for another to take the target over) stops the crawl.

How an attempt ends decides what the queue does with the target: `finished` is done; `shutdown` (the worker
was asked to stop) and `archive_unavailable` (PostgreSQL went away: nothing to do with the target) put it back
at the front without counting the attempt; any other reason is a failed attempt, tried again later until
`WORKER_MAX_ATTEMPTS`. A worker stops (exit 1) when Redis or the archive goes away: every other worker would
fail the same way, so failing targets one after another would only use up their attempts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from redis import RedisError
from scrapy import signals
from scrapy.crawler import AsyncCrawlerProcess, Crawler
from scrapy.settings import Settings
from scrapy.utils.defer import deferred_from_coro
from twisted.internet.error import ReactorNotRunning
from twisted.python.failure import Failure

from complaints_crawler.crawl.reasons import FinishReason
from complaints_crawler.crawl.runner import CrawlOutcome, project_settings
from complaints_crawler.distributed.connection import shown
from complaints_crawler.distributed.frontier import LOST_STAT, frontier_settings, redis_lost, stop_crawl
from complaints_crawler.distributed.queue import Lease, TargetQueue
from complaints_crawler.errors import first_line
from complaints_crawler.spiders.base import crawl_stat

log = logging.getLogger(__name__)

RATE_LIMIT_ADDON = "complaints_crawler.distributed.ratelimit.SiteRateLimit"
# Not the target's fault: back to the queue, the attempt not counted.
RELEASED = {FinishReason.SHUTDOWN.value, FinishReason.ARCHIVE_UNAVAILABLE.value, FinishReason.QUEUE_UNAVAILABLE.value}


class WorkerStopped(Exception):
    """The worker cannot go on; the message is one line for the user."""


@dataclass(frozen=True)
class WorkerConfig:
    redis_url: str
    queue: str
    worker_id: str
    until_empty: bool
    overrides: dict[str, Any]  # the crawls' settings (-s, --archive, log level)
    lease_seconds: float
    max_attempts: int
    poll_interval: float


def verdict(reason: str | None) -> str:
    if reason == FinishReason.FINISHED:
        return "done"
    return "release" if reason in RELEASED else "retry"


def outcome_record(outcome: CrawlOutcome) -> dict[str, Any]:
    return {
        "reason": outcome.finish_reason or "did not start",
        "mode": outcome.mode,
        "requests": outcome.requests,
        "new": outcome.new,
        "updated": outcome.updated,
        "unchanged": outcome.unchanged,
        "quarantined": outcome.quarantined,
        "health": outcome.health,
        "seconds": round(outcome.seconds, 1),
        "run_id": outcome.run_id,
    }


class Worker:
    def __init__(
        self, config: WorkerConfig, queue: TargetQueue, process: AsyncCrawlerProcess, report: Callable[[str], None]
    ):
        self.config = config
        self.queue = queue
        self.process = process
        self.report = report
        self.stopping = False
        self.wake = asyncio.Event()
        self.crawler: Crawler | None = None
        self.targets_done = 0
        self.idle = False  # said that there is nothing to lease (once per idle spell)

    def stop(self) -> None:
        """Finish nothing more: the running crawl closes (`shutdown`) and its target goes back to the queue."""
        self.stopping = True
        self.wake.set()
        if self.crawler is not None and self.crawler.crawling:
            deferred_from_coro(self.crawler.stop_async())

    async def run(self) -> None:
        config = self.config
        while not self.stopping:
            lease = await self._redis(self.queue.lease, config.worker_id, config.lease_seconds, config.max_attempts)
            if lease is None:
                pending, in_flight, expires = await self._redis(self.queue.work_left)
                if config.until_empty and not pending and not in_flight:
                    self.report(f"the queue is empty: stopping after {self.targets_done} target(s)")
                    return
                if not self.idle:
                    self.idle = True
                    held = f" ({in_flight} in flight elsewhere)" if in_flight else ""
                    self.report(f"nothing to lease{held}: waiting for targets")
                # In flight elsewhere: its worker may die, and its target come back when the lease expires.
                await self._sleep(
                    config.poll_interval if expires is None else min(config.poll_interval, max(expires, 0) + 0.05)
                )
                continue
            self.idle = False
            await self.crawl(lease)

    async def crawl(self, lease: Lease) -> None:
        target = lease.target
        self.report(f"leased   {target.label} (attempt {lease.attempt}, lease {lease.number})")
        await self._redis(self.queue.clear_frontier, lease)
        try:
            spider = self.process.spider_loader.load(target.site)
        except KeyError:  # enqueued by a version that knows more sites
            await self._redis(
                self.queue.finish,
                lease,
                "retry",
                {"reason": "did not start", "note": f"no spider named {target.site!r} in this worker"},
                self.config.max_attempts,
            )
            self.report(f"ended    {target.label}: did not start (this worker has no spider {target.site!r})")
            return
        crawler = Crawler(spider, self.crawl_settings(lease))
        self.crawler = crawler
        # A stop asked for while the crawl was starting (before it could be stopped) stops it once it runs.
        crawler.signals.connect(
            lambda: self.stop() if self.stopping else None, signal=signals.engine_started, weak=False
        )
        renewing = asyncio.ensure_future(self.renew(lease, crawler))
        began = time.monotonic()
        try:
            await self.process.crawl(crawler, **target.arguments)
        except Exception as error:  # the crawl could not start (logged by Scrapy)
            log.error("the crawl of %s did not start: %s", target.label, first_line(error))
        finally:
            renewing.cancel()
            self.crawler = None
        outcome = CrawlOutcome.of(target.site, target.arguments, crawler, time.monotonic() - began)
        reason = outcome.finish_reason
        state = await self._redis(
            self.queue.finish, lease, verdict(reason), outcome_record(outcome), self.config.max_attempts
        )
        self.targets_done += 1
        self.report(f"ended    {target.label}: {outcome.summary} -> {state or 'lease lost: taken over'}")
        if reason == FinishReason.ARCHIVE_UNAVAILABLE:
            raise WorkerStopped(
                f"the archive did not take what the crawl of {target.label} found (see the log; "
                "anything unwritten was saved for `complaints import`); its target is back in the "
                "queue"
            )
        lost = crawl_stat(crawler, LOST_STAT)
        if reason == FinishReason.QUEUE_UNAVAILABLE and lost:
            raise WorkerStopped(f"Redis at {shown(self.config.redis_url)} went away: {lost}")

    def crawl_settings(self, lease: Lease) -> Settings:
        settings = project_settings(self.config.overrides)
        settings.setdict(
            {
                **frontier_settings(lease.frontier),
                "REDIS_URL": self.config.redis_url,
                "WORKER_ID": self.config.worker_id,
                "SITE_LIMITER_KEY": f"{self.config.queue}:rate",  # + ":SITE[:EGRESS_ID]": one budget per queue
                "ADDONS": {**settings.getdict("ADDONS"), RATE_LIMIT_ADDON: 10},  # after the impersonation add-on
            },
            priority="cmdline",
        )
        return settings

    async def renew(self, lease: Lease, crawler: Crawler) -> None:
        while True:
            await asyncio.sleep(self.config.lease_seconds / 3)
            try:
                kept = await asyncio.to_thread(self.queue.renew, lease, self.config.lease_seconds)
            except RedisError as error:
                redis_lost(crawler, error)
                return
            if not kept:
                stop_crawl(
                    crawler,
                    f"the lease on {lease.target.label} expired and another worker took the target "
                    "over: stopping this crawl",
                )
                return

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.wake.wait(), timeout=seconds)

    async def _redis(self, call: Callable[..., Any], *args: Any) -> Any:
        """A queue call off the reactor's thread (a slow Redis must not hold the crawls up)."""
        try:
            return await asyncio.to_thread(call, *args)
        except RedisError as error:
            raise WorkerStopped(f"Redis at {shown(self.config.redis_url)} went away: {first_line(error)}") from None


def run_worker(config: WorkerConfig, queue: TargetQueue, report: Callable[[str], None]) -> None:
    """Run until the queue is empty (`until_empty`) or a signal; raises WorkerStopped when it cannot go on."""
    process = AsyncCrawlerProcess(project_settings(config.overrides))  # installs the asyncio reactor
    from twisted.internet import reactor as installed

    reactor: Any = installed
    worker = Worker(config, queue, process, report)
    ended: list[Any] = []

    def finished(result: Any) -> None:
        ended.append(result)
        with contextlib.suppress(ReactorNotRunning):  # already stopping: a second signal
            reactor.stop()

    def start() -> None:
        deferred_from_coro(worker.run()).addBoth(finished)

    def on_signal(signum: int, _: Any) -> None:
        if worker.stopping:  # a second signal: stop now, the lease expires by itself
            reactor.callFromThread(reactor.stop)
            return
        reactor.callFromThread(
            report, f"{signal.Signals(signum).name}: stopping; the running target goes back to the queue"
        )
        reactor.callFromThread(worker.stop)

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, on_signal)
    reactor.callWhenRunning(start)
    process.start(stop_after_crawl=False, install_signal_handlers=False)
    if not ended:
        raise WorkerStopped(
            "stopped before the running target could be put back; it returns to the queue when its lease expires"
        )
    if isinstance(ended[0], Failure):
        ended[0].raiseException()
