"""Prepares every complaint once for the archive: masks to one canonical token, mask spans, content hash and
near-duplicate fingerprint. Its output is a typed `PreparedComplaint`, which the archive stage writes."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from complaints_crawler.archive.prepare import PreparedComplaint, prepare
from complaints_crawler.items import Complaint
from complaints_crawler.pipelines.base import Stage


class PreparePipeline(Stage):
    stats_prefix = "masks"

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.mask_pii = self.settings.getbool("MASK_RESIDUAL_PII")

    def handle(self, item: Any) -> Any:
        if not isinstance(item, Complaint):
            return item
        prepared = prepare(item, mask_pii=self.mask_pii)
        self.count_masks(prepared)
        return prepared

    def count_masks(self, prepared: PreparedComplaint) -> None:
        spans = [*prepared.spans, *(span for entry in prepared.entries for span in entry.spans)]
        if spans:
            self.count("complaints_with_masks")
        for span in spans:
            self.count(span.kind)
