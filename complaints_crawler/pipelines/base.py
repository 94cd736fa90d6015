"""What every pipeline stage shares: the crawler, its settings and stats, counting, and rejecting with a reason."""

from __future__ import annotations

from typing import Any, ClassVar, NoReturn, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from complaints_crawler.quarantine import QuarantineKind, quarantine


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

    def count(self, what: str, n: int = 1) -> None:
        self.stats.inc_value(f"{self.stats_prefix}/{what}", n)

    def reject(self, kind: QuarantineKind, reason: str, *, url: str | None = None, score: float | None = None,
               details: dict[str, Any] | None = None) -> NoReturn:
        """Quarantine what this stage refuses, then drop it: nothing leaves the pipeline unrecorded."""
        quarantine(self.crawler, kind, reason, url=url, score=score, details=details)
        raise DropItem(reason)
