"""Settings checked before a crawl starts, so that a typo is one clear line instead of a traceback mid-crawl."""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy.exceptions import UsageError
from scrapy.settings import BaseSettings

from complaints_crawler.impersonation import require_scrapy_impersonate
from complaints_crawler.sites import SITES

NUMBERS = (
    "DOWNLOAD_DELAY",
    "DOWNLOAD_DELAY_JITTER",
    "AUTOTHROTTLE_START_DELAY",
    "AUTOTHROTTLE_MAX_DELAY",
    "AUTOTHROTTLE_TARGET_CONCURRENCY",
    "DOWNLOAD_TIMEOUT",
    "ARCHIVE_HEARTBEAT_INTERVAL",
    "RUN_STALE_AFTER",
    "NEAR_DUPLICATE_THRESHOLD",
    "REPOST_THRESHOLD",
    "SPAM_PAGE_THRESHOLD",
    "SPAM_POST_THRESHOLD",
    "HEALTH_MAX_QUARANTINE_RATIO",
    "PROGRESS_INTERVAL",
    "BLOCK_BACKOFF_BASE",
    "BLOCK_BACKOFF_MAX",
    "BLOCK_RETRY_AFTER_MAX",
)
# Counts of things done at once: with none, the crawl would wait for ever.
AT_LEAST_ONE = ("CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN", "CONCURRENT_ITEMS")
WHOLE_NUMBERS = (
    "RETRY_TIMES",
    "ARCHIVE_BATCH_SIZE",
    "ARCHIVE_WRITE_ATTEMPTS",
    "REFRESH_WINDOW_DAYS",
    "FULL_SWEEP_DAYS",
    "BLOCK_RETRY_TIMES",
    "TRUNCATED_RETRY_TIMES",
    "PAGES_AHEAD",
    "WORK_PROCESSES",
)
SWITCHES = ("ROBOTSTXT_OBEY", "AUTOTHROTTLE_ENABLED", "MASK_RESIDUAL_PII", "NEAR_DUPLICATES_ENABLED", "RETRY_ENABLED")
_TRUE_FALSE = {"1", "0", "true", "false", "yes", "no", "on", "off"}


class SettingsError(ValueError):
    """A setting whose value cannot work; the message names it and says what it takes."""


def check_settings(settings: BaseSettings) -> None:
    for name in NUMBERS:
        _check(settings, name, float, "a number")
    for name in AT_LEAST_ONE:
        _check(settings, name, int, "a whole number", least=1)
    for name in WHOLE_NUMBERS:
        _check(settings, name, int, "a whole number")
    for name in SWITCHES:
        value = settings.get(name)
        if isinstance(value, str) and value.strip().lower() not in _TRUE_FALSE:
            raise SettingsError(f"-s {name}={value}: expected True or False")
    for site in SITES.values():
        value = str(settings.get(site.base_url_setting) or "")
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SettingsError(
                f"-s {site.base_url_setting}={value}: expected an http(s) URL such as {site.live_origin}"
            )
    try:
        require_scrapy_impersonate(settings)  # every way of crawling refuses it before any request
    except UsageError as error:
        raise SettingsError(str(error)) from None


def _check(settings: BaseSettings, name: str, kind: type, what: str, least: int = 0) -> None:
    value = settings.get(name)
    if value is None:
        return
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise SettingsError(f"-s {name}={value}: expected {what}") from None
    if number < least:
        raise SettingsError(f"-s {name}={value}: expected {what} of {least} or more")
