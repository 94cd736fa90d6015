"""The archive stage's writer thread: batches are written off the crawl's thread, one at a time, a full batch waits
for the write before it (memory stays flat), a refused write keeps its items, and closing writes everything."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from factories import business, complaint
from scrapy.utils.test import get_crawler
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from complaints_crawler.archive.database import make_engine, upgrade
from complaints_crawler.archive.models import ComplaintRow, CrawlRunRow
from complaints_crawler.crawl.runner import project_settings
from complaints_crawler.pipelines.archive import ArchivePipeline
from complaints_crawler.pipelines.prepare import PreparePipeline
from complaints_crawler.spiders.consumercomplaints import ConsumerComplaintsSpider

BATCH = 5


@pytest.fixture
def archive(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'archive.db'}"
    upgrade(url)
    return url


def stages(archive: str) -> tuple[PreparePipeline, ArchivePipeline]:
    settings = project_settings(
        {
            "ARCHIVE_URL": archive,
            "ARCHIVE_BATCH_SIZE": BATCH,
            "ARCHIVE_HEARTBEAT_INTERVAL": 0,
            "TWISTED_REACTOR_ENABLED": False,
        }
    ).copy_to_dict()
    crawler = get_crawler(ConsumerComplaintsSpider, settings)
    crawler.spider = ConsumerComplaintsSpider.from_crawler(crawler, company="acme-widgets-b1")
    store = ArchivePipeline.from_crawler(crawler)
    store.open_spider()
    return PreparePipeline.from_crawler(crawler), store


def complaints_in(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        count = conn.execute(select(func.count(ComplaintRow.id))).scalar_one()
    engine.dispose()
    return count


class SlowWrites:
    """Wraps the store's write: each takes `seconds`; records the threads and how many ran at once."""

    def __init__(self, store: ArchivePipeline, seconds: float):
        assert store.store is not None
        self.write = store.store.write
        self.seconds = seconds
        self.threads: set[str] = set()
        self.running = 0
        self.most_at_once = 0
        self.lock = threading.Lock()
        store.store.write = self  # type: ignore[method-assign]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with self.lock:
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
            self.threads.add(threading.current_thread().name)
        try:
            time.sleep(self.seconds)
            return self.write(*args, **kwargs)
        finally:
            with self.lock:
                self.running -= 1


def test_batches_are_written_off_the_crawls_thread_one_at_a_time_and_memory_stays_within_two_batches(archive):
    prepare, store = stages(archive)
    slow = SlowWrites(store, 0.05)
    store.process_item(business(0))
    for n in range(40):
        store.process_item(prepare.process_item(complaint(n)))
        in_flight = len(store.in_flight.units) if store.in_flight is not None else 0
        assert len(store.pending) + in_flight <= 2 * BATCH  # the one being written, the one filling
    store._on_spider_closed("finished")
    assert complaints_in(archive) == 40
    assert slow.most_at_once == 1
    assert any(name.startswith("archive-writer") for name in slow.threads)


def test_a_full_batch_waits_for_the_write_before_it(archive):
    prepare, store = stages(archive)
    SlowWrites(store, 0.5)
    began = time.monotonic()
    for n in range(BATCH):  # the first batch goes to the writer at once
        store.process_item(prepare.process_item(complaint(n)))
    assert time.monotonic() - began < 0.4
    for n in range(BATCH, 2 * BATCH - 1):  # the second fills while the first is written
        store.process_item(prepare.process_item(complaint(n)))
    assert time.monotonic() - began < 0.4
    store.process_item(prepare.process_item(complaint(2 * BATCH - 1)))  # full: waits for the first write
    assert time.monotonic() - began >= 0.4
    store._on_spider_closed("finished")
    assert complaints_in(archive) == 2 * BATCH


def test_closing_with_a_write_under_way_loses_nothing(archive):
    prepare, store = stages(archive)
    SlowWrites(store, 0.3)
    for n in range(BATCH + 2):  # one batch being written, two items pending
        store.process_item(prepare.process_item(complaint(n)))
    assert store.in_flight is not None and not store.in_flight.future.done()
    store._on_spider_closed("finished")
    assert complaints_in(archive) == BATCH + 2
    engine = make_engine(archive)
    with engine.connect() as conn:
        assert conn.execute(select(CrawlRunRow.finish_reason, CrawlRunRow.new_count)).all() == [("finished", BATCH + 2)]
    engine.dispose()


def test_a_write_refused_on_the_writer_thread_keeps_its_items_for_the_next(archive):
    prepare, store = stages(archive)
    assert store.store is not None
    write = store.store.write
    calls = []

    def refuse_once(*args: Any, **kwargs: Any) -> Any:
        calls.append(threading.current_thread().name)
        if len(calls) == 1:
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        return write(*args, **kwargs)

    store.store.write = refuse_once  # type: ignore[method-assign]
    for n in range(3 * BATCH):
        store.process_item(prepare.process_item(complaint(n)))
    store._on_spider_closed("finished")
    assert complaints_in(archive) == 3 * BATCH
    assert store.stats.get_value("archive/write_errors") == 1
    assert calls[0].startswith("archive-writer")
