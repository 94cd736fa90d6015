"""Prepares every complaint once for the archive: masks to one canonical token, mask spans, content hash and
near-duplicate fingerprint. Its output is a typed `PreparedComplaint`, which the archive stage writes. The work runs
in the crawl's work process (crawl/work_processes.py) when it has one."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from complaints_crawler.archive.prepare import PreparedComplaint, prepare
from complaints_crawler.items import Complaint
from complaints_crawler.pipelines.base import CpuStage, Job


class PreparePipeline(CpuStage):
    stats_prefix = "masks"

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.mask_pii = self.settings.getbool("MASK_RESIDUAL_PII")

    def job(self, item: Any) -> Job | None:
        return Job(prepare, (item,), {"mask_pii": self.mask_pii}) if isinstance(item, Complaint) else None

    def finish(self, item: Any, result: PreparedComplaint) -> PreparedComplaint:
        spans = [*result.spans, *(span for entry in result.entries for span in entry.spans)]
        if spans:
            self.count("complaints_with_masks")
        for span in spans:
            self.count(span.kind)
        return result
