"""How a verdict is reported: the expected scripts and languages of a spider's site, and the quarantine details."""

from __future__ import annotations

from scrapy.crawler import Crawler

from complaints_crawler.text.spam.model import SpamScore


def _by_spider(crawler: Crawler, setting: str) -> set[str] | None:
    by_spider = crawler.settings.getdict(setting)
    spider = crawler.spider
    values = by_spider.get(spider.name) if spider is not None else None
    return set(values) if values else None


def expected_scripts(crawler: Crawler) -> set[str] | None:
    """The scripts this spider's site is written in (setting SPAM_EXPECTED_SCRIPTS, by spider name)."""
    return _by_spider(crawler, "SPAM_EXPECTED_SCRIPTS")


def expected_languages(crawler: Crawler) -> set[str] | None:
    """The languages (ISO 639-1) this spider's site is written in (setting SPAM_EXPECTED_LANGUAGES)."""
    return _by_spider(crawler, "SPAM_EXPECTED_LANGUAGES")


def spam_details(result: SpamScore) -> dict[str, object]:
    return {
        "reasons": [
            {
                "name": r.name,
                "value": round(r.value, 4),
                "contribution": round(r.contribution, 3),
                "explanation": r.explanation,
            }
            for r in result.reasons
        ],
        "threshold": result.threshold,
    }


def reason_line(result: SpamScore, top: int = 3) -> str:
    return "; ".join(r.explanation for r in result.reasons[:top]) or "no single strong reason"
