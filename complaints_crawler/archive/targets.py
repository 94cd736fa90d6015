"""What the archive remembers of a crawl target, and what it already holds of the complaints a page lists.

Incremental runs read these before and while they crawl; the archive pipeline writes the target's row when
a run opens and closes (`record_run_start`, `record_run_end`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from complaints_crawler.archive.models import ComplaintRow, CrawlRunRow, CrawlTargetRow
from complaints_crawler.items import utc_now

# Characters of an archived text compared with a board card's cut copy.
TEXT_HEAD_CHARS = 1000


def target_key(company: str, location: str | None = None) -> str:
    """One key per company as a user names it: case and spacing do not make another target."""
    parts = [" ".join(company.lower().split()), " ".join((location or "").lower().split())]
    return "|".join(parts).rstrip("|")[:512]


@dataclass(frozen=True)
class TargetState:
    id: int
    listing_url: str | None
    last_finished_at: datetime | None
    last_full_sweep_at: datetime | None
    last_complaints_seen: int | None  # complaints the last finished run saw (new + updated + unchanged)


@dataclass(frozen=True)
class KnownComplaint:
    content_hash: str
    filed_on: date | None
    status: str | None
    comments_count: int
    entry_count: int
    text_head: str  # the first TEXT_HEAD_CHARS characters of the archived text


def load_target(conn: Connection, spider: str, key: str) -> TargetState | None:
    row = conn.execute(
        select(
            CrawlTargetRow.id,
            CrawlTargetRow.listing_url,
            CrawlTargetRow.last_finished_at,
            CrawlTargetRow.last_full_sweep_at,
        ).where(CrawlTargetRow.spider == spider, CrawlTargetRow.target_key == key)
    ).first()
    if row is None:
        return None
    last_run = conn.execute(
        select(CrawlRunRow.new_count + CrawlRunRow.updated_count + CrawlRunRow.unchanged_count)
        .where(CrawlRunRow.target_id == row.id, CrawlRunRow.finish_reason == "finished")
        .order_by(CrawlRunRow.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return TargetState(row.id, row.listing_url, row.last_finished_at, row.last_full_sweep_at, last_run)


def known_complaints(conn: Connection, source: str, external_ids: Iterable[str]) -> dict[str, KnownComplaint]:
    ids = list(external_ids)
    if not ids:
        return {}
    rows = conn.execute(
        select(
            ComplaintRow.external_id,
            ComplaintRow.content_hash,
            ComplaintRow.filed_on,
            ComplaintRow.status,
            ComplaintRow.comments_count,
            ComplaintRow.entry_count,
            func.substr(ComplaintRow.text, 1, TEXT_HEAD_CHARS),
        ).where(ComplaintRow.source == source, ComplaintRow.external_id.in_(ids))
    )
    return {row[0]: KnownComplaint(*row[1:]) for row in rows}


def record_run_start(conn: Connection, spider: str, company: str, location: str | None) -> int:
    """The target's id, its row created on its first run."""
    key = target_key(company, location)
    now = utc_now()
    # Two first runs of one target at once (two machines) must not collide on the unique key.
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    conn.execute(
        insert(CrawlTargetRow)
        .values(spider=spider, target_key=key, company=company, location=location, created_at=now, updated_at=now)
        .on_conflict_do_nothing(index_elements=["spider", "target_key"])
    )
    return conn.execute(
        select(CrawlTargetRow.id).where(CrawlTargetRow.spider == spider, CrawlTargetRow.target_key == key)
    ).scalar_one()


def record_run_end(
    conn: Connection, target_id: int, *, finished: bool, full_sweep: bool, listing_url: str | None
) -> None:
    now = utc_now()
    values: dict[str, object] = {"updated_at": now}
    if listing_url:
        values["listing_url"] = listing_url
    if finished:
        values["last_finished_at"] = now
        if full_sweep:
            values["last_full_sweep_at"] = now
    conn.execute(update(CrawlTargetRow).where(CrawlTargetRow.id == target_id).values(**values))


def forget_listing_url(conn: Connection, target_id: int) -> None:
    conn.execute(update(CrawlTargetRow).where(CrawlTargetRow.id == target_id).values(listing_url=None))
