"""Post-level spam check: helpline spam, keyword-stuffed promotion and off-language filler are quarantined (scored
in the crawl's spam process, crawl/spam_processes.py, when it has one)."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from complaints_crawler.crawl.spam_processes import SpamScorer
from complaints_crawler.items import Complaint
from complaints_crawler.pipelines.base import Stage
from complaints_crawler.quarantine import QuarantineKind
from complaints_crawler.text.spam import SpamScore, score
from complaints_crawler.text.spam.report import expected_languages, expected_scripts, reason_line, spam_details


class SpamPipeline(Stage):
    stats_prefix = "spam"

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.threshold = self.settings.getfloat("SPAM_POST_THRESHOLD")
        self.scorer = SpamScorer.of(crawler)

    def process_item(self, item: Any) -> Any | Coroutine[Any, Any, Any]:
        if isinstance(item, Complaint) and self.scorer.pooled:
            return self._checked_in_pool(item)
        return super().process_item(item)

    async def _checked_in_pool(self, item: Complaint) -> Any:
        try:
            languages = expected_languages(self.crawler)
            result = await self.scorer.score(
                score, post_text(item), expected_scripts(self.crawler), self.threshold, expected_languages=languages
            )
            return self.verdict(item, result)
        except DropItem:
            raise
        except Exception as error:
            return self.stage_failed(error, item)

    def handle(self, item: Any) -> Any:
        if not isinstance(item, Complaint):
            return item
        result = score(
            post_text(item),
            expected_scripts(self.crawler),
            self.threshold,
            expected_languages=expected_languages(self.crawler),
        )
        return self.verdict(item, result)

    def verdict(self, item: Complaint, result: SpamScore) -> Complaint:
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


def post_text(item: Complaint) -> str:
    """What the post check reads: the title, the complaint and the author's own updates."""
    return "\n".join(
        [item.title or "", item.text, *(r.text for r in item.responses if r.kind.value == "author_update")]
    )
