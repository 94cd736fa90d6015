"""Post-level spam check: helpline spam, keyword-stuffed promotion and off-language filler are quarantined (scored
in the crawl's work process, crawl/work_processes.py, when it has one)."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from complaints_crawler.items import Complaint
from complaints_crawler.pipelines.base import CpuStage, Job
from complaints_crawler.quarantine import QuarantineKind
from complaints_crawler.text.spam import SpamScore, score
from complaints_crawler.text.spam.report import expected_languages, expected_scripts, reason_line, spam_details


class SpamPipeline(CpuStage):
    stats_prefix = "spam"

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.threshold = self.settings.getfloat("SPAM_POST_THRESHOLD")

    def job(self, item: Any) -> Job | None:
        if not isinstance(item, Complaint):
            return None
        # The title, the complaint and the author's own updates.
        text = "\n".join(
            [item.title or "", item.text, *(r.text for r in item.responses if r.kind.value == "author_update")]
        )
        languages = expected_languages(self.crawler)
        return Job(score, (text, expected_scripts(self.crawler), self.threshold), {"expected_languages": languages})

    def finish(self, item: Complaint, result: SpamScore) -> Complaint:
        self.count("posts_scored")
        if not result.is_spam:
            return item
        self.count("posts_rejected")
        self.reject(
            QuarantineKind.SPAM_POST,
            f"spam post (score {result.score:.2f}): {reason_line(result)}",
            url=item.url,
            score=result.score,
            details={**spam_details(result), "item": item.model_dump(mode="json")},
        )

    def failed(self, item: Any, error: Exception) -> Any:
        # A scorer bug must not cost a complaint: it goes on unchecked, and the error is in the log and the stats.
        return item
