"""Nothing lost, whatever arrives: odd values, refused writes and broken archives cost no run its data, and every
failure reaches the user as one line, never a traceback. One test per defect found by a careful tester."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from constants import BBB_SITE, CB_SITE, MS, REPO, XIAOMI
from crawling import complaints_cli, scrapy_crawl
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from complaints_crawler.archive import database
from complaints_crawler.archive.database import make_engine, upgrade
from complaints_crawler.archive.models import BusinessRow, ComplaintRow, CrawlRunRow, QuarantineRow, ResponseRow
from complaints_crawler.crawl.reasons import FinishReason, exit_code

MS_PAGE = BBB_SITE / MS.strip("/") / "complaints" / "index.html"
MS_URL = f"https://www.bbb.org{MS}/complaints"


def table(url: str, model: type, *columns: object) -> list[tuple]:
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(select(*columns) if columns else select(model))]
    engine.dispose()
    return rows


def total(url: str, model: type) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        found = conn.execute(select(func.count()).select_from(model)).scalar_one()
    engine.dispose()
    return int(found)


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
    return lines[-1]


# -- 1, 2, 3: odd values never cost the run its data -------------------------------------------------------


def test_a_site_total_beyond_the_column_is_kept_as_null_and_the_page_archived(tmp_path):
    page = tmp_path / "big.html"
    page.write_text(
        (CB_SITE / "xiaomi-b128703" / "index.html")
        .read_text(encoding="utf-8")
        .replace("Complaints 1,214", "Complaints 99999999999999999999"),
        encoding="utf-8",
    )
    archive = f"sqlite:///{tmp_path / 'imp.db'}"
    done = complaints_cli(
        "import",
        "--site",
        "complaintsboard",
        str(page),
        "--url",
        "https://www.complaintsboard.com/xiaomi-b128703",
        "--archive",
        archive,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "(finished): 5 new, 0 updated, 0 unchanged complaints, 0 quarantined" in done.stdout
    assert table(archive, BusinessRow, BusinessRow.name, BusinessRow.complaints_total) == [("Xiaomi", None)]
    assert table(archive, CrawlRunRow, CrawlRunRow.finish_reason) == [("finished",)]


def test_a_lone_surrogate_in_a_business_name_is_stored_as_a_replacement_character(tmp_path):
    page = tmp_path / "ms.html"
    page.write_text(
        MS_PAGE.read_text(encoding="utf-8").replace('"primary":"Microsoft"', '"primary":"Micro\\ud800soft"'),
        encoding="utf-8",
    )
    archive = f"sqlite:///{tmp_path / 'imp.db'}"
    done = complaints_cli("import", "--site", "bbb", str(page), "--url", MS_URL, "--archive", archive)
    assert done.returncode == 0, done.stderr[-3000:]
    assert total(archive, ComplaintRow) == 6
    assert table(archive, BusinessRow, BusinessRow.name) == [("Micro\ufffdsoft",)]


def test_unstorable_characters_and_repeated_positions_in_items(archive_url, tmp_path):
    """NUL bytes and lone surrogates are cleaned; a thread with a repeated position is an invalid item, the rest
    is archived (on PostgreSQL a NUL or a repeated position used to refuse the whole batch inside COPY)."""
    records = [
        json.loads(line)
        for line in complaints_cli("parse", "--site", "bbb", str(MS_PAGE), "--url", MS_URL).stdout.splitlines()
    ]
    complaints = [r["complaint"] for r in records if "complaint" in r]
    complaints[0]["responses"][0]["text"] = "Dear customer,\x00 we are sorry."
    complaints[1]["text"] = "A lone surrogate \ud800 in the text."
    complaints[2]["responses"][1]["position"] = complaints[2]["responses"][0]["position"]
    spill = tmp_path / "items.jsonl"
    spill.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    if archive_url.startswith("postgresql"):
        upgrade(archive_url)
    done = complaints_cli("import", "--site", "bbb", "--archive", archive_url, str(spill))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "5 new, 0 updated, 0 unchanged complaints, 1 quarantined" in done.stdout
    texts = {t for (t,) in table(archive_url, ResponseRow, ResponseRow.text)}
    assert "Dear customer, we are sorry." in texts
    assert ("A lone surrogate \ufffd in the text.",) in table(archive_url, ComplaintRow, ComplaintRow.text)
    [(kind, reason)] = table(archive_url, QuarantineRow, QuarantineRow.kind, QuarantineRow.reason)
    assert kind == "invalid_item" and "thread positions repeat: [1, 1, 3, " in reason


REFUSE_ONE = {
    "sqlite": [
        "CREATE TRIGGER refuse_one BEFORE INSERT ON complaints WHEN NEW.external_id = '20520114' "
        "BEGIN SELECT RAISE(ABORT, 'this archive refuses complaint 20520114'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse_one() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.external_id = '20520114' "
        "THEN RAISE EXCEPTION 'this archive refuses complaint 20520114'; END IF; RETURN NEW; END $$",
        "CREATE TRIGGER refuse_one BEFORE INSERT ON complaints FOR EACH ROW EXECUTE FUNCTION refuse_one()",
    ],
}


def test_an_item_the_archive_refuses_is_found_quarantined_and_the_rest_written(archive_url, fixture_sites):
    upgrade(archive_url)
    engine = make_engine(archive_url)
    with engine.begin() as conn:
        for statement in REFUSE_ONE["postgresql" if archive_url.startswith("postgresql") else "sqlite"]:
            conn.exec_driver_sql(statement)
    engine.dispose()
    done = scrapy_crawl("bbb", fixture_sites["bbb"], archive_url, f"company=https://www.bbb.org{MS}")
    assert done.returncode == 0, done.stderr[-3000:]
    assert total(archive_url, ComplaintRow) == 9
    [(kind, reason, details)] = table(
        archive_url, QuarantineRow, QuarantineRow.kind, QuarantineRow.reason, QuarantineRow.details
    )
    assert kind == "invalid_item" and "this archive refuses complaint 20520114" in reason
    assert details["item"]["external_id"] == "20520114"  # nothing lost: the item is in the quarantine row
    [(reason, new, quarantined)] = table(
        archive_url, CrawlRunRow, CrawlRunRow.finish_reason, CrawlRunRow.new_count, CrawlRunRow.quarantined_count
    )
    assert (reason, new, quarantined) == ("finished", 9, 1)


# -- 10: every reason but finished fails the run -------------------------------------------------------------


def test_every_finish_reason_but_finished_exits_1():
    assert {reason: exit_code(reason) for reason in FinishReason} == {
        reason: 0 if reason is FinishReason.FINISHED else 1 for reason in FinishReason
    }
    assert exit_code(None) == exit_code("closespider_timeout") == 1


def test_a_base_url_that_is_no_url_is_a_usage_error(tmp_path):
    done = scrapy_crawl("bbb", None, f"sqlite:///{tmp_path / 'a.db'}", "company=microsoft", BBB_BASE_URL="notaurl")
    assert done.returncode == 2
    assert one_line_error(done).endswith(
        "error: -s BBB_BASE_URL=notaurl: expected an http(s) URL such as https://www.bbb.org"
    )


# -- 11, 12, 13: archives that are not what they should be -------------------------------------------------


@pytest.fixture
def corrupt(tmp_path: Path) -> str:
    path = tmp_path / "c.db"
    path.write_bytes(bytes(range(256)) * 80)
    return f"sqlite:///{path}"


@pytest.mark.parametrize("command", [["stats"], ["runs"], ["db", "current"], ["db", "upgrade"], ["duplicates"]])
def test_a_corrupt_archive_is_one_line(corrupt, command):
    done = complaints_cli(*command, "--archive", corrupt)
    assert done.returncode == 1
    assert re.search(r"file is not a database", one_line_error(done))


@pytest.mark.parametrize(
    ("archive", "message"),
    [
        ("sqlite:///{tmp}/nodir/x.db", "no archive at {tmp}/nodir/x.db"),
        ("notaurl", "Could not parse SQLAlchemy URL from given URL string"),
        ("mysql://user@127.0.0.1/archive", "no database driver for this archive URL"),
        ("postgresql://postgres@127.0.0.1:1/test", "the archive cannot be read: connection failed"),
    ],
    ids=["missing-folder", "malformed", "no-driver", "unreachable"],
)
def test_an_archive_that_cannot_be_opened_is_one_line(tmp_path, archive, message):
    done = complaints_cli("stats", "--archive", archive.format(tmp=tmp_path))
    assert done.returncode == 1
    assert message.format(tmp=tmp_path) in one_line_error(done)


def test_reading_commands_never_create_an_archive(tmp_path):
    for command in (["stats"], ["runs"], ["duplicates"], ["history", "1"], ["db", "current"]):
        done = complaints_cli(*command, "--archive", f"sqlite:///{tmp_path / 'typo.db'}")
        assert done.returncode == 1
        assert one_line_error(done) == (
            f"complaints: no archive at {tmp_path / 'typo.db'} (a crawl creates one; so does `complaints db upgrade`)"
        )
    assert list(tmp_path.iterdir()) == []


def test_reading_commands_open_the_archive_read_only(tmp_path):
    url = f"sqlite:///{tmp_path / 'archive.db'}"
    upgrade(url)
    engine = database.open_archive(url, create=False, read_only=True)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"  # not switched: it is read-only
        with pytest.raises(OperationalError, match="attempt to write a readonly database"):
            conn.exec_driver_sql("CREATE TABLE scratch (x INTEGER)")
    engine.dispose()


def test_a_crawl_into_a_malformed_archive_url_ends_archive_unavailable(fixture_sites, tmp_path):
    done = scrapy_crawl("bbb", fixture_sites["bbb"], "notaurl", "company=microsoft", cwd=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "cannot archive: the archive at (a URL SQLAlchemy cannot read) does not answer" in done.stderr
    assert "Closing spider (archive_unavailable)" in done.stderr
    assert fixture_sites["bbb"].requests == []


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("DOWNLOAD_DELAY=abc", "-s DOWNLOAD_DELAY=abc: expected a number"),
        ("ROBOTSTXT_OBEY=perhaps", "-s ROBOTSTXT_OBEY=perhaps: expected True or False"),
        ("CONCURRENT_ITEMS=0", "-s CONCURRENT_ITEMS=0: expected a whole number of 1 or more"),
        ("IMPERSONATE_BROWSER=netscape3", "IMPERSONATE_BROWSER=netscape3 is not a browser curl_cffi can impersonate"),
    ],
)
def test_a_bad_setting_is_a_usage_error_before_any_request(fixture_sites, tmp_path, setting, message):
    name, value = setting.split("=")
    done = scrapy_crawl(
        "bbb", fixture_sites["bbb"], f"sqlite:///{tmp_path / 'a.db'}", "company=microsoft", **{name: value}
    )
    assert done.returncode == 2
    assert message in one_line_error(done)
    assert fixture_sites["bbb"].requests == []


def test_an_unknown_spider_is_a_usage_error(tmp_path):
    done = scrapy_crawl("bbbb", None, f"sqlite:///{tmp_path / 'a.db'}", "company=microsoft")
    assert done.returncode == 2
    assert one_line_error(done).endswith(
        "error: no spider named 'bbbb'; the spiders are: bbb, complaintsboard, consumercomplaints, import"
    )


def test_a_reader_that_leaves_early_gets_no_broken_pipe(tmp_path):
    url = f"sqlite:///{tmp_path / 'archive.db'}"
    upgrade(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            CrawlRunRow.__table__.insert(),
            [
                dict(spider="bbb", arguments={"company": f"c{n}"}, requests=0, started_at=database_now())
                for n in range(400)
            ],
        )
    engine.dispose()
    done = subprocess.run(
        f"{sys.executable} -m complaints_crawler.cli runs --limit 400 --archive {url} | head -n 1",
        shell=True,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert done.stdout.startswith("   id spider") and done.stderr == ""


def database_now():  # type: ignore[no-untyped-def]
    from complaints_crawler.items import utc_now

    return utc_now()


# -- 16: parse and import -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "site", "why"),
    [
        (b"", "consumercomplaints", "nothing in it looks like a consumercomplaints page"),
        (bytes(range(256)), "bbb", "nothing in it looks like a bbb page"),
        (MS_PAGE.read_bytes(), "complaintsboard", "nothing in it looks like a complaintsboard page"),
    ],
    ids=["empty", "binary", "wrong-site"],
)
def test_parse_says_why_a_file_yields_nothing(tmp_path, content, site, why):
    page = tmp_path / "page.html"
    page.write_bytes(content)
    done = complaints_cli("parse", "--site", site, str(page))
    assert done.returncode == 1 and done.stdout == ""
    assert f"{page}: no complaint read: {why}" in done.stderr
    assert one_line_error(done) == "complaints: no complaint in 1 file(s)"


def test_parse_output_imports_as_it_is(tmp_path):
    parsed = complaints_cli("parse", "--site", "bbb", str(MS_PAGE), "--url", MS_URL)
    jsonl = tmp_path / "parsed.jsonl"
    jsonl.write_text(parsed.stdout, encoding="utf-8")
    archive = f"sqlite:///{tmp_path / 'a.db'}"
    done = complaints_cli("import", "--site", "bbb", "--archive", archive, str(jsonl))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "6 new, 0 updated, 0 unchanged complaints, 0 quarantined" in done.stdout
    assert table(archive, BusinessRow, BusinessRow.name, BusinessRow.complaints_total) == [("Microsoft", 5365)]


def test_an_imported_profile_page_without_complaints_archives_its_business(tmp_path):
    html = MS_PAGE.read_text(encoding="utf-8")
    start = html.index('<ul class="list-reset stack bpr-complaints-list">')
    profile = tmp_path / "profile.html"
    profile.write_text(
        html[:start] + html[html.index("</ul>", html.rindex("bpr-complaint-grid")) + 5 :], encoding="utf-8"
    )
    archive = f"sqlite:///{tmp_path / 'a.db'}"
    done = complaints_cli(
        "import", "--site", "bbb", str(profile), "--url", f"https://www.bbb.org{MS}", "--archive", archive
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "0 new, 0 updated, 0 unchanged complaints, 0 quarantined" in done.stdout
    assert table(archive, BusinessRow, BusinessRow.name, BusinessRow.complaints_total, BusinessRow.rating) == [
        ("Microsoft", 5365, "A+")
    ]


# -- 17, 19 ------------------------------------------------------------------------------------------------------


def test_a_blocked_board_page_with_nul_bytes_is_quarantined_on_postgresql(archive_url, tmp_path):
    from complaints_crawler.fixture_site import serve_sites

    page = tmp_path / "overlay" / "consumercomplaints" / XIAOMI / "page" / "76"
    page.mkdir(parents=True)
    (page / "index.403.html").write_bytes(
        b"<html><title>Blocked</title><body>\x00\x00 access denied \x00</body></html>"
    )
    if archive_url.startswith("postgresql"):
        upgrade(archive_url)
    with serve_sites(["consumercomplaints"], overlays=[tmp_path / "overlay"]) as sites:
        done = scrapy_crawl(
            "consumercomplaints",
            sites["consumercomplaints"],
            archive_url,
            f"company={XIAOMI}",
            "start_page=75",
            BLOCK_RETRY_TIMES="0",
        )
    assert done.returncode == 1
    [(kind, details)] = table(archive_url, QuarantineRow, QuarantineRow.kind, QuarantineRow.details)
    assert kind == "blocked" and "\x00" not in details["snippet"] and "access denied" in details["snippet"]


def test_no_console_listens_while_a_crawl_runs(fixture_sites, tmp_path):
    done = scrapy_crawl(
        "bbb", fixture_sites["bbb"], f"sqlite:///{tmp_path / 'a.db'}", f"company=https://www.bbb.org{MS}", "max_pages=1"
    )
    assert done.returncode == 0
    assert "Telnet console listening" not in done.stderr and "Telnet Password" not in done.stderr
    assert "Remote control HTTP server listening" not in done.stderr


# -- 6, 8 in a crawl: a search answer of the wrong shape, a page that cannot be read ----------------------------


def test_a_search_answer_of_the_wrong_shape_ends_layout_changed(tmp_path):
    from complaints_crawler.fixture_site import serve_sites

    search = tmp_path / "overlay" / "bbb" / "api" / "search"
    search.mkdir(parents=True)
    (search / "index@find_text=microsoft.json").write_text('{"results": "oops"}')
    with serve_sites(["bbb"], overlays=[tmp_path / "overlay"]) as sites:
        done = scrapy_crawl("bbb", sites["bbb"], f"sqlite:///{tmp_path / 'a.db'}", "company=microsoft")
    assert done.returncode == 1
    assert "the BBB search API answered in an unexpected shape" in done.stderr and "results" in done.stderr
    assert table(f"sqlite:///{tmp_path / 'a.db'}", CrawlRunRow, CrawlRunRow.finish_reason) == [("layout_changed",)]


def test_a_page_of_nul_characters_is_a_parse_error_not_a_block(tmp_path):
    from complaints_crawler.fixture_site import serve_sites

    folder = tmp_path / "overlay" / "bbb" / MS.strip("/") / "complaints"
    folder.mkdir(parents=True)
    (folder / "index.html").write_bytes(MS_PAGE.read_text(encoding="utf-8").encode("utf-16-le"))
    url = f"sqlite:///{tmp_path / 'a.db'}"
    with serve_sites(["bbb"], overlays=[tmp_path / "overlay"]) as sites:
        done = scrapy_crawl("bbb", sites["bbb"], url, f"company=https://www.bbb.org{MS}", BLOCK_RETRY_TIMES="2")
        pages = [p for p in sites["bbb"].requests if p.startswith(MS)]
    assert done.returncode == 1
    assert pages == [f"{MS}/complaints"]  # not retried as a block
    [(kind, reason)] = table(url, QuarantineRow, QuarantineRow.kind, QuarantineRow.reason)
    assert kind == "parse_error" and reason.startswith("unreadable page: ")
    assert table(url, CrawlRunRow, CrawlRunRow.finish_reason) == [("layout_changed",)]


def test_a_spilled_line_nested_too_deep_is_quarantined_and_the_lines_after_it_are_read(tmp_path):
    archive = f"sqlite:///{tmp_path / 'archive.db'}"
    spill = tmp_path / "items.jsonl"
    spill.write_text("[" * 100_000 + "]" * 100_000 + '\n{"review": {}}\n', encoding="utf-8")

    done = complaints_cli("import", "--site", "bbb", "--archive", archive, str(spill))

    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    engine = make_engine(archive)
    with engine.connect() as conn:
        reasons = conn.execute(select(QuarantineRow.reason).order_by(QuarantineRow.id)).scalars().all()
    engine.dispose()
    assert [r.split(" is no spilled item")[0].split(" of ")[0] for r in reasons] == ["line 1", "line 2"]
