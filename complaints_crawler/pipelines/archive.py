"""Last stage: batched writes to the archive and the `crawl_runs` row of this crawl.

When the archive refuses a write (a server gone away, a full disk), the batch stays pending and is written
with the next one; after `ARCHIVE_WRITE_ATTEMPTS` refusals in a row the crawl stops as `archive_unavailable`.
Whatever is still unwritten when the crawl ends is saved as JSON lines in `ARCHIVE_SPILL_DIR`, and
`complaints import` archives that file later: nothing scraped is lost.
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider
from scrapy.utils.defer import deferred_from_coro
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from complaints_crawler.archive.database import ArchiveSchemaError, archive_url
from complaints_crawler.archive.prepare import PreparedComplaint, prepare
from complaints_crawler.archive.store import ArchiveStore, WriteResult
from complaints_crawler.items import Business, Complaint
from complaints_crawler.quarantine import QuarantineEntry, item_quarantined

log = logging.getLogger(__name__)


class ArchivePipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        self.url = archive_url(settings.get("ARCHIVE_URL"))
        self.batch_size = settings.getint("ARCHIVE_BATCH_SIZE")
        self.write_attempts = settings.getint("ARCHIVE_WRITE_ATTEMPTS", 3)
        self.spill_dir = Path(settings.get("ARCHIVE_SPILL_DIR") or ".")
        self.mask_pii = settings.getbool("MASK_RESIDUAL_PII", True)
        self.store: ArchiveStore | None = None
        self.run_id: int | None = None
        self.businesses: dict[tuple[str, str], Business] = {}
        self.complaints: list[PreparedComplaint] = []
        self.quarantined: list[QuarantineEntry] = []
        self.totals = WriteResult()
        self.quarantined_count = 0
        self.failed_writes = 0  # in a row
        self.flush_at = self.batch_size  # pending items that trigger a write; a batch more after a refusal
        self.stopping = False
        self.spill_path: Path | None = None
        crawler.signals.connect(self._on_quarantined, signal=item_quarantined)
        crawler.signals.connect(self._on_spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        spider = self.crawler.spider
        assert spider is not None
        try:
            store = ArchiveStore.open(
                self.url,
                duplicate_threshold=self.crawler.settings.getfloat("NEAR_DUPLICATE_THRESHOLD"),
                repost_threshold=self.crawler.settings.getfloat("REPOST_THRESHOLD"),
                near_duplicates=self.crawler.settings.getbool("NEAR_DUPLICATES_ENABLED", True),
            )
            try:
                self.run_id = store.open_run(spider.name, dict(getattr(spider, "arguments", {})))
            except SQLAlchemyError:
                store.close()
                raise
        except ArchiveSchemaError as error:
            log.error("cannot archive: %s", error)
            raise CloseSpider("archive_unavailable") from error
        except SQLAlchemyError as error:
            shown = make_url(self.url).render_as_string(hide_password=True)
            log.error("cannot archive: the archive at %s does not answer: %s", shown, _first_line(error))
            raise CloseSpider("archive_unavailable") from error
        self.store = store
        self.stats.set_value("archive/run_id", self.run_id)
        log.info("archiving to %s as crawl run %d", self.store.engine.url.render_as_string(hide_password=True),
                 self.run_id)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, Business):
            self.businesses[(item.source.value, item.external_id)] = item
        elif isinstance(item, Complaint):
            self.complaints.append(item._derived.get("prepared") or prepare(item, mask_pii=self.mask_pii))
        if self._pending() >= self.flush_at and not self.stopping:
            self.flush()
        return item

    def close_spider(self) -> None:
        if not self.flush():
            self.spill()

    def flush(self) -> bool:
        """Write what is pending. False when the archive refused it: it stays pending, for the next attempt."""
        if self.store is None:
            return True
        try:
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
        except SQLAlchemyError as error:
            self._write_refused(error)
            return False
        self.failed_writes = 0
        self.flush_at = self.batch_size
        return True

    def _pending(self) -> int:
        return len(self.complaints) + len(self.businesses)

    def _write_refused(self, error: SQLAlchemyError) -> None:
        self.failed_writes += 1
        self.flush_at = self._pending() + self.batch_size  # the next attempt comes a batch later
        self.stats.inc_value("archive/write_errors")
        log.error("the archive refused a write (%d in a row): %s; %d complaints wait in memory", self.failed_writes,
                  _first_line(error), len(self.complaints))
        if self.failed_writes >= self.write_attempts and not self.stopping:
            self.stopping = True
            log.error("stopping the crawl: the archive refused %d writes in a row", self.failed_writes)
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="archive_unavailable"))

    def spill(self) -> None:
        """Save what could not be archived as JSON lines for `complaints import`, and clear it."""
        if not (self.businesses or self.complaints or self.quarantined):
            return
        if self.spill_path is None:
            stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
            self.spill_dir.mkdir(parents=True, exist_ok=True)
            self.spill_path = (self.spill_dir / f"unarchived-{self.crawler.spider.name}-run{self.run_id}-{stamp}.jsonl").resolve()
        records = [{"business": b.model_dump(mode="json")} for b in self.businesses.values()]
        records += [{"complaint": c.item.model_dump(mode="json")} for c in self.complaints]
        records += [{"quarantine": _quarantine_record(e)} for e in self.quarantined]
        try:
            with self.spill_path.open("a", encoding="utf-8") as out:
                out.writelines(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
        except OSError as error:
            log.critical("%d complaints are lost: neither the archive nor %s took them (%s)", len(self.complaints),
                         self.spill_path, error)
            return
        site = self.complaints[0].item.source.value if self.complaints else self.crawler.spider.name
        self.stats.inc_value("archive/unarchived_complaints", len(self.complaints))
        log.error("%d complaints, %d businesses and %d quarantine entries could not be archived; they are saved in %s. "
                  "Archive them with: complaints import --site %s --archive %s %s", len(self.complaints),
                  len(self.businesses), len(self.quarantined), self.spill_path, site,
                  make_url(self.url).render_as_string(hide_password=True), self.spill_path)
        self.businesses, self.complaints, self.quarantined = {}, [], []

    def _on_quarantined(self, entry: QuarantineEntry) -> None:
        self.quarantined.append(entry)
        self.quarantined_count += 1

    def _on_spider_closed(self, spider: Spider, reason: str) -> None:
        if self.store is None:
            return
        if not self.flush():  # entries quarantined while the engine was closing
            self.spill()
        if self.spill_path is not None:
            reason = "archive_unavailable"  # the crawl ran, but not everything it found is in the archive
            self.stats.set_value("finish_reason", reason)
        assert self.run_id is not None
        counts = dict(
            pages=self.stats.get_value("response_received_count", 0),
            new_count=self.totals.new,
            updated_count=self.totals.updated,
            unchanged_count=self.totals.unchanged,
            quarantined_count=self.quarantined_count,
        )
        try:
            self.store.close_run(self.run_id, finish_reason=reason, counts=counts, stats=_jsonable_stats(self.stats.get_stats()))
        except SQLAlchemyError as error:
            log.error("crawl run %d could not be closed in the archive: %s", self.run_id, _first_line(error))
        log.info("crawl run %d closed (%s): %d new, %d updated, %d unchanged, %d quarantined", self.run_id, reason,
                 self.totals.new, self.totals.updated, self.totals.unchanged, self.quarantined_count)
        self.store.close()
        self.store = None


def _jsonable_stats(stats: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, (datetime, date)) else v for k, v in sorted(stats.items())}


def _quarantine_record(entry: QuarantineEntry) -> dict[str, Any]:
    return dict(kind=entry.kind, reason=entry.reason, url=entry.url, score=entry.score, details=entry.details)


def _first_line(error: BaseException) -> str:
    """The reason in an error's first line (SQLAlchemy appends the statement and a help link)."""
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__
