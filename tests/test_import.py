"""`scrapy crawl import`: saved pages from disk through the site parser and the crawl's pipelines."""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from constants import BBB_SITE as BBB
from constants import BLOCKED, CC_SITE, CHARTER, MS
from crawling import scrapy_crawl
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from complaints_crawler.archive.database import make_engine
from complaints_crawler.archive.models import BusinessRow, ComplaintRow, CrawlRunRow, QuarantineRow, ResponseRow
from complaints_crawler.spiders.importer import saved_page_url

MS_PAGES = BBB / MS.strip("/") / "complaints"
CHARTER_PAGE = BBB / CHARTER.strip("/") / "complaints" / "index.html"
CHALLENGE_PAGE = BBB / BLOCKED.strip("/") / "complaints" / "index.403.html"
PERMALINK = CC_SITE / "xiaomi-india-mi-led-tv-4a-pro-ordered-4c-pro-delivered-c2032208" / "index.html"


def run_import(archive: str, site: str, *files: Path | str, **arguments: str) -> subprocess.CompletedProcess[str]:
    spider_arguments = [f"site={site}", f"files={','.join(map(str, files))}"]
    spider_arguments += [f"{name}={value}" for name, value in arguments.items()]
    return scrapy_crawl("import", None, archive, *spider_arguments)


def archived(url: str) -> dict:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            run = session.scalars(select(CrawlRunRow).order_by(CrawlRunRow.id.desc()).limit(1)).first()
            return {
                "run": run,
                "complaints": session.scalar(select(func.count(ComplaintRow.id))),
                "responses": Counter(session.scalars(select(ResponseRow.kind))),
                "businesses": session.execute(select(BusinessRow.external_id, BusinessRow.name, BusinessRow.url)).all(),
                "quarantine": session.execute(
                    select(QuarantineRow.kind, QuarantineRow.url, QuarantineRow.reason)
                ).all(),
            }
    finally:
        engine.dispose()


@pytest.fixture
def archive(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'archive.db'}"


def test_saved_microsoft_pages_and_a_garbage_file(archive, tmp_path):
    garbage = tmp_path / "garbage.html"
    garbage.write_bytes(b"\x00\x01 lorem ipsum, nothing from BBB here \xff\xfe")
    result = run_import(archive, "bbb", MS_PAGES / "index.html", MS_PAGES / "index@page=2.html", garbage)
    assert result.returncode == 0, result.stderr[-3000:]
    got = archived(archive)
    assert (got["run"].spider, got["run"].finish_reason, got["run"].new_count) == ("import", "finished", 10)
    assert got["complaints"] == 10
    assert got["responses"] == {"business_response": 19, "customer_answer": 13}
    # The live URL comes from the saved page, not from where the file lies.
    assert got["businesses"] == [
        (
            "1296-7011",
            "Microsoft",
            "https://www.bbb.org/us/wa/redmond/profile/computer-software/microsoft-corporation-1296-7011",
        )
    ]
    assert [(kind, url) for kind, url, _ in got["quarantine"]] == [("parse_error", garbage.as_uri())]


def test_a_folder_imports_its_pages_and_a_reimport_changes_nothing(archive, tmp_path):
    folder = tmp_path / "saved"
    folder.mkdir()
    for name in ("index.html", "index@page=2.html"):
        shutil.copy(MS_PAGES / name, folder / f"microsoft-{name.replace('@', '-').replace('=', '')}")
    (folder / "notes.txt").write_text("not a page")
    for _ in range(2):
        result = run_import(archive, "bbb", folder)
        assert result.returncode == 0, result.stderr[-3000:]
    run = archived(archive)["run"]
    assert (run.new_count, run.updated_count, run.unchanged_count, run.quarantined_count) == (0, 0, 10, 0)


def test_label_only_page_takes_its_business_from_the_canonical_url(archive):
    result = run_import(archive, "bbb", CHARTER_PAGE)
    assert result.returncode == 0, result.stderr[-3000:]
    got = archived(archive)
    assert got["complaints"] == 10 and sum(got["responses"].values()) == 19
    assert [b[:2] for b in got["businesses"]] == [("0734-310162", "Charter Spectrum")]


def test_saved_challenge_page_is_quarantined_with_advice(archive):
    result = run_import(archive, "bbb", CHALLENGE_PAGE)
    assert result.returncode == 0, result.stderr[-3000:]
    got = archived(archive)
    assert got["complaints"] == 0
    ((kind, _, reason),) = got["quarantine"]
    assert kind == "parse_error" and "challenge" in reason


def test_other_sites_go_through_their_own_parser(archive):
    from complaints_crawler.parsers import page_parser

    html = PERMALINK.read_text(encoding="utf-8")
    expected = page_parser("consumercomplaints")(saved_page_url(html) or PERMALINK.as_uri(), html).complaints
    assert expected
    result = run_import(archive, "consumercomplaints", PERMALINK)
    assert result.returncode == 0, result.stderr[-3000:]
    assert archived(archive)["complaints"] == len(expected)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"site": "bbb", "files": "/nonexistent/saved.html"}, "no such file or folder: /nonexistent/saved.html"),
        ({"site": "yelp", "files": str(CHARTER_PAGE)}, "unknown site 'yelp'"),
        ({"site": "bbb", "files": f"{CHARTER_PAGE},{CHARTER_PAGE}", "url": "https://www.bbb.org/x"}, "single file"),
    ],
)
def test_bad_arguments_fail_the_run(archive, arguments, message):
    result = scrapy_crawl("import", None, archive, *(f"{name}={value}" for name, value in arguments.items()))
    assert result.returncode == 1
    assert message in result.stderr
    assert archived(archive)["run"].finish_reason == "invalid_arguments"


def test_saved_page_url():
    assert (
        saved_page_url("<!-- saved from url=(0031)https://www.bbb.org/us/a/b -->\n<html>")
        == "https://www.bbb.org/us/a/b"
    )
    assert saved_page_url('<head><link href="https://x.test/p" rel="canonical"></head>') == "https://x.test/p"
    assert saved_page_url('<meta content="https://x.test/og" property="og:url">') == "https://x.test/og"
    assert saved_page_url('<link rel="canonical" href="/relative">') is None
    assert saved_page_url("<html></html>") is None
