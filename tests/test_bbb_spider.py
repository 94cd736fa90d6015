"""`scrapy crawl bbb` end to end: real `scrapy crawl` processes against the local BBB fixture site.

Each test starts the fixture site in-process, runs the crawl as a subprocess from the repository root
(where scrapy.cfg is), and reads what reached the archive. The Microsoft crawl runs on SQLite and
PostgreSQL; the other cases on SQLite only.
"""

from __future__ import annotations

import subprocess
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from constants import BBB_SITE as SITE
from constants import BLOCKED, CHANGED, CHARTER, MS, MS_FARGO
from crawling import scrapy_crawl
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from complaints_crawler.archive.database import make_engine, upgrade
from complaints_crawler.archive.models import BusinessRow, ComplaintRow, CrawlRunRow, QuarantineRow, ResponseRow
from complaints_crawler.fixture_site import FixtureSite, serve_sites
from complaints_crawler.middlewares.blocks import backoff_delay, retry_after_seconds

BLOCK_RETRIES = 3


def crawl(site: FixtureSite, archive: str, *arguments: str, **settings: str) -> subprocess.CompletedProcess[str]:
    """`scrapy crawl bbb -a …` against `site`, into `archive`; its exit code and output."""
    return scrapy_crawl("bbb", site, archive, *arguments, **{"BLOCK_RETRY_TIMES": str(BLOCK_RETRIES), **settings})


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'archive.db'}"


def archive_counts(url: str, business: str = "1296-7011") -> dict:
    """What the archive holds for one BBB business, and the last crawl run."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            complaints = select(ComplaintRow.id).join(BusinessRow).where(BusinessRow.external_id == business)
            responses = session.execute(
                select(ResponseRow.kind, ResponseRow.verdict).where(ResponseRow.complaint_id.in_(complaints))
            ).all()
            run = session.scalars(select(CrawlRunRow).order_by(CrawlRunRow.id.desc()).limit(1)).first()
            return {
                "complaints": session.scalar(select(func.count()).select_from(complaints.subquery())),
                "all_complaints": session.scalar(select(func.count(ComplaintRow.id))),
                "responses": len(responses),
                "kinds": Counter(kind for kind, _ in responses),
                "verdicts": Counter(verdict for _, verdict in responses if verdict),
                "business": session.scalars(select(BusinessRow).where(BusinessRow.external_id == business)).first(),
                "run": run,
                "quarantine": session.execute(
                    select(QuarantineRow.kind, QuarantineRow.url, QuarantineRow.reason).where(
                        QuarantineRow.run_id == (run.id if run else None)
                    )
                ).all(),
            }
    finally:
        engine.dispose()


def assert_exit(result: subprocess.CompletedProcess[str], code: int) -> None:
    assert result.returncode == code, result.stderr[-4000:]


def crawl_failing(site: FixtureSite, url: str, company: str, reason: str, business: str = "1296-7011"):
    """A crawl that must exit 1 with finish reason `reason`, no complaint archived, one quarantine row."""
    result = crawl(site, url, f"company={company}")
    assert_exit(result, 1)
    got = archive_counts(url, business=business)
    assert (got["run"].finish_reason, got["all_complaints"], len(got["quarantine"])) == (reason, 0, 1)
    return result, got, got["quarantine"][0]


def complaint_pages(site: FixtureSite, profile: str) -> list[str]:
    return [p for p in site.requests if p.startswith(f"{profile}/complaints")]


@pytest.fixture
def bbb(fixture_sites) -> FixtureSite:
    return fixture_sites["bbb"]


@pytest.fixture
def overlay(tmp_path: Path) -> Path:
    """A folder served in front of the BBB fixture site: write changed pages under overlay/bbb/…"""
    folder = tmp_path / "overlay"
    (folder / "bbb").mkdir(parents=True)
    return folder


@pytest.fixture
def overlaid_bbb(overlay: Path) -> Iterator[FixtureSite]:
    with serve_sites(["bbb"], overlays=[overlay]) as sites:
        yield sites["bbb"]


def write_page(overlay: Path, path: str, name: str, content: str | bytes) -> None:
    folder = overlay / "bbb" / path.strip("/")
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))


# --- the main crawl, on both back-ends ---------------------------------------------------------------------


def test_microsoft_by_name_archives_every_thread_and_a_recrawl_changes_nothing(bbb, archive_url):
    if archive_url.startswith("postgresql"):
        upgrade(archive_url)
    result = crawl(bbb, archive_url, "company=microsoft")
    assert_exit(result, 0)
    got = archive_counts(archive_url)
    assert (got["complaints"], got["all_complaints"], got["responses"]) == (10, 10, 32)
    assert got["kinds"] == {"business_response": 19, "customer_answer": 13}
    assert got["verdicts"] == {"rejected": 9}
    business = got["business"]
    assert (business.name, business.complaints_total, business.complaints_closed_12m, business.accredited) == (
        "Microsoft",
        5365,
        2129,
        False,
    )
    run = got["run"]
    assert (run.spider, run.finish_reason, run.new_count, run.updated_count, run.unchanged_count) == (
        "bbb",
        "finished",
        10,
        0,
        0,
    )
    assert run.arguments == {"company": "microsoft"} and got["quarantine"] == []
    # Name resolution: the exact name wins over the API's first candidate (Microsoft Store).
    assert bbb.requests[1] == "/api/search?find_country=USA&find_text=microsoft&page=1"
    assert complaint_pages(bbb, MS) == [f"{MS}/complaints", f"{MS}/complaints?page=2", f"{MS}/complaints?page=3"]
    assert not any("microsoft-store" in p for p in bbb.requests)
    assert "exact name match: Microsoft Corporation (Redmond, WA)" in result.stderr
    assert "candidate 1: Microsoft Store (New York, NY)" in result.stderr

    again = crawl(bbb, archive_url, "company=microsoft", "full=true")
    assert_exit(again, 0)
    run = archive_counts(archive_url)["run"]
    assert (run.finish_reason, run.new_count, run.updated_count, run.unchanged_count) == ("finished", 0, 0, 10)
    assert archive_counts(archive_url)["complaints"] == 10

    # Incremental by default once a full sweep finished: the remembered profile, one page, nothing new.
    bbb.requests.clear()
    third = crawl(bbb, archive_url, "company=microsoft")
    assert_exit(third, 0)
    run = archive_counts(archive_url)["run"]
    assert (run.finish_reason, run.mode, run.requests, run.new_count, run.unchanged_count) == (
        "finished",
        "incremental",
        1,
        0,
        6,
    )
    assert [p for p in bbb.requests if p != "/robots.txt"] == [f"{MS}/complaints"]


# --- URLs instead of a name ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "company",
    [
        f"https://www.bbb.org{MS}/addressId/54887",
        f"https://www.bbb.org{MS}/complaints",
    ],
    ids=["profile-url", "complaints-url"],
)
def test_microsoft_by_url(bbb, tmp_path, company):
    url = sqlite_url(tmp_path)
    result = crawl(bbb, url, f"company={company}")
    assert_exit(result, 0)
    got = archive_counts(url)
    assert (got["complaints"], got["responses"], got["run"].new_count) == (10, 32, 10)
    assert not any(p.startswith("/api/") for p in bbb.requests)
    assert complaint_pages(bbb, MS)[0] == f"{MS}/complaints"


def test_a_url_that_is_no_profile_is_an_invalid_argument(bbb, tmp_path):
    url = sqlite_url(tmp_path)
    result = crawl(bbb, url, "company=https://www.bbb.org/us/wa/redmond/category/software")
    assert_exit(result, 1)
    assert archive_counts(url)["run"].finish_reason == "invalid_arguments"
    assert "not a BBB profile or complaints URL" in result.stderr


def test_a_crawl_that_cannot_start_exits_1_with_its_own_error(bbb, tmp_path):
    # A setting that fails while the crawler is set up, before it has stats (or a pipeline, or a spider).
    result = crawl(bbb, sqlite_url(tmp_path), "company=microsoft", STATS_CLASS="complaints_crawler.nosuch.Stats")
    assert_exit(result, 1)
    assert "ModuleNotFoundError: No module named 'complaints_crawler.nosuch'" in result.stderr
    assert "RuntimeError" not in result.stderr
    assert bbb.requests == []


# --- name resolution ----------------------------------------------------------------------------------------


def test_location_picks_the_branch(overlay, overlaid_bbb, tmp_path):
    # The Fargo branch's profile serves the company's complaints, as live local profiles do.
    for name in ("index.html", "index@page=2.html", "index@page=3.html"):
        write_page(overlay, f"{MS_FARGO}/complaints", name, (SITE / MS.strip("/") / "complaints" / name).read_bytes())
    url = sqlite_url(tmp_path)
    result = crawl(overlaid_bbb, url, "company=microsoft", "location=Fargo, ND")
    assert_exit(result, 0)
    assert "/api/search?find_country=USA&find_text=microsoft&page=1&find_loc=Fargo%2C%20ND" in overlaid_bbb.requests
    assert complaint_pages(overlaid_bbb, MS_FARGO)[0] == f"{MS_FARGO}/complaints"
    assert complaint_pages(overlaid_bbb, MS) == []
    assert "exact name match in Fargo, ND: Microsoft Corporation (Fargo, ND)" in result.stderr
    assert archive_counts(url)["complaints"] == 10


def test_unknown_company_is_not_found_and_crawls_nothing(bbb, tmp_path):
    url = sqlite_url(tmp_path)
    result = crawl(bbb, url, "company=nonexistent-company")
    assert_exit(result, 1)
    got = archive_counts(url)
    assert (got["run"].finish_reason, got["all_complaints"]) == ("company_not_found", 0)
    assert "Nonstop Plumbing & Drains (Mesa, AZ); Existential Coffee Co. (Burlington, VT)" in result.stderr
    assert [p for p in bbb.requests if "/profile/" in p] == []


def test_a_missing_profile_is_not_found(bbb, tmp_path):
    url = sqlite_url(tmp_path)
    result = crawl(bbb, url, f"company=https://www.bbb.org{MS_FARGO}")
    assert_exit(result, 1)
    assert archive_counts(url)["run"].finish_reason == "company_not_found"


# --- pagination ---------------------------------------------------------------------------------------------


def test_max_pages(bbb, tmp_path):
    url = sqlite_url(tmp_path)
    assert_exit(crawl(bbb, url, "company=microsoft", "max_pages=1"), 0)
    assert archive_counts(url)["complaints"] == 6
    assert complaint_pages(bbb, MS) == [f"{MS}/complaints"]


def test_start_page(bbb, tmp_path):
    url = sqlite_url(tmp_path)
    assert_exit(crawl(bbb, url, "company=microsoft", "start_page=2"), 0)
    assert archive_counts(url)["complaints"] == 4
    assert complaint_pages(bbb, MS) == [f"{MS}/complaints?page=2", f"{MS}/complaints?page=3"]


def test_since_skips_older_complaints_and_stops_at_their_page(bbb, tmp_path):
    # Page 1 runs 08/25 to 08/23/2023 (4 complaints of 08/24 and later), page 2 08/23 to 08/22: with since
    # 08/24 the crawl keeps the 4 and stops at page 1, as on every site.
    url = sqlite_url(tmp_path)
    result = crawl(bbb, url, "company=microsoft", "since=2023-08-24")
    assert_exit(result, 0)
    assert complaint_pages(bbb, MS) == [f"{MS}/complaints"]
    got = archive_counts(url)
    assert (got["complaints"], got["run"].finish_reason) == (4, "finished")
    assert got["run"].stats["pagination/stop_reason"] == "complaints older than since=2023-08-24"


def test_since_keeps_pages_with_a_recent_enough_complaint(bbb, tmp_path):
    url = sqlite_url(tmp_path)
    assert_exit(crawl(bbb, url, "company=microsoft", "since=2023-08-22"), 0)
    assert archive_counts(url)["complaints"] == 10
    assert complaint_pages(bbb, MS)[-1] == f"{MS}/complaints?page=3"


# --- label-only markup --------------------------------------------------------------------------------------


def test_charter_spectrum_label_only_page(bbb, tmp_path):
    url = sqlite_url(tmp_path)
    result = crawl(bbb, url, "company=charter spectrum")
    assert_exit(result, 0)
    got = archive_counts(url, business="0734-310162")
    assert (got["complaints"], got["responses"]) == (10, 19)
    assert got["kinds"] == {"business_response": 8, "customer_answer": 11}
    assert got["verdicts"] == {"accepted": 6, "rejected": 2}
    assert (got["business"].complaints_total, got["business"].accredited) == (15181, False)
    assert (got["run"].finish_reason, got["quarantine"]) == ("finished", [])
    assert "/api/search?find_country=USA&find_text=charter%20spectrum&page=1" in bbb.requests
    # The fixture answers every ?page=N with page 1, as a site ignoring the parameter would: page 2 repeats
    # page 1, which ends the crawl instead of looping.
    assert complaint_pages(bbb, CHARTER) == [f"{CHARTER}/complaints", f"{CHARTER}/complaints?page=2"]


# --- blocks -------------------------------------------------------------------------------------------------


def test_cloudflare_challenge_is_retried_then_blocked(bbb, tmp_path):
    result, got, row = crawl_failing(bbb, sqlite_url(tmp_path), "vantora", "blocked", business="0875-90412345")
    assert (row.kind, row.url, row.reason) == (
        "blocked",
        f"https://www.bbb.org{BLOCKED}/complaints",
        f"Cloudflare challenge page (HTTP 403) (after {BLOCK_RETRIES} retries)",
    )
    assert complaint_pages(bbb, BLOCKED) == [f"{BLOCKED}/complaints"] * (1 + BLOCK_RETRIES)
    assert got["run"].stats["blocks/retries"] == BLOCK_RETRIES
    # The log says what to do.
    assert "-s IMPERSONATE_BROWSER=chrome" in result.stderr and "complaints import --site bbb" in result.stderr


def test_429_on_a_later_page_keeps_the_pages_before_it(overlay, overlaid_bbb, tmp_path):
    write_page(overlay, f"{MS}/complaints", "index@page=2.429.html", "<html><title>Too Many Requests</title></html>")
    url = sqlite_url(tmp_path)
    result = crawl(overlaid_bbb, url, "company=microsoft")
    assert_exit(result, 1)
    got = archive_counts(url)
    assert (got["run"].finish_reason, got["complaints"]) == ("blocked", 6)
    assert [(kind, reason) for kind, _, reason in got["quarantine"]] == [
        ("blocked", f"HTTP 429 Too Many Requests (after {BLOCK_RETRIES} retries)")
    ]
    assert complaint_pages(overlaid_bbb, MS) == [f"{MS}/complaints"] + [f"{MS}/complaints?page=2"] * (1 + BLOCK_RETRIES)


def test_a_page_without_state_or_cards_is_a_block_not_zero_complaints(overlay, overlaid_bbb, tmp_path):
    write_page(
        overlay, f"{MS}/complaints", "index.html", "<html><head><title>BBB</title></head><body>Loading…</body></html>"
    )
    _, _, row = crawl_failing(overlaid_bbb, sqlite_url(tmp_path), f"https://www.bbb.org{MS}", "blocked")
    assert row.kind == "blocked" and "neither __PRELOADED_STATE__ nor complaint cards" in row.reason
    assert len(complaint_pages(overlaid_bbb, MS)) == 1 + BLOCK_RETRIES


def test_layout_change_is_quarantined_and_fails_the_run(bbb, tmp_path):
    _, got, row = crawl_failing(bbb, sqlite_url(tmp_path), "northwind", "layout_changed", business="1126-1000123")
    assert (row.kind, row.url) == ("parse_error", f"https://www.bbb.org{CHANGED}/complaints")
    assert "48 complaints" in row.reason
    assert got["business"].complaints_total == 48  # the business itself is archived
    assert complaint_pages(bbb, CHANGED) == [f"{CHANGED}/complaints"]  # not retried: it is no block


def test_a_server_error_fails_the_run(overlay, overlaid_bbb, tmp_path):
    write_page(
        overlay, f"{MS}/complaints", "index@page=2.500.html", "<html><title>Internal Server Error</title></html>"
    )
    url = sqlite_url(tmp_path)
    result = crawl(overlaid_bbb, url, "company=microsoft", RETRY_TIMES="1")
    assert_exit(result, 1)
    got = archive_counts(url)
    assert (got["run"].finish_reason, got["complaints"], got["quarantine"]) == ("site_unavailable", 6, [])
    assert "BBB complaints page 2 failed at " in result.stderr and "HTTP 500" in result.stderr


def test_a_missing_search_api_fails_the_run(bbb, tmp_path):
    url = sqlite_url(tmp_path)
    result = crawl(bbb, url, "company=microsoft", BBB_BASE_URL=f"{bbb.base_url}/moved")
    assert_exit(result, 1)
    assert archive_counts(url)["run"].finish_reason == "site_unavailable"
    assert "/moved/api/search?find_country=USA&find_text=microsoft&page=1" in bbb.requests


# --- backoff arithmetic ---------------------------------------------------------------------------------------


def test_backoff_is_exponential_capped_and_honours_retry_after():
    assert [backoff_delay(n, None, base=10, maximum=120) for n in range(5)] == [10, 20, 40, 80, 120]
    assert backoff_delay(0, 30, base=10, maximum=120) == 30  # Retry-After longer than the backoff wins
    assert backoff_delay(2, 5, base=10, maximum=120) == 40
    assert backoff_delay(0, 600, base=10, maximum=120) == 600  # the site's own wait is honoured (up to a cap)


def test_retry_after_header():
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert retry_after_seconds(b"7") == 7.0
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=90), usegmt=True), now=now) == 90.0
    assert retry_after_seconds(format_datetime(now - timedelta(seconds=90), usegmt=True), now=now) == 0.0
    assert retry_after_seconds(None) is None and retry_after_seconds(b"soon") is None


def test_bbb_spider_settings_are_polite(monkeypatch):
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings

    monkeypatch.setenv("SCRAPY_SETTINGS_MODULE", "complaints_crawler.settings")
    settings = get_project_settings()
    spider = SpiderLoader.from_settings(settings).load("bbb")
    settings.setdict(spider.custom_settings or {}, priority="spider")
    assert settings.getbool("ROBOTSTXT_OBEY") and settings.getbool("AUTOTHROTTLE_ENABLED")
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 1
    assert settings.getfloat("DOWNLOAD_DELAY") >= 3
    assert "complaints-crawler" in settings.get("USER_AGENT")
    assert "complaints_crawler.middlewares.blocks.BlockBackoffMiddleware" in settings.getdict("DOWNLOADER_MIDDLEWARES")
