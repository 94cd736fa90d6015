"""What every pipeline stage shares: the crawler, its settings and stats, counting, rejecting with a reason, and a
net under its own bugs: an item a stage fails on is quarantined with the error, never lost in a log line. A stage
with CPU work to spare the reactor's thread (`CpuStage`) does it in the crawl's work process."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, ClassVar, NoReturn, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from complaints_crawler.crawl.work_processes import WorkProcesses
from complaints_crawler.quarantine import QuarantineKind, quarantine

log = logging.getLogger(__name__)


class Stage:
    # Prefix of this stage's crawl stats ("validate/complaint", "dedupe/repeat_dropped", …).
    stats_prefix: ClassVar[str]

    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.settings = crawler.settings
        self.stats: StatsCollector = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        try:
            return self.handle(item)
        except DropItem:
            raise
        except Exception as error:
            return self.stage_failed(error, item)

    def stage_failed(self, error: Exception, item: Any) -> Any:
        """Called in an `except` block: the error logged with its traceback and counted, then `failed`."""
        log.exception("the %s stage failed on an item", self.stats_prefix)
        self.count("errors")
        return self.failed(item, error)

    def handle(self, item: Any) -> Any:
        """What the stage does with an item: return it (or what it becomes), or `reject` it."""
        raise NotImplementedError

    def failed(self, item: Any, error: Exception) -> Any:
        """An item `handle` raised on: quarantined with the error (a stage may rather pass it on)."""
        dumped = item.model_dump(mode="json") if hasattr(item, "model_dump") else repr(item)[:2000]
        self.reject(
            QuarantineKind.INVALID_ITEM,
            f"the {self.stats_prefix} stage failed on the item: {type(error).__name__}: {error}",
            url=getattr(item, "url", None),
            details={"item": dumped},
        )

    def count(self, what: str, n: int = 1) -> None:
        self.stats.inc_value(f"{self.stats_prefix}/{what}", n)

    def reject(
        self,
        kind: QuarantineKind,
        reason: str,
        *,
        url: str | None = None,
        score: float | None = None,
        details: dict[str, Any] | None = None,
    ) -> NoReturn:
        """Quarantine what this stage refuses, then drop it: nothing leaves the pipeline unrecorded."""
        quarantine(self.crawler, kind, reason, url=url, score=score, details=details)
        raise DropItem(reason)


@dataclass(frozen=True)
class Job:
    """A call for the work process: a module-level function and plain arguments (they travel pickled)."""

    function: Callable[..., Any]
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)

    def __call__(self) -> Any:
        return self.function(*self.args, **self.kwargs)


class CpuStage(Stage):
    """A stage whose work on an item is one pure call (`job`), run in the crawl's work process when it has one and
    here otherwise; `finish` decides on the item from the call's result, in the crawl's thread either way."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.processes = WorkProcesses.of(crawler)

    def job(self, item: Any) -> Job | None:
        """The call this stage makes for `item`, or None to pass the item on as it is."""
        raise NotImplementedError

    def finish(self, item: Any, result: Any) -> Any:
        raise NotImplementedError

    def handle(self, item: Any) -> Any:
        job = self.job(item)
        return item if job is None else self.finish(item, job())

    def process_item(self, item: Any) -> Any | Coroutine[Any, Any, Any]:
        if self.processes.pooled:
            return self._in_work_process(item)
        return super().process_item(item)

    async def _in_work_process(self, item: Any) -> Any:
        try:
            job = self.job(item)
            if job is None:
                return item
            return self.finish(item, await self.processes.run(job.function, *job.args, **job.kwargs))
        except DropItem:
            raise
        except Exception as error:
            return self.stage_failed(error, item)
