"""Nothing is dropped silently: spiders, middlewares and pipelines record rejected pages and items here.

`quarantine()` counts the entry in the crawl stats, logs it, and hands it (through a signal) to the
archive pipeline, which writes it to the `quarantine` table of the run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from complaints_crawler.items import storable, utc_now

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

log = logging.getLogger(__name__)

# Signal sent with `entry=QuarantineEntry`.
item_quarantined = object()


@dataclass
class QuarantineEntry:
    """A rejected page or item, as the `quarantine` table stores it."""

    kind: str
    reason: str
    url: str | None = None
    score: float | None = None
    details: dict[str, Any] | None = None
    created_at: datetime = field(default_factory=utc_now)


class QuarantineKind(StrEnum):
    SPAM_PAGE = "spam_page"
    SPAM_POST = "spam_post"
    INVALID_ITEM = "invalid_item"
    PARSE_ERROR = "parse_error"
    BLOCKED = "blocked"
    TRUNCATED_PAGE = "truncated_page"  # a page that arrived cut, after its retries


def quarantine(
    crawler: Crawler,
    kind: QuarantineKind,
    reason: str,
    *,
    url: str | None = None,
    score: float | None = None,
    details: dict[str, Any] | None = None,
) -> QuarantineEntry:
    entry = QuarantineEntry(
        kind=kind.value, reason=storable(reason), url=storable(url), score=score, details=_storable_tree(details)
    )
    assert crawler.stats is not None
    crawler.stats.inc_value("quarantine/count")
    crawler.stats.inc_value(f"quarantine/{kind.value}")
    log.warning("quarantined (%s) %s: %s", kind.value, url or "-", reason)
    crawler.signals.send_catch_log(signal=item_quarantined, entry=entry)
    return entry


def _storable_tree(value: Any) -> Any:
    """`value` with every string storable (no NUL byte, no lone surrogate: JSONB refuses both)."""
    if isinstance(value, dict):
        return {storable(str(k)): _storable_tree(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_storable_tree(v) for v in value]
    return storable(value)
