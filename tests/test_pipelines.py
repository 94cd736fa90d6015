"""The pipeline stages and downloader middlewares in-process, on a crawler built with Scrapy's own test helper
(no engine, no reactor): what each stage passes on, drops, quarantines and counts."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from constants import CC_SITE
from factories import business, complaint
from scrapy.exceptions import DropItem, IgnoreRequest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler
from sqlalchemy import func, select

from complaints_crawler.archive.database import make_engine, upgrade
from complaints_crawler.archive.models import ComplaintRow, CrawlRunRow, QuarantineRow, ResponseRow
from complaints_crawler.archive.prepare import PreparedComplaint
from complaints_crawler.crawl.runner import project_settings
from complaints_crawler.items import Complaint, SeenComplaint
from complaints_crawler.middlewares.blocks import BlockBackoffMiddleware
from complaints_crawler.middlewares.errors import CallbackErrorsMiddleware
from complaints_crawler.middlewares.spam import PageSpamMiddleware
from complaints_crawler.pipelines.archive import ArchivePipeline
from complaints_crawler.pipelines.dedupe import DedupePipeline
from complaints_crawler.pipelines.prepare import PreparePipeline
from complaints_crawler.pipelines.spam import SpamPipeline
from complaints_crawler.pipelines.validate import ValidatePipeline
from complaints_crawler.quarantine import QuarantineEntry, item_quarantined
from complaints_crawler.spiders.consumercomplaints import ConsumerComplaintsSpider


class Harness:
    """A crawler with the project's settings and a consumercomplaints spider; quarantine entries collected."""

    def __init__(self, **settings: Any):
        # Reactorless: no Twisted reactor is installed in the test process (forked crawls install their own).
        merged = project_settings(
            {"ARCHIVE_HEARTBEAT_INTERVAL": 0, "TWISTED_REACTOR_ENABLED": False, **settings}
        ).copy_to_dict()
        self.crawler = get_crawler(ConsumerComplaintsSpider, merged)
        self.crawler.spider = ConsumerComplaintsSpider.from_crawler(self.crawler, company="acme-widgets-b1")
        self.quarantined: list[QuarantineEntry] = []
        self.crawler.signals.connect(self.collect, signal=item_quarantined)

    def collect(self, entry: QuarantineEntry) -> None:
        self.quarantined.append(entry)

    def stage(self, cls: type) -> Any:
        return cls.from_crawler(self.crawler)

    def stat(self, name: str) -> Any:
        assert self.crawler.stats is not None
        return self.crawler.stats.get_value(name)


def test_validate_passes_valid_items_and_quarantines_the_rest_with_the_item():
    h = Harness()
    validate = h.stage(ValidatePipeline)
    assert isinstance(validate.process_item(complaint(1).model_dump()), Complaint)
    assert isinstance(validate.process_item(SeenComplaint(source="bbb", external_id="9")), SeenComplaint)
    with pytest.raises(DropItem, match=r"invalid item: text: Field required"):
        validate.process_item(
            {
                "source": "bbb",
                "external_id": "7",
                "business": {"source": "bbb", "external_id": "b", "name": "B"},
                "url": "https://x.test/7",
            }
        )
    [entry] = h.quarantined
    assert (entry.kind, entry.url, entry.details["item"]["external_id"]) == ("invalid_item", "https://x.test/7", "7")
    assert (h.stat("validate/complaint"), h.stat("validate/seencomplaint"), h.stat("validate/invalid")) == (1, 1, 1)


def test_spam_quarantines_a_spam_post_and_lets_a_complaint_through():
    h = Harness()
    spam = h.stage(SpamPipeline)
    honest = complaint(2)
    assert spam.process_item(honest) is honest
    helpline = complaint(3).model_copy(
        update={
            "text": "Amazon customer care number 9876543210 call now 9876543210 "
            "Amazon helpline 9876543210 toll free 9876543210 call 24x7 9876543210"
        }
    )
    with pytest.raises(DropItem, match=r"spam post \(score"):
        spam.process_item(helpline)
    assert [e.kind for e in h.quarantined] == ["spam_post"]
    assert (h.stat("spam/posts_scored"), h.stat("spam/posts_rejected")) == (2, 1)


def test_a_stage_that_fails_quarantines_the_item_but_the_spam_stage_fails_open(monkeypatch):
    h = Harness()
    monkeypatch.setattr("complaints_crawler.pipelines.prepare.prepare", lambda *a, **k: 1 / 0)
    with pytest.raises(DropItem, match="the masks stage failed on the item: ZeroDivisionError: division by zero"):
        h.stage(PreparePipeline).process_item(complaint(4))
    assert [(e.kind, e.details["item"]["external_id"]) for e in h.quarantined] == [("invalid_item", "10000004")]
    monkeypatch.setattr("complaints_crawler.pipelines.spam.score", lambda *a, **k: 1 / 0)
    item = complaint(5)
    assert h.stage(SpamPipeline).process_item(item) is item  # a scorer bug costs no complaint
    assert (h.stat("masks/errors"), h.stat("spam/errors")) == (1, 1)


def test_dedupe_drops_a_repeat_unless_its_thread_is_richer():
    h = Harness()
    dedupe = h.stage(DedupePipeline)
    dedupe.process_item(complaint(6, responses=2))
    with pytest.raises(DropItem, match="repeat of bbb complaint 10000006 with no new entries"):
        dedupe.process_item(complaint(6, responses=2))
    assert dedupe.process_item(complaint(6, responses=3)) is not None
    assert (h.stat("dedupe/repeat_dropped"), h.stat("dedupe/repeat_richer")) == (1, 1)


def test_prepare_turns_a_complaint_into_its_archive_rows_and_counts_masks():
    h = Harness()
    prepared = h.stage(PreparePipeline).process_item(complaint(7))
    assert isinstance(prepared, PreparedComplaint)
    assert "[REDACTED]" in prepared.text_normalized and prepared.mask_count == 1
    assert (h.stat("masks/complaints_with_masks"), h.stat("masks/asterisks")) == (1, 1)


@pytest.fixture
def archive(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'archive.db'}"
    upgrade(url)
    return url


def rows(url: str, *columns: Any) -> list[tuple]:
    engine = make_engine(url)
    with engine.connect() as conn:
        found = [tuple(r) for r in conn.execute(select(*columns))]
    engine.dispose()
    return found


def test_the_archive_stage_writes_batches_and_closes_its_run(archive):
    h = Harness(ARCHIVE_URL=archive, ARCHIVE_BATCH_SIZE=3)
    prepare, store = h.stage(PreparePipeline), h.stage(ArchivePipeline)
    store.open_spider()
    store.process_item(business(0))
    for n in range(4):
        assert isinstance(store.process_item(prepare.process_item(complaint(n))), Complaint)  # reported as scraped
    store.wait()  # the batch is written on the writer thread
    assert rows(archive, func.count(ComplaintRow.id)) == [(2,)]  # one batch of 3 items (a business, 2 complaints)
    store._on_spider_closed("finished")
    assert rows(archive, func.count(ComplaintRow.id)) + rows(archive, func.count(ResponseRow.id)) == [(4,), (8,)]
    assert rows(archive, CrawlRunRow.finish_reason, CrawlRunRow.new_count, CrawlRunRow.health) == [
        ("finished", 4, "ok")
    ]


def test_a_crawl_stopped_before_it_closes_writes_what_is_pending(archive):
    h = Harness(ARCHIVE_URL=archive, ARCHIVE_BATCH_SIZE=100)
    prepare, store = h.stage(PreparePipeline), h.stage(ArchivePipeline)
    store.open_spider()
    for n in range(5):
        store.process_item(prepare.process_item(complaint(n)))
    assert rows(archive, func.count(ComplaintRow.id)) == [(0,)]
    store._close_if_stopped_early()  # what the interpreter's exit runs after a second Ctrl-C
    assert rows(archive, CrawlRunRow.finish_reason, CrawlRunRow.new_count) == [("interrupted", 5)]
    assert rows(archive, func.count(ComplaintRow.id)) == [(5,)]


def test_seen_complaints_only_touch_the_archive(archive):
    h = Harness(ARCHIVE_URL=archive)
    store = h.stage(ArchivePipeline)
    store.open_spider()
    store.process_item(h.stage(PreparePipeline).process_item(complaint(1)))
    store.flush()
    store.process_item(SeenComplaint(source="bbb", external_id="10000001"))
    store.process_item(SeenComplaint(source="bbb", external_id="not-archived"))
    store._on_spider_closed("finished")
    assert rows(archive, CrawlRunRow.new_count, CrawlRunRow.unchanged_count) == [(1, 1)]
    assert rows(archive, func.count(QuarantineRow.id)) == [(0,)]


# -- downloader and spider middlewares --------------------------------------------------------------------


def page(url: str, body: bytes, status: int = 200, **meta: Any) -> HtmlResponse:
    request = Request(url, meta=meta)
    return HtmlResponse(
        url,
        status=status,
        body=body,
        request=request,
        encoding="utf-8",
        headers={"Content-Type": "text/html; charset=utf-8"},
    )


def test_the_page_spam_check_drops_a_doorway_and_passes_a_board():
    h = Harness()
    check = h.stage(PageSpamMiddleware)
    board = page(
        "https://www.consumercomplaints.in/xiaomi-india-b106391",
        (CC_SITE / "xiaomi-india-b106391" / "index.html").read_bytes(),
    )
    assert check.process_response(board.request, board) is board
    doorway = page(
        "https://www.consumercomplaints.in/octopus-alipay-topup-b990001",
        (CC_SITE / "octopus-alipay-topup-b990001" / "index.html").read_bytes(),
    )
    with pytest.raises(IgnoreRequest, match="spam page"):
        check.process_response(doorway.request, doorway)
    assert [e.kind for e in h.quarantined] == ["spam_page"]


def test_a_block_with_a_long_retry_after_goes_to_the_spider_at_once():
    h = Harness(BLOCK_RETRY_AFTER_MAX=60)
    blocks = h.stage(BlockBackoffMiddleware)
    request = Request("https://www.consumercomplaints.in/acme-widgets-b1/page/2", cb_kwargs={"cursor": object()})
    response = HtmlResponse(
        request.url, status=429, body=b"<html></html>", request=request, headers={"Retry-After": "3600"}
    )
    assert asyncio.run(blocks.process_response(request, response)) is response
    assert request.meta["block_reason"] == "HTTP 429 on a board page; the site asked to wait 3600 s"
    assert request.meta["dont_retry"] is True


def test_a_callback_error_quarantines_its_page():
    h = Harness()
    errors = h.stage(CallbackErrorsMiddleware)
    response = page("http://127.0.0.1:1/acme-widgets-b1", b"<html></html>")
    assert errors.process_spider_exception(response, KeyError("cursor")) == []
    [entry] = h.quarantined
    assert (entry.kind, entry.reason) == ("parse_error", "the page could not be processed: KeyError: 'cursor'")


def test_a_split_batch_cut_short_by_a_lost_connection_writes_each_item_once(archive, tmp_path):
    """Part of a refused batch goes in while it is split, then the connection drops: only the rest is written again,
    so nothing is counted twice (before, the part already in came back as 'unchanged')."""
    from sqlalchemy.exc import IntegrityError, OperationalError

    h = Harness(ARCHIVE_URL=archive, ARCHIVE_BATCH_SIZE=100, ARCHIVE_SPILL_DIR=str(tmp_path))
    prepare, stage = h.stage(PreparePipeline), h.stage(ArchivePipeline)
    stage.open_spider()
    write, calls = stage.store.write, []

    def scripted(businesses, complaints, run_id, seen=()):
        ids = [c.item.external_id for c in complaints]
        calls.append(ids)
        if complaint(3).external_id in ids:
            raise IntegrityError("INSERT …", {}, Exception("refused for one item"))
        if len(calls) == 3:  # the split's second half: the connection is gone
            raise OperationalError("INSERT …", {}, Exception("connection lost"))
        return write(businesses, complaints, run_id, seen=seen)

    stage.store.write = scripted
    stage.process_item(business(0))
    for n in range(4):
        stage.process_item(prepare.process_item(complaint(n)))
    stage._on_spider_closed("finished")

    first = complaint(0).external_id
    assert calls[:3] == [
        [complaint(n).external_id for n in range(4)],  # refused for complaint 3
        [first],  # the first half (the business and complaint 0) goes in
        [complaint(n).external_id for n in (1, 2, 3)],  # the connection drops
    ]
    assert first not in [i for ids in calls[3:] for i in ids]  # what went in is not written again
    assert rows(archive, CrawlRunRow.new_count, CrawlRunRow.unchanged_count) == [(3, 0)]
    assert rows(archive, func.count(ComplaintRow.id)) == [(3,)]
    assert [e.kind for e in h.quarantined] == ["invalid_item"]
