"""A site that misbehaves: cut pages, reset connections, stalls, server errors and long Retry-After waits.
Each ends with the finish reason, exit code, archive and quarantine rows a user can act on; nothing archived cut."""

from __future__ import annotations

import time

import pytest
from constants import MS
from crawling import scrapy_crawl
from faults import Fault, faulty_site
from sqlalchemy import func, select

from complaints_crawler.archive.database import make_engine
from complaints_crawler.archive.models import ComplaintRow, CrawlRunRow, QuarantineRow

PAGE_2 = f"{MS}/complaints?page=2"
COMPANY = f"company=https://www.bbb.org{MS}"


def archived(url: str) -> tuple[CrawlRunRow, int, list[tuple[str, str, str]]]:
    engine = make_engine(url)
    with engine.connect() as conn:
        run = conn.execute(select(CrawlRunRow).order_by(CrawlRunRow.id.desc()).limit(1)).one()
        complaints = conn.execute(select(func.count()).select_from(ComplaintRow)).scalar_one()
        quarantine = [
            tuple(r) for r in conn.execute(select(QuarantineRow.kind, QuarantineRow.url, QuarantineRow.reason))
        ]
    engine.dispose()
    return run, complaints, quarantine


@pytest.fixture
def archive(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'archive.db'}"


def test_a_page_that_arrives_cut_is_fetched_again_then_quarantined_and_the_crawl_goes_on(archive):
    with faulty_site("bbb", {PAGE_2: Fault("truncate")}) as site:
        done = scrapy_crawl("bbb", site, archive, COMPANY)  # type: ignore[arg-type]
    assert done.returncode == 0, done.stderr[-3000:]
    assert site.requests.count(PAGE_2) == 3  # the page, then TRUNCATED_RETRY_TIMES (2) more
    assert f"{MS}/complaints?page=3" in site.requests  # the crawl went on
    run, complaints, quarantine = archived(archive)
    assert (run.finish_reason, complaints, run.stats["pages/cut"]) == ("finished", 6, 3)
    assert quarantine == [
        (
            "truncated_page",
            f"https://www.bbb.org{PAGE_2}",
            "the page arrived cut 3 times (13178 bytes, no closing </html>)",
        )
    ]


def test_a_page_cut_once_is_whole_on_the_second_try(archive):
    with faulty_site("bbb", {PAGE_2: Fault("truncate", times=1)}) as site:
        done = scrapy_crawl("bbb", site, archive, COMPANY)  # type: ignore[arg-type]
    assert done.returncode == 0
    run, complaints, quarantine = archived(archive)
    assert (run.finish_reason, complaints, quarantine, run.stats["pages/cut"]) == ("finished", 10, [], 1)


@pytest.mark.parametrize(
    ("fault", "settings", "why"),
    [
        (Fault("reset"), {"RETRY_TIMES": "1"}, "ConnectionLost"),
        (Fault("stall", seconds=30), {"DOWNLOAD_TIMEOUT": "1"}, "TimeoutError"),
        (Fault("status", status=500), {"RETRY_TIMES": "1"}, "HTTP 500"),
    ],
    ids=["reset", "stall", "500"],
)
def test_a_page_that_cannot_be_fetched_keeps_the_pages_before_and_fails_the_run(archive, fault, settings, why):
    began = time.monotonic()
    with faulty_site("bbb", {PAGE_2: fault}) as site:
        done = scrapy_crawl("bbb", site, archive, COMPANY, **settings)  # type: ignore[arg-type]
    assert done.returncode == 1
    assert time.monotonic() - began < 25  # a stall ends at DOWNLOAD_TIMEOUT, not when the server wakes up
    run, complaints, quarantine = archived(archive)
    assert (run.finish_reason, complaints, quarantine) == ("site_unavailable", 6, [])
    assert f"BBB complaints page 2 failed at {site.base_url}{PAGE_2}: " in done.stderr and why in done.stderr


def test_a_429_with_retry_after_is_waited_for(archive):
    with faulty_site("bbb", {PAGE_2: Fault("status", status=429, headers={"Retry-After": "2"}, times=1)}) as site:
        done = scrapy_crawl("bbb", site, archive, COMPANY)  # type: ignore[arg-type]
    assert done.returncode == 0, done.stderr[-3000:]
    first, second = [t for p, t in zip(site.requests, site.times, strict=True) if p == PAGE_2]
    assert second - first >= 2.0  # the site's Retry-After, not the 0.01 s backoff of the test settings
    run, complaints, _ = archived(archive)
    assert (run.finish_reason, complaints, run.stats["blocks/retries"]) == ("finished", 10, 1)


def test_a_retry_after_beyond_the_cap_ends_the_run_blocked_at_once(archive):
    with faulty_site("bbb", {PAGE_2: Fault("status", status=429, headers={"Retry-After": "5000"})}) as site:
        done = scrapy_crawl("bbb", site, archive, COMPANY)  # type: ignore[arg-type]
    assert done.returncode == 1
    assert site.requests.count(PAGE_2) == 1
    run, complaints, quarantine = archived(archive)
    assert (run.finish_reason, complaints) == ("blocked", 6)
    assert quarantine == [
        (
            "blocked",
            f"https://www.bbb.org{PAGE_2}",
            "HTTP 429 Too Many Requests; the site asked to wait 5000 s (after 0 retries)",
        )
    ]
