"""The filters the reading commands share: source, business (name or id) and a filing-date range."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, select

from complaints_crawler.archive.models import BusinessRow, ComplaintRow
from complaints_crawler.reading.archive import ReadingError


@dataclass(frozen=True)
class Filters:
    source: str | None = None
    business: str | None = None  # a name or an archive id, as the reader gave it
    since: date | None = None  # filed on or after
    until: date | None = None  # filed on or before

    @property
    def empty(self) -> bool:
        return not (self.source or self.business or self.since or self.until)


@dataclass(frozen=True)
class Business:
    id: int
    source: str
    name: str


def resolve_business(conn: Connection, reference: str, source: str | None = None) -> Business:
    """A business by archive id, exact name (any case) or, failing that, a part of its name; never a guess."""
    columns = select(BusinessRow.id, BusinessRow.source, BusinessRow.name)
    if source:
        columns = columns.where(BusinessRow.source == source)
    if reference.isdigit():
        rows = conn.execute(columns.where(BusinessRow.id == int(reference))).all()
    else:
        rows = conn.execute(columns.where(func.lower(BusinessRow.name) == reference.lower())).all()
        if not rows:
            pattern = "%" + reference.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            rows = conn.execute(columns.where(func.lower(BusinessRow.name).like(pattern, escape="\\"))).all()
    if not rows:
        where = f" on {source}" if source else ""
        raise ReadingError(
            f"no business {reference!r}{where} in the archive (give a name or an id; `complaints stats` lists them)"
        )
    if len(rows) > 1:
        listed = ", ".join(f"#{r.id} {r.name} ({r.source})" for r in sorted(rows, key=lambda r: r.id))
        raise ReadingError(f"business {reference!r} is ambiguous: {listed}; give its id")
    return Business(*rows[0])


def complaint_conditions(conn: Connection, filters: Filters) -> list[ColumnElement[Any]]:
    """WHERE conditions on ComplaintRow for the filters (the business resolved once, here)."""
    conditions: list[ColumnElement[Any]] = []
    if filters.source:
        conditions.append(ComplaintRow.source == filters.source)
    if filters.business:
        conditions.append(ComplaintRow.business_id == resolve_business(conn, filters.business, filters.source).id)
    if filters.since:
        conditions.append(ComplaintRow.filed_on >= filters.since)
    if filters.until:
        conditions.append(ComplaintRow.filed_on <= filters.until)
    return conditions
