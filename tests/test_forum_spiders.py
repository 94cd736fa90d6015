"""End-to-end crawls of consumercomplaints.in and complaintsboard.com against the local fixture site.

Every crawl is a real `scrapy crawl` subprocess (the project's crawl command, so exit codes are the ones a
scheduler sees) over real HTTP to the fixture site served by this process; counts are read back from the
archive.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from constants import CB, CC, XIAOMI
from crawling import scrapy_crawl
from sqlalchemy import func, select

from complaints_crawler.archive import database
from complaints_crawler.archive.models import BusinessRow, ComplaintRow, CrawlRunRow, QuarantineRow, ResponseRow
from complaints_crawler.fixture_site import FixtureSite, serve_sites
from complaints_crawler.paths import FIXTURE_SITES_DIR

# The cut or commented cards of Xiaomi India pages 75 (8) and 76 (2): fetched from their permalinks.
PERMALINK_IDS_75_76 = {
    "2037904",
    "2036988",
    "2036842",
    "2036377",
    "2035655",
    "2033012",
    "2032391",
    "2032208",
    "2031975",
    "2031762",
}


@dataclass
class Crawl:
    returncode: int
    log: str
    requests: list[str]
    archive_url: str

    def rows(self, model: Any, *where: Any) -> list[Any]:
        engine = database.make_engine(self.archive_url)
        try:
            with engine.connect() as conn:
                return list(conn.execute(select(model).where(*where)).all())
        finally:
            engine.dispose()

    def count(self, model: Any) -> int:
        engine = database.make_engine(self.archive_url)
        try:
            with engine.connect() as conn:
                return conn.execute(select(func.count()).select_from(model)).scalar_one()
        finally:
            engine.dispose()

    @property
    def run(self) -> Any:
        return self.rows(CrawlRunRow)[-1]

    def response_kinds(self) -> Counter[str]:
        return Counter(row.kind for row in self.rows(ResponseRow))

    def paths(self, suffix_pattern: str = "") -> list[str]:
        return [path for path in self.requests if suffix_pattern in path]


def crawl(
    site: FixtureSite, spider: str, archive_url: str, *arguments: str, settings: dict[str, str] | None = None
) -> Crawl:
    """`scrapy crawl SPIDER -a …` against `site`, into `archive_url`; `site.requests` is reset first."""
    site.requests.clear()
    done = scrapy_crawl(spider, site, archive_url, *arguments, **(settings or {}))
    return Crawl(done.returncode, done.stderr, list(site.requests), archive_url)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'archive.db'}"


@pytest.fixture
def cc_site(fixture_sites: dict[str, FixtureSite]) -> FixtureSite:
    return fixture_sites["consumercomplaints"]


def board_pages(result: Crawl, board: str) -> list[str]:
    return [p for p in result.requests if p.startswith(f"/{board}")]


def permalinks(result: Crawl) -> set[str]:
    return {p.rsplit("-c", 1)[1] for p in result.requests if "-c" in p and p.rsplit("-c", 1)[1].isdigit()}


def assert_clean(result: Crawl, reason: str = "finished") -> None:
    assert result.returncode == 0, result.log[-3000:]
    assert result.run.finish_reason == reason
    assert " ERROR: " not in result.log, result.log[-3000:]


# ------------------------------------------------------------------------------------ consumercomplaints


def test_xiaomi_india_pages_75_76_then_a_second_identical_crawl(cc_site: FixtureSite, archive_url: str):
    if archive_url.startswith("postgresql"):
        database.upgrade(archive_url)  # only SQLite archives migrate themselves
    first = crawl(cc_site, "consumercomplaints", archive_url, f"company={XIAOMI}", "start_page=75")
    assert_clean(first)
    assert first.requests[0] == "/robots.txt"
    assert board_pages(first, XIAOMI) == [f"/{XIAOMI}/page/75", f"/{XIAOMI}/page/76", f"/{XIAOMI}/page/77"]
    assert permalinks(first) == PERMALINK_IDS_75_76 and len(first.requests) == 1 + 3 + 10

    # One row per complaint, the permalink's full text where the board's was cut.
    complaints = {row.external_id: row for row in first.rows(ComplaintRow)}
    assert len(complaints) == first.count(ComplaintRow) == 24
    assert first.count(ResponseRow) == 26
    assert first.response_kinds() == {"author_update": 4, "comment": 18, "reply": 3, "status_change": 1}
    assert [row.external_id for row in first.rows(ComplaintRow, ComplaintRow.status == "Resolved")] == ["2032208"]
    vishal, k20 = complaints["2035655"], complaints["2031975"]
    assert len(vishal.text) == 802 and vishal.text.endswith("without forcing me to change the display.")
    assert k20.text.endswith("Please look into this issue on priority.") and "..." not in k20.text
    assert all(not row.text.endswith(("...", "…")) for row in complaints.values())
    lohar = complaints["2037904"]
    assert (lohar.author, lohar.comments_count, lohar.entry_count) == ("Lohar Aba Nathuram", 4, 6)
    # Items carry live-site URLs, not the fixture origin's.
    assert (
        vishal.url == f"{CC}/xiaomi-india-headphone-jack-not-working-service-centre-asking-to-change-display-c2035655"
    )
    assert all(row.url.startswith(CC + "/xiaomi-india-") for row in complaints.values())

    (business,) = first.rows(BusinessRow)
    assert (business.source, business.external_id, business.name, business.url) == (
        "consumercomplaints",
        "b106391",
        "Xiaomi India",
        f"{CC}/{XIAOMI}",
    )
    assert (business.complaints_total, business.resolved_count, business.unresolved_count) == (6148, 259, 5889)
    assert {row.business_id for row in complaints.values()} == {business.id}

    run = first.run
    assert (run.spider, run.arguments) == ("consumercomplaints", {"company": XIAOMI, "start_page": "75"})
    assert (run.new_count, run.updated_count, run.unchanged_count, run.quarantined_count, run.pages) == (
        24,
        0,
        0,
        0,
        14,
    )
    assert run.stats["pagination/stop_reason"] == "404" and run.stats["pagination/last_page"] == 77
    assert run.stats["forum/permalinks_used"] == 10 and "forum/permalink_failed" not in run.stats
    assert first.count(QuarantineRow) == 0

    second = crawl(cc_site, "consumercomplaints", archive_url, f"company={XIAOMI}", "start_page=75", "full=true")
    assert_clean(second)
    assert (second.run.new_count, second.run.updated_count, second.run.unchanged_count) == (0, 0, 24)
    assert second.count(ComplaintRow) == 24 and second.count(ResponseRow) == 26 and second.count(BusinessRow) == 1

    # Incremental: page 75 only, its 20 cards unchanged (no permalink fetched), the archive untouched.
    third = crawl(cc_site, "consumercomplaints", archive_url, f"company={XIAOMI}", "start_page=75")
    assert_clean(third)
    assert third.requests == ["/robots.txt", f"/{XIAOMI}/page/75"]
    assert (
        third.run.mode,
        third.run.requests,
        third.run.new_count,
        third.run.updated_count,
        third.run.unchanged_count,
    ) == ("incremental", 1, 0, 0, 20)
    assert third.count(ComplaintRow) == 24 and third.count(ResponseRow) == 26


def test_default_start_page_is_page_1(cc_site: FixtureSite, sqlite_url: str):
    result = crawl(cc_site, "consumercomplaints", sqlite_url, f"company={XIAOMI}")
    assert_clean(result)
    assert board_pages(result, XIAOMI) == [f"/{XIAOMI}", f"/{XIAOMI}/page/2"]
    assert sorted(row.external_id for row in result.rows(ComplaintRow)) == ["2417962", "2418514", "2418830"]
    assert permalinks(result) == set()


def test_company_as_a_board_url(cc_site: FixtureSite, sqlite_url: str):
    result = crawl(cc_site, "consumercomplaints", sqlite_url, f"company={CC}/{XIAOMI}/page/75", "start_page=76")
    assert_clean(result)
    assert board_pages(result, XIAOMI) == [f"/{XIAOMI}/page/76", f"/{XIAOMI}/page/77"]
    assert result.count(ComplaintRow) == 4 and result.count(ResponseRow) == 4
    assert permalinks(result) == {"2031975", "2031762"}


@pytest.mark.parametrize(
    "board, complaints, stop_reason",
    [
        ("mi-home-b154318", 3, "page repeats complaints already read"),  # page 2 lists page 1's ids again
        ("poco-india-b171922", 2, "empty page"),  # page 2 has the card list and no card
    ],
)
def test_pagination_stops_on_a_repeated_or_empty_page(
    cc_site: FixtureSite, sqlite_url: str, board: str, complaints: int, stop_reason: str
):
    result = crawl(cc_site, "consumercomplaints", sqlite_url, f"company={board}")
    assert_clean(result)
    assert board_pages(result, board) == [f"/{board}", f"/{board}/page/2"]
    assert result.count(ComplaintRow) == complaints
    assert result.run.stats["pagination/stop_reason"] == stop_reason


def test_max_pages_stops_pagination(cc_site: FixtureSite, sqlite_url: str):
    result = crawl(cc_site, "consumercomplaints", sqlite_url, f"company={XIAOMI}", "start_page=75", "max_pages=1")
    assert_clean(result)
    assert board_pages(result, XIAOMI) == [f"/{XIAOMI}/page/75"]
    assert result.count(ComplaintRow) == 20 and len(permalinks(result)) == 8
    assert result.run.stats["pagination/stop_reason"] == "max_pages=1"


def test_since_stops_pagination_and_skips_older_complaints(cc_site: FixtureSite, sqlite_url: str):
    result = crawl(cc_site, "consumercomplaints", sqlite_url, f"company={XIAOMI}", "start_page=75", "since=2019-12-05")
    assert_clean(result)
    assert board_pages(result, XIAOMI) == [f"/{XIAOMI}/page/75"]
    rows = result.rows(ComplaintRow)
    # Page 75 runs from Dec 12 down to Dec 1, 2019: the 12 complaints of Dec 5 and later.
    assert len(rows) == 12 and min(row.filed_on.isoformat() for row in rows) == "2019-12-05"
    # Only the kept cards' permalinks are fetched (those of Dec 8, 7, 7, 6 and 5; not Dec 2, 1, 1).
    assert permalinks(result) == {"2037904", "2036988", "2036842", "2036377", "2035655"}


def test_layout_changed_board_exits_1(cc_site: FixtureSite, sqlite_url: str):
    result = crawl(cc_site, "consumercomplaints", sqlite_url, "company=mi-service-center-b160057")
    assert result.returncode == 1
    assert result.run.finish_reason == "layout_changed"
    (entry,) = result.rows(QuarantineRow)
    assert entry.kind == "parse_error" and "layout" in entry.reason
    assert entry.url == f"{CC}/mi-service-center-b160057"
    assert result.count(ComplaintRow) == 0
    assert board_pages(result, "mi-service-center-b160057") == ["/mi-service-center-b160057"]
    assert "has no readable complaint card" in result.log


def test_unknown_board_404_is_company_not_found(cc_site: FixtureSite, sqlite_url: str):
    result = crawl(cc_site, "consumercomplaints", sqlite_url, "company=acme-widgets-b1")
    assert result.returncode == 1 and result.run.finish_reason == "company_not_found"
    assert "-a company=<slug>-b<id> (e.g. xiaomi-india-b106391)" in result.log


# ------------------------------------------------------------------------------- names and arguments


def test_bare_name_resolved_through_the_sitemap(cc_site: FixtureSite, sqlite_url: str):
    result = crawl(cc_site, "consumercomplaints", sqlite_url, "company=Xiaomi India")
    assert_clean(result)
    assert result.requests[:3] == ["/robots.txt", "/sitemap.xml", f"/{XIAOMI}"]
    assert result.count(ComplaintRow) == 3
    assert "company 'Xiaomi India' is the board xiaomi-india-b106391" in result.log


def test_ambiguous_name_is_company_not_found_with_the_candidates(cc_site: FixtureSite, sqlite_url: str):
    result = crawl(cc_site, "consumercomplaints", sqlite_url, "company=mi")
    assert result.returncode == 1 and result.run.finish_reason == "company_not_found"
    assert (
        "several consumercomplaints boards match company 'mi': mi-home-b154318, mi-service-center-b160057" in result.log
    )
    assert result.requests == ["/robots.txt", "/sitemap.xml"]


def test_unknown_name_is_company_not_found_with_the_expected_form(cc_site: FixtureSite, sqlite_url: str):
    result = crawl(cc_site, "consumercomplaints", sqlite_url, "company=acme widgets")
    assert result.returncode == 1 and result.run.finish_reason == "company_not_found"
    assert "no consumercomplaints board matches company 'acme widgets'" in result.log
    assert f"give -a company=<slug>-b<id> (e.g. {XIAOMI}), a board URL ({CC}/{XIAOMI})" in result.log
    assert result.requests == ["/robots.txt", "/sitemap.xml"]
    assert result.count(ComplaintRow) == 0


def test_sitemap_index_is_followed(tmp_path: Path, sqlite_url: str):
    overlay = tmp_path / "overlay" / "consumercomplaints"
    (overlay / "sitemaps").mkdir(parents=True)
    (overlay / "sitemap.xml").write_text(
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{CC}/sitemaps/posts-1.xml</loc></sitemap>"
        f"<sitemap><loc>{CC}/sitemaps/businesses-1.xml</loc></sitemap></sitemapindex>"
    )
    (overlay / "sitemaps" / "businesses-1.xml").write_text(
        (FIXTURE_SITES_DIR / "consumercomplaints" / "sitemap.xml").read_text(encoding="utf-8")
    )
    with serve_sites(["consumercomplaints"], overlays=[tmp_path / "overlay"]) as sites:
        result = crawl(sites["consumercomplaints"], "consumercomplaints", sqlite_url, "company=poco india")
    assert_clean(result)
    assert result.requests[:4] == ["/robots.txt", "/sitemap.xml", "/sitemaps/businesses-1.xml", "/poco-india-b171922"]
    assert result.count(ComplaintRow) == 2


def test_a_sitemap_listed_twice_or_naming_itself_is_read_once_and_the_name_resolved(tmp_path: Path, sqlite_url: str):
    overlay = tmp_path / "overlay" / "consumercomplaints"
    (overlay / "sitemaps").mkdir(parents=True)
    (overlay / "sitemap.xml").write_text(
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{CC}/sitemap.xml</loc></sitemap>"
        f"<sitemap><loc>{CC}/sitemaps/businesses-1.xml</loc></sitemap>"
        f"<sitemap><loc>{CC}/sitemaps/businesses-1.xml</loc></sitemap></sitemapindex>"
    )
    (overlay / "sitemaps" / "businesses-1.xml").write_text(
        (FIXTURE_SITES_DIR / "consumercomplaints" / "sitemap.xml").read_text(encoding="utf-8")
    )
    with serve_sites(["consumercomplaints"], overlays=[tmp_path / "overlay"]) as sites:
        result = crawl(sites["consumercomplaints"], "consumercomplaints", sqlite_url, "company=poco india")
    assert_clean(result)
    assert result.requests[:4] == ["/robots.txt", "/sitemap.xml", "/sitemaps/businesses-1.xml", "/poco-india-b171922"]
    assert result.count(ComplaintRow) == 2


@pytest.mark.parametrize(
    "argument, message",
    [
        ("max_pages=0", "-a max_pages: Input should be greater than or equal to 1"),
        (f"company={CB}/xiaomi-b128703", "is not a consumercomplaints URL"),
        (f"company={CC}/bycategory/mobile-phones", "is not a board"),
    ],
)
def test_bad_arguments_exit_1(cc_site: FixtureSite, sqlite_url: str, argument: str, message: str):
    arguments = [argument] if argument.startswith("company=") else [f"company={XIAOMI}", argument]
    result = crawl(cc_site, "consumercomplaints", sqlite_url, *arguments)
    assert result.returncode == 1 and result.run.finish_reason == "invalid_arguments"
    assert message in result.log
    assert result.requests == []


# ------------------------------------------------------------------------- robots.txt, failed permalinks


def test_robots_disallowed_and_failed_permalinks_keep_the_board_copy(tmp_path: Path, sqlite_url: str):
    """Page 76 with one permalink under robots-disallowed /profile-* and the other answering 404."""
    overlay = tmp_path / "overlay" / "consumercomplaints"
    page76 = (FIXTURE_SITES_DIR / "consumercomplaints" / XIAOMI / "page" / "76" / "index.html").read_text(
        encoding="utf-8"
    )
    moved = page76.replace(
        "/xiaomi-india-redmi-k20-pro-screen-flickering-after-update-c2031975", "/profile-k20-flicker-c2031975"
    )
    assert moved.count("/profile-k20-flicker-c2031975") >= 1 and moved != page76
    (overlay / XIAOMI / "page" / "76").mkdir(parents=True)
    (overlay / XIAOMI / "page" / "76" / "index.html").write_text(moved, encoding="utf-8")
    gone = overlay / "xiaomi-india-mi-band-4-refund-not-processed-c2031762"
    gone.mkdir()
    (gone / "index.404.html").write_text("<html><body>Not found</body></html>")

    with serve_sites(["consumercomplaints"], overlays=[tmp_path / "overlay"]) as sites:
        result = crawl(
            sites["consumercomplaints"], "consumercomplaints", sqlite_url, f"company={XIAOMI}", "start_page=76"
        )
    assert_clean(result)
    assert not any(path.startswith("/profile-") for path in result.requests)  # robots.txt: Disallow: /profile-*
    assert "/xiaomi-india-mi-band-4-refund-not-processed-c2031762" in result.requests
    complaints = {row.external_id: row for row in result.rows(ComplaintRow)}
    assert len(complaints) == 4 and result.count(ResponseRow) == 4
    assert complaints["2031975"].text.endswith("started again and now it...")  # the board copy, kept
    assert complaints["2031762"].entry_count == 3
    assert result.run.stats["forum/permalink_failed"] == 2
    assert "permalink" in result.log and "keeping the board copy" in result.log
    assert "Forbidden by robots.txt" in result.log and "HTTP 404" in result.log


def test_doorway_board_is_quarantined_by_the_spam_middleware_and_the_crawl_finishes(
    cc_site: FixtureSite, sqlite_url: str
):
    """The page-level spam check drops the SEO doorway before the parser: no complaint, one spam_page row."""
    result = crawl(cc_site, "consumercomplaints", sqlite_url, "company=octopus-alipay-topup-b990001")
    assert_clean(result)  # finished, exit 0: the spider asked for the page, the spam check refused it
    assert result.requests == ["/robots.txt", "/octopus-alipay-topup-b990001"]
    (entry,) = result.rows(QuarantineRow)
    assert entry.kind == "spam_page" and entry.score >= 0.5
    assert entry.url.endswith("/octopus-alipay-topup-b990001")
    assert result.count(ComplaintRow) == 0 and result.count(BusinessRow) == 0
    assert (result.run.new_count, result.run.quarantined_count) == (0, 1)
    assert result.run.stats["pagination/stop_reason"] == "page not crawled"


def test_blocked_board_page_exits_1(tmp_path: Path, sqlite_url: str):
    """Page 76 answers 403 "Just a moment…": retried by the block middleware, then quarantined `blocked`."""
    page = tmp_path / "overlay" / "consumercomplaints" / XIAOMI / "page" / "76"
    page.mkdir(parents=True)
    (page / "index.403.html").write_text("<html><head><title>Just a moment...</title></head><body></body></html>")
    with serve_sites(["consumercomplaints"], overlays=[tmp_path / "overlay"]) as sites:
        result = crawl(
            sites["consumercomplaints"],
            "consumercomplaints",
            sqlite_url,
            f"company={XIAOMI}",
            "start_page=75",
            settings={"BLOCK_RETRY_TIMES": "1", "BLOCK_BACKOFF_BASE": "0"},
        )
    assert result.returncode == 1 and result.run.finish_reason == "blocked"
    assert board_pages(result, XIAOMI) == [f"/{XIAOMI}/page/75", f"/{XIAOMI}/page/76", f"/{XIAOMI}/page/76"]
    (entry,) = result.rows(QuarantineRow)
    assert (entry.kind, entry.url) == ("blocked", f"{CC}/{XIAOMI}/page/76")
    assert entry.reason == "HTTP 403 on a board page (after 1 retries)"
    # Page 75 was archived before the block (its permalinks were fetched first: they have priority).
    assert result.count(ComplaintRow) == 20


def test_a_board_page_that_cannot_be_fetched_ends_the_run_site_unavailable(tmp_path: Path, sqlite_url: str):
    """Page 76 answers 500 (after Scrapy's retries): the run says so and exits 1; page 75 stays archived."""
    page = tmp_path / "overlay" / "consumercomplaints" / XIAOMI / "page" / "76"
    page.mkdir(parents=True)
    (page / "index.500.html").write_text("<html><body>Internal Server Error</body></html>")
    with serve_sites(["consumercomplaints"], overlays=[tmp_path / "overlay"]) as sites:
        base = sites["consumercomplaints"].base_url
        result = crawl(
            sites["consumercomplaints"], "consumercomplaints", sqlite_url, f"company={XIAOMI}", "start_page=75"
        )
    assert result.returncode == 1 and result.run.finish_reason == "site_unavailable"
    assert f"board page 76 failed at {base}/{XIAOMI}/page/76" in result.log
    assert result.count(ComplaintRow) == 20


# ------------------------------------------------------------------------------------------ complaintsboard


def test_complaintsboard_xiaomi(fixture_sites: dict[str, FixtureSite], sqlite_url: str):
    site = fixture_sites["complaintsboard"]
    result = crawl(site, "complaintsboard", sqlite_url, "company=xiaomi-b128703")
    assert_clean(result)
    assert result.requests[0] == "/robots.txt"
    assert board_pages(result, "xiaomi-b128703") == [
        "/xiaomi-b128703",
        "/xiaomi-b128703/page/2",
        "/xiaomi-b128703/page/3",
    ]
    assert permalinks(result) == {"1787305", "1787198"}
    complaints = {row.external_id: row for row in result.rows(ComplaintRow)}
    assert len(complaints) == 10 and result.count(ResponseRow) == 3
    assert result.response_kinds() == {"comment": 2, "reply": 1}
    assert complaints["1787198"].text.endswith("I have attached the bank statement where the debit is visible.")
    assert complaints["1787198"].url == f"{CB}/xiaomi-order-not-shipped-payment-debited-c1787198"
    assert complaints["1786931"].url is None  # a card without a permalink keeps its board text
    assert [row.external_id for row in result.rows(ComplaintRow, ComplaintRow.status == "Resolved")] == ["1787044"]
    (business,) = result.rows(BusinessRow)
    assert (business.external_id, business.name, business.complaints_total) == ("b128703", "Xiaomi", 1214)
    assert (result.run.new_count, result.run.quarantined_count) == (10, 0)


def test_complaintsboard_bare_name(fixture_sites: dict[str, FixtureSite], sqlite_url: str):
    result = crawl(fixture_sites["complaintsboard"], "complaintsboard", sqlite_url, "company=xiaomi", "max_pages=1")
    assert_clean(result)
    assert result.requests[:3] == ["/robots.txt", "/sitemap.xml", "/xiaomi-b128703"]
    assert result.count(ComplaintRow) == 5
