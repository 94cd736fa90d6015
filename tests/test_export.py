"""`complaints export`: every format holds exactly the archive's rows (filtered as asked), reads back with the
ordinary tools, and --format sqlite makes a real archive at the current revision."""

from __future__ import annotations

import csv
import json
from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from crawling import complaints_cli
from demo_archives import demo_archive
from sqlalchemy import text

from complaints_crawler.archive import database
from complaints_crawler.cli import main
from complaints_crawler.reading.archive import open_for_reading
from complaints_crawler.reading.search import search

THREAD = ("bbb", "20520372")  # a Microsoft complaint whose customer rejected the answer over a chargeback


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo(request, tmp_path_factory):
    with demo_archive(request.param, tmp_path_factory) as url:
        yield request.param, url


def scalar(url: str, statement: str, **params):
    engine = database.make_engine(url)
    with engine.connect() as conn:
        value = conn.execute(text(statement), params).scalar_one()
    engine.dispose()
    return value


def export(url, out, *options):
    done = complaints_cli("export", *options, "--out", str(out), "--archive", url)
    assert done.returncode == 0, done.stderr
    return done.stdout


def thread_of(url: str, source: str, external_id: str) -> list[tuple]:
    engine = database.make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT r.position, r.kind, r.verdict, r.text_normalized FROM responses r JOIN complaints c "
                "ON c.id = r.complaint_id WHERE c.source = :s AND c.external_id = :e ORDER BY r.position"
            ),
            {"s": source, "e": external_id},
        ).all()
    engine.dispose()
    return [tuple(r) for r in rows]


def test_csv_of_each_table(demo, tmp_path):
    _, url = demo
    assert export(url, tmp_path / "c.csv", "--format", "csv") == f"exported 54 complaints to {tmp_path / 'c.csv'}\n"
    with (tmp_path / "c.csv").open(newline="", encoding="utf-8") as file:
        complaints = list(csv.DictReader(file))
    assert len(complaints) == scalar(url, "SELECT count(*) FROM complaints") == 54
    assert list(complaints[0])[:6] == ["id", "source", "external_id", "business_id", "business_name", "url"]
    assert sum(int(c["mask_count"]) for c in complaints) == scalar(url, "SELECT sum(mask_count) FROM complaints")
    [row] = [c for c in complaints if (c["source"], c["external_id"]) == THREAD]
    assert (row["business_name"], row["status"], row["filed_on"]) == ("Microsoft", "Answered", "2023-08-25")

    export(url, tmp_path / "r.csv", "--format", "csv", "--table", "responses")
    with (tmp_path / "r.csv").open(newline="", encoding="utf-8") as file:
        responses = list(csv.DictReader(file))
    assert len(responses) == scalar(url, "SELECT count(*) FROM responses") == 80
    assert sum(r["verdict"] == "rejected" for r in responses) == 11

    export(url, tmp_path / "t.csv", "--format", "csv", "--table", "threads")
    with (tmp_path / "t.csv").open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == 54 + 80  # the complaint as position 0, then its entries
    thread = [r for r in rows if (r["source"], r["external_id"]) == THREAD]
    assert [(r["position"], r["kind"]) for r in thread[:1]] == [("0", "complaint")]
    assert [
        (int(r["position"]), r["kind"], r["verdict"] or None, r["text_normalized"]) for r in thread[1:]
    ] == thread_of(url, *THREAD)


def test_json_lines_threads_nest_their_entries(demo, tmp_path):
    _, url = demo
    out = tmp_path / "threads.jsonl"
    assert export(url, out, "--format", "jsonl", "--table", "threads") == f"exported 54 threads to {out}\n"
    threads = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(threads) == 54 and sum(len(t["entries"]) for t in threads) == 80
    [thread] = [t for t in threads if (t["source"], t["external_id"]) == THREAD]
    assert [(e["position"], e["kind"], e["verdict"], e["text_normalized"]) for e in thread["entries"]] == thread_of(
        url, *THREAD
    )
    assert thread["entry_count"] == len(thread["entries"]) and thread["filed_on"] == "2023-08-25"
    assert [t["id"] for t in threads] == sorted(t["id"] for t in threads)


def test_parquet_reads_back_with_pyarrow(demo, tmp_path):
    _, url = demo
    export(url, tmp_path / "c.parquet", "--format", "parquet")
    complaints = pq.read_table(tmp_path / "c.parquet")
    assert complaints.num_rows == 54
    assert complaints.schema.field("filed_on").type == pa.date32()
    assert complaints.schema.field("first_seen_at").type == pa.timestamp("us", tz="UTC")
    assert pa.compute.sum(complaints["mask_count"]).as_py() == scalar(url, "SELECT sum(mask_count) FROM complaints")
    export(url, tmp_path / "t.parquet", "--format", "parquet", "--table", "threads")
    threads = pq.read_table(tmp_path / "t.parquet").to_pylist()
    [thread] = [t for t in threads if (t["source"], t["external_id"]) == THREAD]
    assert [(e["position"], e["kind"], e["verdict"], e["text_normalized"]) for e in thread["entries"]] == thread_of(
        url, *THREAD
    )
    export(url, tmp_path / "r.parquet", "--format", "parquet", "--table", "responses")
    assert pq.read_table(tmp_path / "r.parquet").num_rows == 80


def test_filters(demo, tmp_path):
    _, url = demo
    out = tmp_path / "ms.jsonl"
    export(url, out, "--format", "jsonl", "--business", "Microsoft", "--since", "2023-08-24", "--until", "2023-08-25")
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    expected = scalar(
        url,
        "SELECT count(*) FROM complaints c JOIN businesses b ON b.id = c.business_id "
        "WHERE b.name = 'Microsoft' AND c.filed_on BETWEEN :a AND :b",
        a=date(2023, 8, 24),
        b=date(2023, 8, 25),
    )
    assert len(rows) == expected == 4
    assert {r["business_name"] for r in rows} == {"Microsoft"}
    export(url, tmp_path / "cc.csv", "--format", "csv", "--table", "responses", "--source", "complaintsboard")
    with (tmp_path / "cc.csv").open(newline="", encoding="utf-8") as file:
        assert len(list(csv.DictReader(file))) == 3


def test_sqlite_export_is_an_archive_at_the_current_revision(demo, tmp_path):
    _, url = demo
    whole = tmp_path / "whole.db"
    assert export(url, whole, "--format", "sqlite") == f"exported 54 complaints with their threads to {whole}\n"
    target = f"sqlite:///{whole}"
    current = complaints_cli("db", "current", "--archive", target)
    assert "revision 0005, code head 0005 (up to date)" in current.stdout
    for table in (
        "businesses",
        "complaints",
        "responses",
        "redactions",
        "complaint_revisions",
        "lsh_buckets",
        "crawl_runs",
        "crawl_targets",
        "quarantine",
    ):
        assert scalar(target, f"SELECT count(*) FROM {table}") == scalar(url, f"SELECT count(*) FROM {table}"), table
    assert not (tmp_path / "whole.db-wal").exists()  # one self-contained file
    engine = open_for_reading(target)
    assert {(h.source, h.external_id) for h in search(engine, "chargeback")} == {THREAD}  # the index came along
    engine.dispose()

    part = tmp_path / "microsoft.db"
    assert (
        export(url, part, "--format", "sqlite", "--business", "Microsoft")
        == f"exported 10 complaints with their threads to {part}\n"
    )
    target = f"sqlite:///{part}"
    assert [
        scalar(target, f"SELECT count(*) FROM {t}") for t in ("businesses", "complaints", "responses", "quarantine")
    ] == [1, 10, 32, 0]


def test_an_existing_file_is_kept_and_nothing_is_half_written(demo, tmp_path, capsys):
    _, url = demo
    out = tmp_path / "keep.csv"
    out.write_text("mine\n")
    assert main(["export", "--format", "csv", "--out", str(out), "--archive", url]) == 1
    assert capsys.readouterr().err == f"complaints: {out} exists: choose another --out, or add --force to replace it\n"
    assert out.read_text() == "mine\n"
    assert main(["export", "--format", "csv", "--out", str(out), "--force", "--archive", url]) == 0
    assert out.read_text().startswith("id,source,external_id")
    assert (
        main(["export", "--format", "csv", "--business", "nobody", "--out", str(tmp_path / "x.csv"), "--archive", url])
        == 1
    )
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "x.csv.partial").exists()
