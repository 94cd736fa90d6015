"""The crawl's work process (crawl/work_processes.py): the spam checks and the preparation give there what they give
in the crawl's own thread, and a process that dies costs no page and no complaint. The stages run here on a running asyncio loop, as
they do in a crawl (Scrapy without a Twisted reactor: no reactor is installed in the test process); the end-to-end crawls of the other test modules run with the default pool."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from constants import CC_SITE
from factories import complaint
from scrapy.exceptions import DropItem, IgnoreRequest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from complaints_crawler.crawl.runner import project_settings
from complaints_crawler.crawl.work_processes import WorkProcesses
from complaints_crawler.middlewares.spam import PageSpamMiddleware
from complaints_crawler.pipelines.prepare import PreparePipeline
from complaints_crawler.pipelines.spam import SpamPipeline
from complaints_crawler.quarantine import QuarantineEntry, item_quarantined
from complaints_crawler.spiders.consumercomplaints import ConsumerComplaintsSpider

MASKED = "Call me on 9876543210 or write to jane.doe@example.com; the agent XXXXXXXX promised a refund."
HELPLINE = (
    "Amazon customer care number 9876543210 call now 9876543210 "
    "Amazon helpline 9876543210 toll free 9876543210 call 24x7 9876543210"
)
DOORWAY = CC_SITE / "octopus-alipay-topup-b990001" / "index.html"
BOARD = CC_SITE / "xiaomi-india-b106391" / "index.html"


class Stages:
    """The page check, the post check and the preparation of one crawler with `settings`; what they quarantine,
    kept."""

    def __init__(self, **settings: Any):
        merged = project_settings({"TWISTED_REACTOR_ENABLED": False, **settings}).copy_to_dict()
        self.crawler = get_crawler(ConsumerComplaintsSpider, merged)
        self.crawler.spider = ConsumerComplaintsSpider.from_crawler(self.crawler, company="acme-widgets-b1")
        self.quarantined: list[QuarantineEntry] = []
        self.crawler.signals.connect(self.collect, signal=item_quarantined)
        self.pages = PageSpamMiddleware.from_crawler(self.crawler)
        self.posts = SpamPipeline.from_crawler(self.crawler)
        self.prepare = PreparePipeline.from_crawler(self.crawler)
        self.processes = WorkProcesses.of(self.crawler)

    def collect(self, entry: QuarantineEntry) -> None:
        self.quarantined.append(entry)

    async def post(self, item: Any) -> str:
        try:
            result = self.posts.process_item(item)
            if asyncio.iscoroutine(result):
                result = await result
        except DropItem as dropped:
            return f"dropped: {dropped}"
        return "passed" if result is item else f"changed: {result!r}"

    async def page(self, path: Any) -> str:
        url = f"https://www.consumercomplaints.in/{path.parent.name}"
        response = HtmlResponse(url, body=path.read_bytes(), headers={"Content-Type": "text/html; charset=utf-8"})
        try:
            result = self.pages.process_response(Request(url), response)
            if asyncio.iscoroutine(result):
                result = await result
        except IgnoreRequest as ignored:
            return f"ignored: {ignored}"
        return "passed" if result is response else "changed"

    async def prepared(self, item: Any) -> Any:
        result = self.prepare.process_item(item)
        return await result if asyncio.iscoroutine(result) else result

    def stat(self, name: str) -> Any:
        assert self.crawler.stats is not None
        return self.crawler.stats.get_value(name)


async def verdicts(stages: Stages) -> list[str]:
    """An honest complaint, a helpline post, a board page, a doorway page, a complaint prepared; then the processes
    close."""
    helpline = complaint(3).model_copy(update={"text": HELPLINE})
    try:
        prepared = await stages.prepared(complaint(7).model_copy(update={"text": MASKED}))
        return [
            await stages.post(complaint(2)),
            await stages.post(helpline),
            await stages.page(BOARD),
            await stages.page(DOORWAY),
            f"{prepared.text_normalized} {prepared.spans} {prepared.content_hash} {prepared.lsh_buckets}",
        ]
    finally:
        stages.processes.close()


def test_the_spam_process_gives_the_verdicts_the_crawl_thread_gives():
    async def both() -> tuple[Stages, list[str], Stages, list[str]]:
        pooled, inline = Stages(WORK_PROCESSES=1), Stages(WORK_PROCESSES=0)
        assert (pooled.processes.pooled, inline.processes.pooled) == (True, False)
        [scoring] = pooled.processes.processes
        in_pool = await verdicts(pooled)
        assert scoring.process.exitcode == 0  # at the end of its socket it left by itself, unkilled
        return pooled, in_pool, inline, await verdicts(inline)

    pooled, in_pool, inline, in_thread = asyncio.run(both())
    assert in_pool == in_thread
    assert in_pool[0] == "passed" and in_pool[2] == "passed"
    assert in_pool[1].startswith("dropped: spam post (score ")
    assert in_pool[3].startswith("ignored: spam page https://www.consumercomplaints.in/octopus-alipay-topup-b990001")
    assert in_pool[4].startswith(
        "Call me on [REDACTED] or write to [REDACTED]; the agent [REDACTED] promised a refund. (MaskSpan(start=11,"
    )
    for stages in (pooled, inline):
        assert [(e.kind, e.reason) for e in stages.quarantined] == [(e.kind, e.reason) for e in inline.quarantined]
        assert [e.kind for e in stages.quarantined] == ["spam_post", "spam_page"]
        assert (stages.stat("spam/posts_scored"), stages.stat("spam/posts_rejected")) == (2, 1)
        assert (stages.stat("spam/pages_scored"), stages.stat("spam/pages_rejected")) == (2, 1)
        assert [stages.stat(f"masks/{kind}") for kind in ("phone", "email", "xxxx", "complaints_with_masks")] == [1] * 4


def test_a_spam_process_that_dies_costs_nothing_the_crawl_scores_on_in_its_thread(caplog):
    async def run() -> tuple[Stages, Any, list[str]]:
        stages = Stages(WORK_PROCESSES=1)
        [scoring] = stages.processes.processes
        await stages.post(complaint(1))  # the process is up and scoring
        scoring.process.kill()
        scoring.process.join()
        return stages, scoring, await verdicts(stages)

    stages, scoring, results = asyncio.run(run())
    assert results[0] == "passed" and results[1].startswith("dropped: spam post")
    assert results[2] == "passed" and results[3].startswith("ignored: spam page")
    assert not stages.processes.pooled
    assert stages.stat("work/processes_lost") == 1
    assert (stages.stat("spam/posts_scored"), stages.stat("spam/pages_scored")) == (3, 2)
    died = f"the work process {scoring.pid} died: the crawl does its work in its own thread from now on"
    assert died in caplog.text


def test_without_a_running_loop_the_checks_score_in_the_calling_thread():
    stages = Stages(WORK_PROCESSES=1)
    assert not stages.processes.pooled
    item = complaint(4)
    assert stages.posts.process_item(item) is item  # a value, not a coroutine


def test_a_negative_process_count_is_refused_before_the_crawl():
    from complaints_crawler.crawl.checks import SettingsError, check_settings

    with pytest.raises(SettingsError, match=r"^-s WORK_PROCESSES=-1: expected a whole number of 0 or more$"):
        check_settings(project_settings({"WORK_PROCESSES": "-1"}))
