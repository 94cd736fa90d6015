"""Within a run, one item per natural key: a repeat with a thread no richer than the first is dropped.

A repeat with a longer thread goes on and replaces the first in the archive (the richer thread wins).
Across runs, the archive compares content hashes; near-duplicates under other ids are linked there too.
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from complaints_crawler.items import Complaint
from complaints_crawler.pipelines.base import Stage


class DedupePipeline(Stage):
    stats_prefix = "dedupe"

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.entries_seen: dict[tuple[str, str], int] = {}

    def handle(self, item: Any) -> Any:
        if not isinstance(item, Complaint):
            return item
        seen = self.entries_seen.get(item.key)
        entries = len(item.responses)
        if seen is not None and entries <= seen:
            self.count("repeat_dropped")
            raise DropItem(f"repeat of {item.source.value} complaint {item.external_id} with no new entries")
        if seen is not None:
            self.count("repeat_richer")
        self.entries_seen[item.key] = entries
        return item
