"""`complaints export --format sqlite`: a filtered part of any archive as a new SQLite archive.

The target is created by the project's own migrations, so it is a real archive at the current revision
(with its full-text index, filled by the same triggers as a crawl's writes) that every command opens.
Rows keep their ids. Copied: the selected complaints with their threads, mask spans, revisions and
near-duplicate buckets; their businesses; every crawl target and run; quarantine only for a whole archive.
A complaint's duplicate_of_id may name a complaint the filters left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, insert, select

from complaints_crawler.archive import database
from complaints_crawler.archive.models import (
    BusinessRow,
    ComplaintRevisionRow,
    ComplaintRow,
    CrawlRunRow,
    CrawlTargetRow,
    LshBucketRow,
    QuarantineRow,
    RedactionRow,
    ResponseRow,
    table_of,
)
from complaints_crawler.reading.export import snapshot
from complaints_crawler.reading.filters import Filters, complaint_conditions
from complaints_crawler.reading.rows import keyset

# Rows that belong to one complaint, copied with each batch of complaints.
PER_COMPLAINT = (ResponseRow, RedactionRow, ComplaintRevisionRow, LshBucketRow)


def export_sqlite(source: Engine, filters: Filters, path: Path, batch_size: int) -> int:
    url = f"sqlite:///{path}"
    database.upgrade(url)
    # Foreign keys off while copying: a duplicate_of_id may point outside a filtered export.
    target = database.make_engine(url, migrating=True)
    complaints = 0
    try:
        with snapshot(source) as read, target.begin() as write:
            for model in (CrawlTargetRow, CrawlRunRow):
                _copy(write, table_of(model), _all(read, table_of(model), batch_size))
            conditions = complaint_conditions(read, filters)
            business_ids = select(ComplaintRow.business_id).where(*conditions).distinct()
            businesses = select(BusinessRow.__table__).where(BusinessRow.id.in_(business_ids))
            _copy(write, table_of(BusinessRow), keyset(read, businesses, BusinessRow.id, batch_size))
            selected = select(ComplaintRow.__table__).where(*conditions)
            for batch in keyset(read, selected, ComplaintRow.id, batch_size):
                _copy(write, table_of(ComplaintRow), [batch])
                ids = [row["id"] for row in batch]
                for owned in PER_COMPLAINT:
                    table = table_of(owned)
                    rows = read.execute(select(table).where(table.c.complaint_id.in_(ids)))
                    _copy(write, table, [[dict(r._mapping) for r in rows]])
                complaints += len(batch)
            if filters.empty:
                _copy(write, table_of(QuarantineRow), _all(read, table_of(QuarantineRow), batch_size))
        # One self-contained file (no -wal beside it) that a browser can serve as immutable.
        raw = target.raw_connection()
        try:
            raw.cursor().execute("PRAGMA journal_mode=DELETE")
        finally:
            raw.close()
    finally:
        target.dispose()
    return complaints


def _all(conn: Connection, table: Table, size: int) -> Iterable[list[dict[str, Any]]]:
    return keyset(conn, select(table), table.c.id, size)


def _copy(conn: Connection, table: Table, batches: Iterable[list[dict[str, Any]]]) -> None:
    for rows in batches:
        if rows:
            conn.execute(insert(table), rows)
