"""Last stage: batched writes to the archive and the `crawl_runs` row of this crawl."""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider

from complaints_crawler.archive.database import ArchiveSchemaError, archive_url
from complaints_crawler.archive.prepare import PreparedComplaint, prepare
from complaints_crawler.archive.store import ArchiveStore, QuarantineEntry, WriteResult
from complaints_crawler.items import Business, Complaint
from complaints_crawler.quarantine import item_quarantined

log = logging.getLogger(__name__)


class ArchivePipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        self.url = archive_url(settings.get("ARCHIVE_URL"))
        self.batch_size = settings.getint("ARCHIVE_BATCH_SIZE")
        self.mask_pii = settings.getbool("MASK_RESIDUAL_PII", True)
        self.store: ArchiveStore | None = None
        self.run_id: int | None = None
        self.businesses: dict[tuple[str, str], Business] = {}
        self.complaints: list[PreparedComplaint] = []
        self.quarantined: list[QuarantineEntry] = []
        self.totals = WriteResult()
        self.quarantined_count = 0
        crawler.signals.connect(self._on_quarantined, signal=item_quarantined)
        crawler.signals.connect(self._on_spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        spider = self.crawler.spider
        assert spider is not None
        try:
            self.store = ArchiveStore.open(
                self.url,
                duplicate_threshold=self.crawler.settings.getfloat("NEAR_DUPLICATE_THRESHOLD"),
                repost_threshold=self.crawler.settings.getfloat("REPOST_THRESHOLD"),
                near_duplicates=self.crawler.settings.getbool("NEAR_DUPLICATES_ENABLED", True),
            )
        except ArchiveSchemaError as error:
            log.error("cannot archive: %s", error)
            raise CloseSpider("archive_unavailable") from error
        self.run_id = self.store.open_run(spider.name, dict(getattr(spider, "arguments", {})))
        self.stats.set_value("archive/run_id", self.run_id)
        log.info("archiving to %s as crawl run %d", self.store.engine.url.render_as_string(hide_password=True),
                 self.run_id)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, Business):
            self.businesses[(item.source.value, item.external_id)] = item
        elif isinstance(item, Complaint):
            self.complaints.append(item._derived.get("prepared") or prepare(item, mask_pii=self.mask_pii))
        if len(self.complaints) + len(self.businesses) >= self.batch_size:
            self.flush()
        return item

    def close_spider(self) -> None:
        self.flush()

    def flush(self) -> None:
        if self.store is None:
            return
        if self.businesses or self.complaints:
            result = self.store.write(list(self.businesses.values()), self.complaints, self.run_id)
            self.stats.inc_value("archive/batches")
            self.stats.inc_value("archive/businesses", len(self.businesses))
            self.stats.inc_value("archive/near_duplicates", result.near_duplicates)
            for name in ("new", "updated", "unchanged"):
                self.stats.inc_value(f"archive/complaints_{name}", getattr(result, name))
            self.totals.add(result)
            self.businesses, self.complaints = {}, []
        if self.quarantined:
            self.store.quarantine(self.quarantined, self.run_id)
            self.quarantined = []

    def _on_quarantined(self, entry: QuarantineEntry) -> None:
        self.quarantined.append(entry)
        self.quarantined_count += 1

    def _on_spider_closed(self, spider: Spider, reason: str) -> None:
        if self.store is None:
            return
        self.flush()  # entries quarantined while the engine was closing
        assert self.run_id is not None
        counts = dict(
            pages=self.stats.get_value("response_received_count", 0),
            new_count=self.totals.new,
            updated_count=self.totals.updated,
            unchanged_count=self.totals.unchanged,
            quarantined_count=self.quarantined_count,
        )
        self.store.close_run(self.run_id, finish_reason=reason, counts=counts, stats=_jsonable_stats(self.stats.get_stats()))
        log.info("crawl run %d closed (%s): %d new, %d updated, %d unchanged, %d quarantined", self.run_id, reason,
                 self.totals.new, self.totals.updated, self.totals.unchanged, self.quarantined_count)
        self.store.close()
        self.store = None


def _jsonable_stats(stats: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, (datetime, date)) else v for k, v in sorted(stats.items())}
