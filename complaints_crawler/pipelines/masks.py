"""Normalizes every complaint once: masks to one canonical token, mask spans, content hash."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from complaints_crawler.archive.prepare import prepare
from complaints_crawler.items import Complaint


class MasksPipeline:
    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats
        self.mask_pii = crawler.settings.getbool("MASK_RESIDUAL_PII", True)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MasksPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Complaint):
            return item
        prepared = prepare(item, mask_pii=self.mask_pii)
        item._derived["prepared"] = prepared
        spans = [*prepared.spans, *(span for entry in prepared.entries for span in entry.spans)]
        if spans:
            self.stats.inc_value("masks/complaints_with_masks")
        for span in spans:
            self.stats.inc_value(f"masks/{span.kind}")
        return item
