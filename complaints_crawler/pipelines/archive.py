"""Last stage: batched writes to the archive, and the `crawl_runs` row (and crawl target) of this crawl.

Batches are written on a writer thread, so downloads and parsing go on while a batch is written. One batch is
written while the next fills; a full batch waits for the write before it (back-pressure: memory stays flat when the
archive is slower than the crawl). What a write did is taken in on the crawl's thread, where stats, signals and the
failure handling below live; closing waits for the write under way and writes the rest.

Nothing scraped is lost, whatever the archive does:
- an archive that refuses a write because of one item (a value the database will not take) has that item
  found by splitting the batch; it is quarantined with the database's reason and the rest is written;
- an archive that refuses everything (a server gone away, a full disk, a trigger) keeps the batch pending: it
  is written with the next one, and after `ARCHIVE_WRITE_ATTEMPTS` refusals in a row the crawl stops as
  `archive_unavailable`; whatever is still unwritten when the crawl ends is saved as JSON lines in
  `ARCHIVE_SPILL_DIR`, and `complaints import` archives that file later;
- a crawl stopped before it could close (a second Ctrl-C) writes what is pending and marks its run
  `interrupted` on the way out; a crawl killed outright leaves its row `running`, and the next crawl marks it
  `interrupted` (its pending batch is fetched again by the next run).
"""

from __future__ import annotations

import atexit
import json
import logging
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider
from scrapy.utils.defer import deferred_from_coro
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from twisted.internet import task

from complaints_crawler.archive.database import ArchiveSchemaError, archive_url, shown_url
from complaints_crawler.archive.prepare import PreparedComplaint, prepare
from complaints_crawler.archive.store import ArchiveStore, WriteResult
from complaints_crawler.archive.targets import load_target, target_key
from complaints_crawler.crawl import health
from complaints_crawler.crawl.reasons import FinishReason
from complaints_crawler.errors import first_line
from complaints_crawler.items import Business, Complaint, SeenComplaint
from complaints_crawler.pipelines.base import Stage
from complaints_crawler.quarantine import QuarantineEntry, QuarantineKind, item_quarantined, quarantine

log = logging.getLogger(__name__)

Unit = Business | PreparedComplaint | SeenComplaint


@dataclass
class Pending:
    """What waits to be written, in arrival order per kind."""

    businesses: dict[tuple[str, str], Business] = field(default_factory=dict)
    complaints: list[PreparedComplaint] = field(default_factory=list)
    seen: list[SeenComplaint] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.businesses) + len(self.complaints) + len(self.seen)

    def add(self, unit: Unit) -> None:
        if isinstance(unit, Business):
            self.businesses[(unit.source.value, unit.external_id)] = unit
        elif isinstance(unit, PreparedComplaint):
            self.complaints.append(unit)
        else:
            self.seen.append(unit)

    def units(self) -> list[Unit]:
        return [*self.businesses.values(), *self.complaints, *self.seen]


@dataclass
class Outcome:
    """What one write did, for the crawl's thread to take in (the writer thread touches no crawl state)."""

    counts: Counter[str] = field(default_factory=Counter)
    totals: WriteResult = field(default_factory=WriteResult)
    refused: list[tuple[Unit, BaseException]] = field(default_factory=list)  # items the archive would not take
    units_written: bool = False  # the items are in; only the quarantine entries may have failed
    committed: list[Unit] = field(default_factory=list)  # the parts of a split batch in before a refusal
    error: BaseException | None = None  # the archive refused the write


@dataclass
class Write:
    """A write handed to the writer thread, with what it writes (put back as pending when it is refused)."""

    future: Future[Outcome]
    units: list[Unit]
    quarantined: list[QuarantineEntry]


class ArchivePipeline(Stage):
    stats_prefix = "archive"

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        settings = self.settings
        self.url = archive_url(settings.get("ARCHIVE_URL"))
        self.batch_size = settings.getint("ARCHIVE_BATCH_SIZE")
        self.write_attempts = settings.getint("ARCHIVE_WRITE_ATTEMPTS")
        self.spill_dir = Path(settings.get("ARCHIVE_SPILL_DIR") or ".")
        self.mask_pii = settings.getbool("MASK_RESIDUAL_PII")
        self.store: ArchiveStore | None = None
        self.run_id: int | None = None
        self.previous_seen: int | None = None  # complaints the target's last finished run saw
        self.pending = Pending()
        self.quarantined: list[QuarantineEntry] = []
        self.totals = WriteResult()
        self.quarantined_count = 0
        self.failed_writes = 0  # in a row
        self.flush_at = self.batch_size  # pending items that trigger a write; a batch more after a refusal
        self.stopping = False
        self.spill_path: Path | None = None
        self.heartbeat: task.LoopingCall | None = None
        self.writer: ThreadPoolExecutor | None = None
        self.in_flight: Write | None = None  # at most one: the bound of the writer's queue
        crawler.signals.connect(self._on_quarantined, signal=item_quarantined)
        crawler.signals.connect(self._on_spider_closed, signal=signals.spider_closed)

    @property
    def shown_url(self) -> str:
        return shown_url(self.url)

    # -- opening -------------------------------------------------------------------------------------------

    def open_spider(self) -> None:
        spider = self.crawler.spider
        assert spider is not None
        args = getattr(spider, "args", None)
        company, location = getattr(args, "company", None), getattr(args, "location", None)
        try:
            store = ArchiveStore.open(
                self.url,
                duplicate_threshold=self.settings.getfloat("NEAR_DUPLICATE_THRESHOLD"),
                repost_threshold=self.settings.getfloat("REPOST_THRESHOLD"),
                near_duplicates=self.settings.getbool("NEAR_DUPLICATES_ENABLED"),
            )
            try:
                interrupted = store.mark_interrupted_runs(timedelta(seconds=self.settings.getfloat("RUN_STALE_AFTER")))
                if interrupted:
                    log.warning("%d earlier crawl run(s) whose process is gone are now marked interrupted", interrupted)
                if company:
                    with store.engine.connect() as conn:
                        state = load_target(conn, spider.name, target_key(company, location))
                    self.previous_seen = state.last_complaints_seen if state else None
                self.run_id = store.open_run(
                    spider.name,
                    dict(getattr(spider, "arguments", {})),
                    company=company,
                    location=location,
                    worker=self.settings.get("WORKER_ID"),
                )
            except SQLAlchemyError:
                store.close()
                raise
        except ArchiveSchemaError as error:
            log.error("cannot archive: %s", error)
            raise CloseSpider(FinishReason.ARCHIVE_UNAVAILABLE.value) from error
        except (SQLAlchemyError, ValueError, OSError) as error:  # no answer, a malformed URL, a missing driver
            log.error("cannot archive: the archive at %s does not answer: %s", shown_url(self.url), first_line(error))
            raise CloseSpider(FinishReason.ARCHIVE_UNAVAILABLE.value) from error
        self.store = store
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="archive-writer")
        self.stats.set_value("archive/run_id", self.run_id)
        log.info("archiving to %s as crawl run %d", self.shown_url, self.run_id)
        interval = self.settings.getfloat("ARCHIVE_HEARTBEAT_INTERVAL")
        if interval > 0:
            self.heartbeat = task.LoopingCall(self._beat)
            self.heartbeat.start(interval, now=False)
        atexit.register(self._close_if_stopped_early)

    # -- items ---------------------------------------------------------------------------------------------

    def handle(self, item: Any) -> Any:
        if isinstance(item, Complaint):  # the prepare stage is off: prepare here
            item = prepare(item, mask_pii=self.mask_pii)
        if isinstance(item, Business | PreparedComplaint | SeenComplaint):
            self.pending.add(item)
        if self.in_flight is not None and self.in_flight.future.done():
            self._take_in()
        if len(self.pending) >= self.flush_at and not self.stopping:
            self._hand_off()
        # What Scrapy reports as scraped (and feed exports write) is the complaint, not its archive rows.
        return item.item if isinstance(item, PreparedComplaint) else item

    def _hand_off(self) -> None:
        """Give what is pending to the writer thread, once the write before it is done."""
        if self.in_flight is not None:
            self._take_in()  # back-pressure: waits for the write under way
            if len(self.pending) < self.flush_at or self.stopping:
                return  # refused: what it held waits with this batch for the next attempt
        assert self.writer is not None
        units, quarantined = self.pending.units(), self.quarantined
        self.pending, self.quarantined = Pending(), []
        self.in_flight = Write(self.writer.submit(self._write_units, units, quarantined), units, quarantined)

    def wait(self) -> bool:
        """Wait for the write under way, if any, and take in what it did. False when the archive refused it."""
        return self._take_in() if self.in_flight is not None else True

    def _take_in(self) -> bool:
        assert self.in_flight is not None
        write, self.in_flight = self.in_flight, None
        return self._settle(write.future.result(), write.units, write.quarantined)

    def flush(self) -> bool:
        """Write what is pending, here and now (after the write under way). False when the archive refused it: it
        stays pending, for the next attempt."""
        if self.store is None:
            return True
        written = self.wait()
        # Twice at most: items the archive refuses are quarantined once their batch is written.
        while self.pending or self.quarantined:
            units, quarantined = self.pending.units(), self.quarantined
            self.pending, self.quarantined = Pending(), []
            written = self._settle(self._write_units(units, quarantined), units, quarantined)
            if not written:
                break
        return written

    def _settle(self, outcome: Outcome, units: list[Unit], quarantined: list[QuarantineEntry]) -> bool:
        """Take in what a write did, on the crawl's thread: stats, quarantined items, a refusal."""
        for name, n in outcome.counts.items():
            self.count(name, n)
        self.totals.add(outcome.totals)
        for unit, reason in outcome.refused:
            self._quarantine_refused(unit, reason)
        if outcome.error is None:
            self.failed_writes = 0
            self.flush_at = self.batch_size
            return True
        # Refused: what the write held goes back in front of what came meanwhile, for the next attempt.
        pending = self.pending
        self.pending = Pending()
        # Complaints in already are counted: not written twice. Businesses go back all the same (an upsert that
        # counts nothing), so that what is spilled stays whole: each complaint with its business.
        committed = {id(unit) for unit in outcome.committed if not isinstance(unit, Business)}
        unwritten = [] if outcome.units_written else [unit for unit in units if id(unit) not in committed]
        for unit in [*unwritten, *pending.units()]:
            self.pending.add(unit)
        self.quarantined = [*quarantined, *self.quarantined]
        self._write_refused(outcome.error)
        return False

    def _write_units(self, units: list[Unit], quarantined: list[QuarantineEntry]) -> Outcome:
        """Write `units`, then the quarantine entries; on the writer thread, or on the crawl's when closing."""
        outcome = Outcome()
        try:
            if units:
                self._write(units, outcome)
            outcome.units_written = True
            if quarantined:
                assert self.store is not None
                self.store.quarantine(quarantined, self.run_id)
        except Exception as error:  # any refusal, whatever its type: the pending items must survive it
            outcome.error = error
        return outcome

    def _write(self, units: list[Unit], outcome: Outcome) -> None:
        """Write `units` in one transaction; when the archive refuses them for what they hold rather than for
        being unavailable, find the items it refuses by splitting the batch, note those and write the rest. A
        batch of which no complaint can be written is the archive's refusal, raised as such."""
        try:
            self._write_batch(units, outcome)
        except Exception as error:
            if _archive_is_unreachable(error) or sum(isinstance(u, PreparedComplaint) for u in units) < 2:
                raise
            refused: list[tuple[Unit, BaseException]] = []
            middle = len(units) // 2  # the whole batch was just refused: its halves next
            written = self._write_split(units[:middle], refused, outcome) + self._write_split(
                units[middle:], refused, outcome
            )
            if written == 0:
                raise
            outcome.refused += refused

    def _write_split(self, units: list[Unit], refused: list[tuple[Unit, BaseException]], outcome: Outcome) -> int:
        """Write what the archive takes of `units`, halving refused batches; the complaints written."""
        try:
            self._write_batch(units, outcome)
            outcome.committed += units
            return sum(isinstance(u, PreparedComplaint) for u in units)
        except Exception as error:
            if _archive_is_unreachable(error):
                raise
            if len(units) == 1:
                refused.append((units[0], error))
                return 0
            middle = len(units) // 2
            return self._write_split(units[:middle], refused, outcome) + self._write_split(
                units[middle:], refused, outcome
            )

    def _write_batch(self, units: list[Unit], outcome: Outcome) -> None:
        assert self.store is not None
        batch = Pending()
        for unit in units:
            batch.add(unit)
        result = self.store.write(
            list(batch.businesses.values()), batch.complaints, self.run_id, seen=[s.key for s in batch.seen]
        )
        counts = outcome.counts
        counts["batches"] += 1
        counts["businesses"] += len(batch.businesses)
        counts["near_duplicates"] += result.near_duplicates
        counts["poorer_copies_kept_out"] += result.poorer_copies
        for name in ("new", "updated", "unchanged"):
            counts[f"complaints_{name}"] += getattr(result, name)
        outcome.totals.add(result)

    def _quarantine_refused(self, unit: Unit, error: BaseException) -> None:
        item = unit.item if isinstance(unit, PreparedComplaint) else unit
        self.count("refused_items")
        quarantine(
            self.crawler,
            QuarantineKind.INVALID_ITEM,
            f"the archive refused the item: {first_line(error)}",
            url=getattr(item, "url", None),
            details={"item": item.model_dump(mode="json")},
        )

    def _write_refused(self, error: BaseException) -> None:
        self.failed_writes += 1
        self.flush_at = len(self.pending) + self.batch_size  # the next attempt comes a batch later
        self.count("write_errors")
        log.error(
            "the archive refused a write (%d in a row): %s; %d complaints wait in memory",
            self.failed_writes,
            first_line(error),
            len(self.pending.complaints),
        )
        if self.failed_writes >= self.write_attempts and not self.stopping:
            self.stopping = True
            log.error("stopping the crawl: the archive refused %d writes in a row", self.failed_writes)
            assert self.crawler.engine is not None
            deferred_from_coro(self.crawler.engine.close_spider_async(reason=FinishReason.ARCHIVE_UNAVAILABLE.value))

    def spill(self) -> None:
        """Save what could not be archived as JSON lines for `complaints import`, and clear it."""
        if not (self.pending or self.quarantined):
            return
        spider = self.crawler.spider
        name = spider.name if spider is not None else "crawl"
        if self.spill_path is None:
            stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
            self.spill_path = (self.spill_dir / f"unarchived-{name}-run{self.run_id}-{stamp}.jsonl").resolve()
        pending = self.pending
        records = [{"business": b.model_dump(mode="json")} for b in pending.businesses.values()]
        records += [{"complaint": c.item.model_dump(mode="json")} for c in pending.complaints]
        records += [{"quarantine": _quarantine_record(e)} for e in self.quarantined]
        try:
            self.spill_dir.mkdir(parents=True, exist_ok=True)
            with self.spill_path.open("a", encoding="utf-8") as out:
                out.writelines(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
        except OSError as error:
            log.critical(
                "%d complaints are lost: neither the archive nor %s took them (%s)",
                len(pending.complaints),
                self.spill_path,
                error,
            )
            return
        site = pending.complaints[0].item.source.value if pending.complaints else name
        self.count("unarchived_complaints", len(pending.complaints))
        log.error(
            "%d complaints, %d businesses and %d quarantine entries could not be archived; they are saved in %s. "
            "Archive them with: complaints import --site %s --archive %s %s",
            len(pending.complaints),
            len(pending.businesses),
            len(self.quarantined),
            self.spill_path,
            site,
            self.shown_url,
            self.spill_path,
        )
        self.pending, self.quarantined = Pending(), []

    # -- closing -------------------------------------------------------------------------------------------

    def _beat(self) -> None:
        if self.writer is not None:
            self.writer.submit(self._beat_now)  # in line with the writes: no second writer on the archive

    def _beat_now(self) -> None:
        if self.store is not None and self.run_id is not None:
            try:
                self.store.heartbeat(self.run_id)
            except SQLAlchemyError as error:
                log.warning("crawl run %d could not note it is alive: %s", self.run_id, first_line(error))

    def _on_quarantined(self, entry: QuarantineEntry) -> None:
        self.quarantined.append(entry)
        self.quarantined_count += 1

    def _on_spider_closed(self, reason: str) -> None:
        self._close_run(reason)

    def _close_if_stopped_early(self) -> None:
        """At interpreter exit: a crawl forced to stop (a second Ctrl-C) never closed its spider."""
        if self.store is not None:
            log.error("the crawl stopped before it could close: writing what is pending, run marked interrupted")
            self._close_run(FinishReason.INTERRUPTED.value)

    def _close_run(self, reason: str) -> None:
        if self.store is None:
            return
        if self.heartbeat is not None and self.heartbeat.running:
            self.heartbeat.stop()
        if not self.flush():  # entries quarantined while the engine was closing, the last batch
            self.spill()
        if self.spill_path is not None:
            reason = FinishReason.ARCHIVE_UNAVAILABLE.value  # the crawl ran, but not all it found is archived
            self.stats.set_value("finish_reason", reason)
        assert self.run_id is not None
        stats = self.stats.get_stats()
        seen = self.totals.new + self.totals.updated + self.totals.unchanged
        run_health = health.assess(
            finish_reason=reason,
            complaints_seen=seen,
            quarantined=self.quarantined_count,
            previous_seen=self.previous_seen,
            max_quarantine_ratio=self.settings.getfloat("HEALTH_MAX_QUARANTINE_RATIO"),
        )
        self.stats.set_value("archive/health", run_health)
        counts = dict(
            pages=stats.get("response_received_count", 0),
            requests=stats.get("downloader/request_count", 0) - stats.get("robotstxt/request_count", 0),
            new_count=self.totals.new,
            updated_count=self.totals.updated,
            unchanged_count=self.totals.unchanged,
            quarantined_count=self.quarantined_count,
            mode=stats.get("refresh/mode"),
        )
        try:
            self.store.close_run(
                self.run_id,
                finish_reason=reason,
                counts=counts,
                stats=_jsonable_stats(stats),
                health=run_health,
                listing_url=stats.get("refresh/listing_url"),
                full_sweep=stats.get("refresh/mode") == "full",
            )
        except SQLAlchemyError as error:
            log.error("crawl run %d could not be closed in the archive: %s", self.run_id, first_line(error))
        log.info(
            "crawl run %d closed (%s): %d new, %d updated, %d unchanged, %d quarantined; health: %s",
            self.run_id,
            reason,
            self.totals.new,
            self.totals.updated,
            self.totals.unchanged,
            self.quarantined_count,
            run_health,
        )
        if self.writer is not None:
            self.writer.shutdown(wait=True)  # a heartbeat may still be under way
            self.writer = None
        self.store.close()
        self.store = None
        atexit.unregister(self._close_if_stopped_early)


def _archive_is_unreachable(error: BaseException) -> bool:
    """A refusal that says nothing about the items: no connection, a lost one, a locked or full database."""
    if isinstance(error, OperationalError | InterfaceError):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def _jsonable_stats(stats: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime | date) else v for k, v in sorted(stats.items())}


def _quarantine_record(entry: QuarantineEntry) -> dict[str, Any]:
    return dict(kind=entry.kind, reason=entry.reason, url=entry.url, score=entry.score, details=entry.details)
