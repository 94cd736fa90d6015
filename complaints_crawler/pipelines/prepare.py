"""Prepares every complaint once for the archive: masks to one canonical token, mask spans, content hash and
near-duplicate fingerprint. Its output is a typed `PreparedComplaint`, which the archive stage writes."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from complaints_crawler.archive.prepare import PreparedComplaint, prepare
from complaints_crawler.items import Complaint
from complaints_crawler.pipelines.base import Stage
from complaints_crawler.quarantine import QuarantineKind


class PreparePipeline(Stage):
    stats_prefix = "masks"

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.mask_pii = self.settings.getbool("MASK_RESIDUAL_PII")

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Complaint):
            return item
        try:
            prepared = prepare(item, mask_pii=self.mask_pii)
        except Exception as error:  # a text the mask or fingerprint code cannot handle must not cost the complaint
            self.reject(QuarantineKind.INVALID_ITEM, f"complaint could not be prepared: {type(error).__name__}: {error}",
                        url=item.url, details={"item": item.model_dump(mode="json")})
        self.count_masks(prepared)
        return prepared

    def count_masks(self, prepared: PreparedComplaint) -> None:
        spans = [*prepared.spans, *(span for entry in prepared.entries for span in entry.spans)]
        if spans:
            self.count("complaints_with_masks")
        for span in spans:
            self.count(span.kind)
