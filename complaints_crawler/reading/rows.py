"""The rows an export streams: complaints, thread entries, or whole threads, in batches keyed on the id.

Keyset batches (WHERE id > last ORDER BY id LIMIT n) hold one batch in memory whatever the archive's size,
and read alike on both back-ends; the caller's transaction gives them one snapshot.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Connection, Select, select

from complaints_crawler.archive.models import BusinessRow, ComplaintRow, ResponseRow, table_of
from complaints_crawler.reading.filters import Filters, complaint_conditions

Row = dict[str, Any]
COMPLAINT_COLUMNS: list[Column[Any]] = list(table_of(ComplaintRow).columns)
RESPONSE_COLUMNS: list[Column[Any]] = list(table_of(ResponseRow).columns)
# A thread's entries keep what is not already on their complaint.
ENTRY_COLUMNS = [c for c in RESPONSE_COLUMNS if c.name not in ("id", "complaint_id")]


@dataclass(frozen=True)
class Field:
    """An exported column: its name and the archive column it comes from (for its type)."""

    name: str
    column: Any  # a Column (its type is the field's); None: a list of thread entries


def fields(table: str, flat: bool = False) -> list[Field]:
    """The exported columns of `table`; `flat` threads are one row per entry, the complaint as position 0."""
    if table == "responses":
        return [Field(c.name, c) for c in RESPONSE_COLUMNS]
    if table == "threads" and flat:
        return [
            Field("complaint_id", ComplaintRow.__table__.c.id),
            Field("source", ComplaintRow.__table__.c.source),
            Field("external_id", ComplaintRow.__table__.c.external_id),
            Field("business_name", BusinessRow.__table__.c.name),
            *(Field(c.name, c) for c in ENTRY_COLUMNS[:3]),  # position, kind, author
            Field("date", ResponseRow.__table__.c.posted_on),
            Field("status", ComplaintRow.__table__.c.status),
            *(Field(c.name, c) for c in ENTRY_COLUMNS[4:]),
        ]  # text, text_normalized, verdict
    complaint = [Field(c.name, c) for c in COMPLAINT_COLUMNS]
    complaint.insert(4, Field("business_name", BusinessRow.__table__.c.name))  # after business_id
    return [*complaint, Field("entries", None)] if table == "threads" else complaint


def batches(
    conn: Connection, table: str, filters: Filters, size: int = 1000, flat: bool = False
) -> Iterator[list[Row]]:
    conditions = complaint_conditions(conn, filters)
    if table == "responses":
        query = (
            select(*RESPONSE_COLUMNS).join(ComplaintRow, ComplaintRow.id == ResponseRow.complaint_id).where(*conditions)
        )
        yield from keyset(conn, query, ResponseRow.id, size)
        return
    query = (
        select(*COMPLAINT_COLUMNS, BusinessRow.name.label("business_name"))
        .join(BusinessRow, BusinessRow.id == ComplaintRow.business_id)
        .where(*conditions)
    )
    for complaints in keyset(conn, query, ComplaintRow.id, size):
        if table == "complaints":
            yield complaints
        elif flat:
            yield _reading_order(complaints, _entries(conn, complaints))
        else:
            entries = _entries(conn, complaints)
            yield [{**c, "entries": entries.get(c["id"], [])} for c in complaints]


def keyset(conn: Connection, query: Select[Any], key: Any, size: int) -> Iterator[list[Row]]:
    last = None
    while True:
        page = query.order_by(key).limit(size)
        rows = [dict(r._mapping) for r in conn.execute(page if last is None else page.where(key > last))]
        if not rows:
            return
        yield rows
        last = rows[-1][key.name]


def _entries(conn: Connection, complaints: list[Row]) -> dict[int, list[Row]]:
    found: dict[int, list[Row]] = {}
    rows = conn.execute(
        select(ResponseRow.complaint_id, *ENTRY_COLUMNS)
        .where(ResponseRow.complaint_id.in_([c["id"] for c in complaints]))
        .order_by(ResponseRow.complaint_id, ResponseRow.position)
    )
    for row in rows:
        values = dict(row._mapping)
        found.setdefault(values.pop("complaint_id"), []).append(values)
    return found


def _reading_order(complaints: list[Row], entries: dict[int, list[Row]]) -> list[Row]:
    rows = []
    for c in complaints:
        common = {
            "complaint_id": c["id"],
            "source": c["source"],
            "external_id": c["external_id"],
            "business_name": c["business_name"],
            "status": c["status"],
        }
        rows.append(
            {
                **common,
                "position": 0,
                "kind": "complaint",
                "author": c["author"],
                "date": c["filed_on"],
                "text": c["text"],
                "text_normalized": c["text_normalized"],
                "verdict": None,
            }
        )
        rows += [
            {**common, **{k: v for k, v in e.items() if k != "posted_on"}, "date": e["posted_on"]}
            for e in entries.get(c["id"], [])
        ]
    return rows
