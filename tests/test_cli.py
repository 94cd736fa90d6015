"""The `complaints` command as a user runs it."""

import json
import re

import pytest
from constants import BBB_SITE, CC_SITE, HEAD_REVISION, MS
from crawling import complaints_cli
from sqlalchemy import select

from complaints_crawler.archive import database, queries
from complaints_crawler.archive.models import QuarantineRow

MICROSOFT_PAGE = BBB_SITE / MS.strip("/") / "complaints" / "index.html"
DOORWAY = CC_SITE / "octopus-alipay-topup-b990001" / "index.html"


def test_demo_in_an_empty_folder_archives_what_its_summary_says_then_refreshes_incrementally(tmp_path):
    done = complaints_cli("demo", cwd=tmp_path, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    archive = tmp_path / "archive.db"  # the default archive of every command: `complaints stats` shows it
    assert f"archive: {archive}" in done.stdout
    printed = {
        m[0]: tuple(map(int, m[1:])) for m in re.findall(r"^(\w+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$", done.stdout, re.M)
    }
    engine = database.open_archive(f"sqlite:///{archive}")
    stored = {
        s.source: (s.businesses, s.complaints, s.responses, s.quarantined) for s in queries.summary_by_source(engine)
    }
    assert printed == stored
    assert stored["bbb"][:3] == (2, 20, 51)
    assert stored["consumercomplaints"] == (1, 24, 26, 1)
    assert stored["complaintsboard"][:3] == (1, 10, 3)
    with engine.connect() as conn:
        assert conn.execute(select(QuarantineRow.kind)).scalars().all() == ["spam_page"]
    assert done.stdout.count(" finished   (full, ") == 5
    stats = complaints_cli("stats", cwd=tmp_path)
    assert stats.returncode == 0 and re.search(r"^bbb\s+2\s+20\s+51\s+0$", stats.stdout, re.M), stats.stdout

    again = complaints_cli("demo", cwd=tmp_path, timeout=600)
    assert again.returncode == 0, again.stderr[-3000:]
    crawls = re.findall(r"^  (\w+) .*? finished   \((\w+), (\d+) requests: (\d+) new", again.stdout, re.M)
    assert crawls == [
        ("bbb", "incremental", "1", "0"),
        ("bbb", "incremental", "1", "0"),
        ("consumercomplaints", "incremental", "1", "0"),
        ("consumercomplaints", "incremental", "1", "0"),
        ("complaintsboard", "incremental", "1", "0"),
    ]


def test_parse_prints_the_business_then_one_json_complaint_per_line():
    done = complaints_cli(
        "parse",
        "--site",
        "bbb",
        str(MICROSOFT_PAGE),
        "--url",
        "https://www.bbb.org/us/wa/redmond/profile/computer-software/microsoft-corporation-1296-7011/complaints",
    )
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert records[0]["business"]["name"] == "Microsoft"
    complaints = [record["complaint"] for record in records[1:]]
    assert [c["external_id"] for c in complaints][:3] == ["20520372", "20520114", "20519515"]
    assert len(complaints) == 6
    assert complaints[0]["filed_on"] == "2023-08-25" and complaints[0]["status"] == "Answered"


def test_spam_check_json_keeps_input_order(seeds_dir):
    [doorway_seed] = seeds_dir.glob("002_*.txt")
    [bbb_seed] = seeds_dir.glob("000_*.txt")
    done = complaints_cli("spam-check", "--json", str(DOORWAY), str(doorway_seed), str(bbb_seed))
    assert done.returncode == 3, done.stderr  # 3: some input is spam
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(r["input"], r["is_spam"]) for r in results] == [
        (str(DOORWAY), True),
        (str(doorway_seed), True),
        (str(bbb_seed), False),
    ]
    assert set(results[0]) == {"input", "score", "is_spam", "reasons"}
    assert results[1]["reasons"][0]["name"] == "keyword_injection"
    assert 0 <= results[2]["score"] < 0.5


def test_spam_check_reads_standard_input():
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "complaints_crawler.cli", "spam-check", "-"],
        input="My phone stopped charging after two weeks and the service centre refuses to help.",
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0
    assert done.stdout.startswith("-: not spam (score ")


def test_db_commands_and_a_clear_error_on_a_missing_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    upgraded = complaints_cli("db", "upgrade", "--archive", url)
    assert upgraded.returncode == 0 and f"is at revision {HEAD_REVISION} (head {HEAD_REVISION})" in upgraded.stdout
    current = complaints_cli("db", "current", "--archive", url)
    assert f"revision {HEAD_REVISION}, code head {HEAD_REVISION} (up to date)" in current.stdout
    missing = complaints_cli("parse", "--site", "bbb", str(tmp_path / "nope.html"))
    assert missing.returncode == 1
    assert missing.stderr.strip() == f"complaints: no such file: {tmp_path / 'nope.html'}"


def test_an_archive_behind_the_code_is_refused_with_the_fix(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    database.upgrade(url, "0001")
    done = complaints_cli("stats", "--archive", url)
    assert done.returncode == 1
    assert done.stderr.strip().endswith(
        f"is at schema revision 0001, behind this code ({HEAD_REVISION}); run `complaints db upgrade`"
    )


def test_out_of_range_values_are_refused_before_any_work(tmp_path, capsys):
    """A threshold outside (0, 1) or a limit below 1 used to be taken: --threshold 2 flagged nothing, whatever the
    input; --limit -5 listed everything on SQLite and failed on PostgreSQL."""
    from complaints_crawler.cli import main

    text = tmp_path / "post.txt"
    text.write_text("My order arrived broken and nobody answers my emails.")
    for arguments, error in [
        (["spam-check", "--threshold", "2", str(text)], "argument --threshold: not a number between 0 and 1: '2'"),
        (["spam-check", "--threshold", "0", str(text)], "argument --threshold: not a number between 0 and 1: '0'"),
        (["spam-check", "--threshold", "nan", str(text)], "argument --threshold: not a number between 0 and 1: 'nan'"),
        (["runs", "--limit", "-5"], "argument --limit: not a positive whole number: '-5'"),
        (["duplicates", "--limit", "0"], "argument --limit: not a positive whole number: '0'"),
    ]:
        with pytest.raises(SystemExit) as exit_info:
            main(arguments)
        assert exit_info.value.code == 2
        assert capsys.readouterr().err.strip().endswith(error)
    assert main(["spam-check", "--threshold", "0.9", str(text)]) == 0
    assert capsys.readouterr().out.startswith(f"{text}: not spam (score 0.02, threshold 0.9)")
