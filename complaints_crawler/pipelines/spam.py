"""Post-level spam check: helpline spam, keyword-stuffed promotion and off-language filler are quarantined."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from complaints_crawler.items import Complaint
from complaints_crawler.quarantine import QuarantineKind, quarantine
from complaints_crawler.text.spam import score
from complaints_crawler.text.spam.report import expected_languages, expected_scripts, reason_line, spam_details


class SpamPipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.threshold = crawler.settings.getfloat("SPAM_POST_THRESHOLD")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SpamPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Complaint):
            return item
        text = "\n".join([item.title or "", item.text, *(r.text for r in item.responses if r.kind.value == "author_update")])
        result = score(text, expected_scripts(self.crawler), self.threshold, expected_languages=expected_languages(self.crawler))
        self.stats.inc_value("spam/posts_scored")
        if not result.is_spam:
            return item
        self.stats.inc_value("spam/posts_rejected")
        reason = f"spam post (score {result.score:.2f}): {reason_line(result)}"
        quarantine(self.crawler, QuarantineKind.SPAM_POST, reason, url=item.url, score=result.score,
                   details={**spam_details(result), "item": item.model_dump(mode="json")})
        raise DropItem(reason)
