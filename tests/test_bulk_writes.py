"""The archive's bulk writes on SQLite (archive/bulk.py) store exactly what SQLAlchemy's own executemany stores."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import text
from sqlalchemy.dialects import sqlite

from complaints_crawler.archive import database
from complaints_crawler.archive.bulk import append_rows, execute_many
from complaints_crawler.archive.models import BusinessRow, ComplaintRevisionRow, ComplaintRow, table_of

SEEN = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def business(n: int, accredited: bool | None) -> dict:
    return dict(
        source="bbb",
        external_id=f"b{n}",
        name=f"Business {n}",
        url=None,
        accredited=accredited,
        complaints_total=n,
        scraped_at=None,
        first_seen_at=SEEN,
        last_seen_at=SEEN,
    )


def stored(url: str, table: str) -> list[tuple]:
    with database.open_archive(url).connect() as conn:
        return [tuple(row) for row in conn.execute(text(f"SELECT * FROM {table} ORDER BY id"))]


def test_fast_upsert_stores_what_sqlalchemy_stores(tmp_path):
    rows = [business(1, True), business(2, None), business(3, False)]
    urls = [f"sqlite:///{tmp_path / name}.db" for name in ("fast", "sqlalchemy")]
    for url, write in zip(urls, (execute_many, lambda conn, stmt, rows: conn.execute(stmt, rows)), strict=True):
        with database.open_archive(url).begin() as conn:
            stmt = sqlite.insert(BusinessRow)
            upsert = stmt.on_conflict_do_update(
                index_elements=["source", "external_id"], set_={"name": stmt.excluded["name"]}
            )
            write(conn, upsert, rows)
            write(conn, upsert, [{**rows[0], "name": "Renamed"}])  # the conflict path
    fast, reference = (stored(url, "businesses") for url in urls)
    assert fast == reference
    assert [row[3] for row in fast] == ["Renamed", "Business 2", "Business 3"]
    assert "2026-03-01 09:30:00" in str(fast[0])  # Timestamp's own conversion ran


def test_a_statement_with_its_own_parameters_takes_sqlalchemys_path(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    with database.open_archive(url).begin() as conn:
        execute_many(conn, sqlite.insert(BusinessRow), [business(1, True)])
        stmt = sqlite.insert(BusinessRow).on_conflict_do_update(
            index_elements=["source", "external_id"],
            set_={"name": "Fixed name"},  # a bound value, not a row's
        )
        execute_many(conn, stmt, [business(1, True)])
    assert [row[3] for row in stored(url, "businesses")] == ["Fixed name"]


def test_append_rows_converts_times_like_sqlalchemy(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    columns = ("complaint_id", "run_id", "content_hash", "status", "entry_count", "observed_at")
    values = (1, None, "h", "Resolved", 2, SEEN)
    with database.open_archive(url).begin() as conn:
        execute_many(conn, sqlite.insert(BusinessRow), [business(1, True)])
        complaint = dict(source="bbb", external_id="c1", business_id=1, text="t", text_normalized="t")
        stamps = dict(first_seen_at=SEEN, last_seen_at=SEEN, last_changed_at=SEEN, filed_on=date(2025, 12, 31))
        conn.execute(sqlite.insert(ComplaintRow), [{**complaint, **stamps, "content_hash": "h"}])
        append_rows(conn, table_of(ComplaintRevisionRow), columns, [values])
        conn.execute(sqlite.insert(ComplaintRevisionRow), [dict(zip(columns, values, strict=True))])
    fast, reference = stored(url, "complaint_revisions")
    assert fast[1:] == reference[1:]
    assert fast[-1] == "2026-03-01 09:30:00.000000"  # as SQLAlchemy writes it, not as sqlite3 would
