"""IMPERSONATE_BROWSER: every request goes out with a browser's fingerprints (scrapy-impersonate), the crawl
archives the same threads, and asking for it without the package is a usage error before any request."""

from __future__ import annotations

import os
import subprocess
import sys

from crawling import REPO, scrapy_crawl
from sqlalchemy import func, select

from complaints_crawler.archive.database import make_engine
from complaints_crawler.archive.models import ComplaintRow, CrawlRunRow, ResponseRow
from complaints_crawler.settings import USER_AGENT
from complaints_crawler.sites import SITES


def archived(url: str) -> tuple[int, int, dict]:
    engine = make_engine(url)
    with engine.connect() as conn:
        complaints = conn.execute(select(func.count()).select_from(ComplaintRow)).scalar_one()
        responses = conn.execute(select(func.count()).select_from(ResponseRow)).scalar_one()
        stats = conn.execute(select(CrawlRunRow.stats)).scalar_one()
    engine.dispose()
    return complaints, responses, stats


def test_an_impersonated_crawl_sends_browser_headers_and_archives_the_same_threads(fixture_sites, tmp_path):
    site = fixture_sites["bbb"]
    plain_url, chrome_url = f"sqlite:///{tmp_path / 'plain.db'}", f"sqlite:///{tmp_path / 'chrome.db'}"

    plain = scrapy_crawl("bbb", site, plain_url, "company=microsoft")
    assert plain.returncode == 0, plain.stderr[-3000:]
    plain_headers, site.headers[:] = list(site.headers), []
    chrome = scrapy_crawl("bbb", site, chrome_url, "company=microsoft", IMPERSONATE_BROWSER="chrome")
    assert chrome.returncode == 0, chrome.stderr[-3000:]

    assert "downloading with the TLS and HTTP fingerprints of chrome (scrapy-impersonate)" in chrome.stderr
    assert not any("sec-ch-ua" in headers for headers in plain_headers)
    assert len(site.headers) == len(plain_headers) == 5  # robots.txt, search API, profile, 2 complaints pages
    assert all('"Google Chrome"' in headers["sec-ch-ua"] for headers in site.headers)
    assert {headers["user-agent"] for headers in site.headers} == {USER_AGENT}  # it still says who it is
    plain_complaints, plain_responses, plain_stats = archived(plain_url)
    complaints, responses, stats = archived(chrome_url)
    assert (complaints, responses) == (plain_complaints, plain_responses) == (10, 32)
    assert stats["impersonate/request_bytes"] > 0 and "impersonate/request_bytes" not in plain_stats


def test_impersonation_without_scrapy_impersonate_is_a_usage_error(fixture_sites, tmp_path):
    site = fixture_sites["bbb"]
    hide_package = (
        "import sys; sys.modules['scrapy_impersonate'] = None; "  # as if it were not installed
        "from scrapy.cmdline import execute; execute()"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            hide_package,
            "crawl",
            "bbb",
            "-a",
            "company=microsoft",
            "-s",
            f"{SITES['bbb'].base_url_setting}={site.base_url}",
            "-s",
            f"ARCHIVE_URL=sqlite:///{tmp_path / 'a.db'}",
            "-s",
            "IMPERSONATE_BROWSER=chrome",
        ],
        cwd=REPO,
        env={**os.environ, "SCRAPY_SETTINGS_MODULE": "complaints_crawler.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.strip().endswith(
        'error: IMPERSONATE_BROWSER=chrome needs scrapy-impersonate, which is not installed: pip install -e ".[impersonate]"'
    )
    assert site.requests == []
