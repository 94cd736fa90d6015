"""`complaints browse`: the SQLite export of the demo archive served by Datasette over real HTTP (tables,
canned queries, search), and the browse page as headless Chromium renders it."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import rendered_dom, screenshot
from crawling import REPO, complaints_cli
from demo_archives import demo_archive
from sqlalchemy import text

from complaints_crawler.archive import database
from complaints_crawler.archive.models import Base
from complaints_crawler.cli import main
from complaints_crawler.reading.browse_metadata import QUERIES, TABLES, metadata


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.read().decode("utf-8")


def get_json(url: str):
    status, body = get(url)
    assert status == 200
    return json.loads(body)


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """The demo archive (SQLite) and its SQLite export."""
    with demo_archive("sqlite", tmp_path_factory) as url:
        out = tmp_path_factory.mktemp("export") / "archive.db"
        done = complaints_cli("export", "--format", "sqlite", "--out", str(out), "--archive", url)
        assert done.returncode == 0, done.stderr
        yield url, out


def serving(archive: Path) -> Iterator[str]:
    """`complaints browse ARCHIVE --port N` in its own process; its base URL once it answers."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "complaints_crawler.cli", "browse", str(archive), "--port", str(port)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                get(f"{base}/-/versions.json")
                break
            except OSError:
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                assert time.monotonic() < deadline, "complaints browse did not answer within 60 s"
                time.sleep(0.2)
        yield f"{base}/{archive.stem}"
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def served(exported) -> Iterator[tuple[str, str]]:
    url, archive = exported
    for page in serving(archive):
        yield url, page


def scalar_rows(url: str, statement: str) -> list[tuple]:
    engine = database.make_engine(url)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text(statement))]
    engine.dispose()
    return rows


def test_every_table_and_column_is_described():
    described = {table: set(columns) for table, (_, columns) in TABLES.items()}
    assert described == {t.name: {c.name for c in t.columns} for t in Base.metadata.sorted_tables}
    assert all(text and not text.endswith(" ") for _, columns in TABLES.values() for text in columns.values())
    tables = metadata("archive")["databases"]["archive"]["tables"]
    assert (tables["complaints"]["fts_table"], tables["responses"]["fts_table"]) == ("complaints_fts", "responses_fts")


def test_table_pages_with_their_descriptions(served):
    url, page = served
    for table, (description, _) in TABLES.items():
        status, html = get(f"{page}/{table}")
        assert status == 200 and description.replace("'", "&#39;") in html, table
    listing = get_json(f"{page}/complaints.json?_shape=objects&_size=5")
    assert listing["filtered_table_rows_count"] == scalar_rows(url, "SELECT count(*) FROM complaints")[0][0] == 54
    status, html = get(f"{page}/complaints")
    assert 'name="_search"' in html  # the search box, wired to the full-text index
    assert "the text with every privacy mask as [REDACTED]" in html  # a column's description


def test_canned_queries_answer_as_sql_does(served):
    url, page = served
    rates = get_json(f"{page}/resolution_and_rejection.json?_shape=array")
    by_name = {r["business"]: r for r in rates}
    assert {
        k: by_name["Charter Spectrum"][k]
        for k in ("complaints", "resolved", "resolved_share", "customer_answers", "rejected_answers", "rejected_share")
    } == {
        "complaints": 10,
        "resolved": 7,
        "resolved_share": 0.7,
        "customer_answers": 11,
        "rejected_answers": 2,
        "rejected_share": 0.18,
    }
    assert (by_name["Microsoft"]["rejected_answers"], by_name["Microsoft"]["customer_answers"]) == (9, 13)
    assert by_name["Xiaomi India"]["resolved_share"] == 0.04  # 1 of 24: no status is not resolved

    per_month = get_json(f"{page}/complaints_per_month.json?_shape=array&business=Microsoft")
    expected = scalar_rows(
        url,
        "SELECT substr(c.filed_on, 1, 7), c.complaint_type, c.status, count(*) "
        "FROM complaints c JOIN businesses b ON b.id = c.business_id "
        "WHERE b.name = 'Microsoft' GROUP BY 1, 2, 3",
    )
    rows = sorted((r["month"], r["complaint_type"], r["status"], r["complaints"]) for r in per_month)
    assert rows == sorted(expected)
    assert sum(r["complaints"] for r in per_month) == 10

    thread = get_json(f"{page}/thread.json?_shape=array&complaint=20520372")
    positions = scalar_rows(
        url,
        "SELECT r.position, r.kind FROM responses r JOIN complaints c ON c.id = "
        "r.complaint_id WHERE c.external_id = '20520372' ORDER BY r.position",
    )
    assert [(r["position"], r["kind"]) for r in thread] == [(0, "complaint"), *positions]

    firsts = {r["business"]: r for r in get_json(f"{page}/first_response_days.json?_shape=array")}
    assert (firsts["Microsoft"]["complaints"], firsts["Microsoft"]["answered"]) == (10, 10)
    clusters = get_json(f"{page}/near_duplicate_clusters.json?_shape=array")
    duplicates = scalar_rows(url, "SELECT count(*) FROM complaints WHERE duplicate_of_id IS NOT NULL")
    assert len(clusters) == duplicates[0][0] == 2
    runs = get_json(f"{page}/latest_crawl_runs.json?_shape=array")
    assert len(runs) == 5 and {r["finish_reason"] for r in runs} == {"finished"}
    assert [r["health"] for r in runs] == [
        r[0] for r in scalar_rows(url, "SELECT health FROM crawl_runs ORDER BY started_at DESC, id DESC")
    ]
    assert set(QUERIES) == {
        "complaints_per_month",
        "first_response_days",
        "resolution_and_rejection",
        "thread",
        "near_duplicate_clusters",
        "latest_crawl_runs",
    }


def test_search_box(served):
    url, page = served
    found = get_json(f"{page}/complaints.json?_shape=array&_search=refund&_col=external_id&_size=max")
    expected = scalar_rows(
        url,
        "SELECT c.external_id FROM complaints_fts JOIN complaints c ON c.id = "
        "complaints_fts.rowid WHERE complaints_fts MATCH '\"refund\"'",
    )
    assert sorted(r["external_id"] for r in found) == sorted(e for (e,) in expected) and len(expected) == 14
    answers = get_json(f"{page}/responses.json?_shape=array&_search=chargeback")
    assert [(r["position"], r["kind"]) for r in answers] == [(4, "customer_answer")]
    # Escaped like a plain word: a mask is found as [REDACTED], never as the site's original.
    redacted = get_json(f"{page}/complaints.json?_search=%5BREDACTED%5D&_size=1")["filtered_table_rows_count"]
    assert (
        redacted
        == scalar_rows(
            url,
            "SELECT count(*) FROM complaints WHERE text_normalized LIKE '%[REDACTED]%' OR title LIKE '%[REDACTED]%'",
        )[0][0]
    )
    assert scalar_rows(url, "SELECT count(*) FROM complaints WHERE text LIKE '%[censored]%'") == [(1,)]
    assert get_json(f"{page}/complaints.json?_search=censored&_size=1")["filtered_table_rows_count"] == 0


def test_the_browse_page_renders_in_chromium(served, tmp_path):
    _, page = served
    dom = rendered_dom(f"{page}/complaints?_search=refund")
    assert dom.count("<tr") >= 15
    assert "14 rows where search matches" in dom and "refund" in dom
    shot = screenshot(f"{page}/complaints?_search=refund", tmp_path / "browse.png", "1280,1600")
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank one


def test_a_postgresql_archive_is_browsed_through_its_sqlite_export(tmp_path_factory, tmp_path):
    with demo_archive("postgresql", tmp_path_factory) as url:
        refused = complaints_cli("browse", "--archive", url)
        assert refused.returncode == 1
        assert refused.stderr == (
            "complaints: browse serves SQLite archives: export a PostgreSQL archive first with "
            "`complaints export --format sqlite --out FILE`, then `complaints browse FILE`\n"
        )
        out = tmp_path / "from-postgresql.db"
        assert complaints_cli("export", "--format", "sqlite", "--out", str(out), "--archive", url).returncode == 0
    for page in serving(out):
        rates = {r["business"]: r for r in get_json(f"{page}/resolution_and_rejection.json?_shape=array")}
        assert (rates["Charter Spectrum"]["resolved_share"], rates["Microsoft"]["rejected_share"]) == (0.7, 0.69)
        assert len(get_json(f"{page}/responses.json?_shape=array&_search=chargeback")) == 1


def test_browse_never_creates_an_archive(tmp_path, capsys):
    missing = tmp_path / "none.db"
    assert main(["browse", str(missing)]) == 1
    assert (
        capsys.readouterr().err
        == f"complaints: no archive at {missing} (a crawl creates one; so does `complaints db upgrade`)\n"
    )
    assert not missing.exists()


def test_a_crawl_archive_is_served_as_one_that_may_change_and_an_export_as_immutable(tmp_path):
    from complaints_crawler.archive.database import upgrade
    from complaints_crawler.reading.browse import datasette_for

    archive = tmp_path / "archive.db"
    upgrade(f"sqlite:///{archive}")  # a crawl archive: WAL mode, written by crawls while it is browsed
    served, _ = datasette_for(f"sqlite:///{archive}")
    assert served.databases["archive"].is_mutable is True
    exported = tmp_path / "export.db"
    assert (
        complaints_cli(
            "export", "--archive", f"sqlite:///{archive}", "--format", "sqlite", "--out", str(exported)
        ).returncode
        == 0
    )
    served, _ = datasette_for(f"sqlite:///{exported}")
    assert served.databases["export"].is_mutable is False


def test_a_port_taken_by_another_server_is_one_line(tmp_path):
    import socket

    from complaints_crawler.archive.database import upgrade

    upgrade(f"sqlite:///{tmp_path / 'archive.db'}")
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        done = complaints_cli("browse", "--port", str(port), "--archive", f"sqlite:///{tmp_path / 'archive.db'}")
    assert done.returncode == 1
    assert done.stderr.strip() == f"complaints: cannot serve on 127.0.0.1:{port}: Address already in use"
    assert "serving" not in done.stdout
