"""Why a crawl ended: one enum, so that no reason can be forgotten by the exit code or the health check."""

from __future__ import annotations

from enum import StrEnum


class FinishReason(StrEnum):
    FINISHED = "finished"  # the only success
    BLOCKED = "blocked"  # Cloudflare or rate limiting outlasted the retries
    LAYOUT_CHANGED = "layout_changed"  # pages arrive, but no card can be read
    COMPANY_NOT_FOUND = "company_not_found"
    INVALID_ARGUMENTS = "invalid_arguments"
    SITE_UNAVAILABLE = "site_unavailable"  # a page could not be fetched at all
    ARCHIVE_UNAVAILABLE = "archive_unavailable"  # the archive did not answer or refused writes
    QUEUE_UNAVAILABLE = "queue_unavailable"  # a worker lost its Redis (frontier, rate limit) or its lease on the target
    INTERRUPTED = "interrupted"  # the process was stopped before the crawl could close (kill, a second Ctrl-C)
    SHUTDOWN = "shutdown"  # Scrapy's: Ctrl-C, or a signal asking to stop
    START_ERROR = "start_error"  # Scrapy's: the spider's start() raised
    CANCELLED = "cancelled"  # Scrapy's: the crawl was cancelled

    @property
    def succeeded(self) -> bool:
        return self is FinishReason.FINISHED


def exit_code(reason: str | None) -> int:
    """0 for a crawl that finished; 1 for every other reason, and for a crawl that never ended (None)."""
    return 0 if reason == FinishReason.FINISHED else 1
