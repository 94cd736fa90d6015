"""Canned read-only queries behind the CLI (`stats`, `runs`, the demo summary)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, Row, func, select

from complaints_crawler import settings
from complaints_crawler.archive.database import reading
from complaints_crawler.archive.liveness import gone_before, run_is_gone
from complaints_crawler.archive.models import (
    BusinessRow,
    ComplaintRevisionRow,
    ComplaintRow,
    CrawlRunRow,
    QuarantineRow,
    ResponseRow,
)


@dataclass
class SourceSummary:
    source: str
    businesses: int = 0
    complaints: int = 0
    responses: int = 0
    quarantined: int = 0


def summary_by_source(engine: Engine) -> list[SourceSummary]:
    """Businesses, complaints, thread entries and quarantined pages/items per source (spider)."""
    rows: dict[str, SourceSummary] = {}

    def row(source: str) -> SourceSummary:
        return rows.setdefault(source, SourceSummary(source))

    with reading(engine) as conn:
        for source, n in conn.execute(select(BusinessRow.source, func.count()).group_by(BusinessRow.source)):
            row(source).businesses = n
        for source, n in conn.execute(select(ComplaintRow.source, func.count()).group_by(ComplaintRow.source)):
            row(source).complaints = n
        for source, n in conn.execute(
            select(ComplaintRow.source, func.count(ResponseRow.id))
            .join(ResponseRow, ResponseRow.complaint_id == ComplaintRow.id)
            .group_by(ComplaintRow.source)
        ):
            row(source).responses = n
        for source, n in conn.execute(
            select(CrawlRunRow.spider, func.count(QuarantineRow.id))
            .join(QuarantineRow, QuarantineRow.run_id == CrawlRunRow.id)
            .group_by(CrawlRunRow.spider)
        ):
            row(source).quarantined = n
    return [rows[k] for k in sorted(rows)]


def complaints_by_business_and_status(engine: Engine, source: str | None = None) -> list[tuple[str, str, str, int]]:
    """(source, business, status, complaints), biggest first."""
    query = (
        select(BusinessRow.source, BusinessRow.name, func.coalesce(ComplaintRow.status, "(none)"), func.count())
        .join(ComplaintRow, ComplaintRow.business_id == BusinessRow.id)
        .group_by(BusinessRow.source, BusinessRow.name, ComplaintRow.status)
        .order_by(BusinessRow.source, BusinessRow.name, func.count().desc())
    )
    if source:
        query = query.where(BusinessRow.source == source)
    with reading(engine) as conn:
        return [(source_, name, status, count) for source_, name, status, count in conn.execute(query)]


def recent_runs(engine: Engine, limit: int = 20, run_id: int | None = None) -> list[dict[str, Any]]:
    """The newest crawl runs, newest first (`run_id`: that run only). A run still open reads "running", or
    "interrupted" when its process is gone (a later crawl will record that)."""
    columns = [
        CrawlRunRow.id,
        CrawlRunRow.spider,
        CrawlRunRow.arguments,
        CrawlRunRow.started_at,
        CrawlRunRow.finished_at,
        CrawlRunRow.finish_reason,
        CrawlRunRow.pages,
        CrawlRunRow.new_count,
        CrawlRunRow.updated_count,
        CrawlRunRow.unchanged_count,
        CrawlRunRow.quarantined_count,
        CrawlRunRow.mode,
        CrawlRunRow.requests,
        CrawlRunRow.health,
        CrawlRunRow.host,
        CrawlRunRow.pid,
        CrawlRunRow.heartbeat_at,
        CrawlRunRow.worker,
    ]
    host, stale_before = gone_before(timedelta(seconds=settings.RUN_STALE_AFTER))
    with reading(engine) as conn:
        query = select(*columns).order_by(CrawlRunRow.id.desc()).limit(limit)
        rows = conn.execute(query if run_id is None else query.where(CrawlRunRow.id == run_id)).all()
    runs = []
    for row in rows:
        run = dict(row._mapping)
        if run["finished_at"] is None:
            run["finish_reason"] = "interrupted" if run_is_gone(row, host, stale_before) else "running"
        runs.append(run)
    return runs


@dataclass
class DuplicateMember:
    id: int
    source: str
    external_id: str
    filed_on: Any
    author: str | None
    url: str | None
    similarity: float | None  # None for the cluster's original


def duplicate_clusters(engine: Engine, limit: int = 100) -> list[list[DuplicateMember]]:
    """Groups of near-duplicates: the original first, then the complaints pointing at it."""
    columns = (
        ComplaintRow.id,
        ComplaintRow.source,
        ComplaintRow.external_id,
        ComplaintRow.filed_on,
        ComplaintRow.author,
        ComplaintRow.url,
    )
    with reading(engine) as conn:
        members = conn.execute(
            select(*columns, ComplaintRow.duplicate_similarity, ComplaintRow.duplicate_of_id)
            .where(ComplaintRow.duplicate_of_id.is_not(None))
            .order_by(ComplaintRow.duplicate_of_id, ComplaintRow.id)
        ).all()
        root_ids = sorted({m.duplicate_of_id for m in members})[:limit]
        roots = {r.id: r for r in conn.execute(select(*columns).where(ComplaintRow.id.in_(root_ids)))}
    clusters = {root_id: [DuplicateMember(*roots[root_id], similarity=None)] for root_id in root_ids}
    for m in members:
        if m.duplicate_of_id in clusters:
            clusters[m.duplicate_of_id].append(DuplicateMember(*m[:6], similarity=m.duplicate_similarity))
    return list(clusters.values())


def find_complaint(engine: Engine, reference: str) -> Row[Any] | None:
    """A complaint by archive id ("42") or by natural key ("bbb:20520372")."""
    source, _, external_id = reference.partition(":")
    if external_id:
        query = select(ComplaintRow).where(ComplaintRow.source == source, ComplaintRow.external_id == external_id)
    elif reference.isdigit():
        query = select(ComplaintRow).where(ComplaintRow.id == int(reference))
    else:
        return None
    with reading(engine) as conn:
        return conn.execute(query).first()


def revisions(engine: Engine, complaint_id: int) -> list[dict[str, Any]]:
    with reading(engine) as conn:
        rows = conn.execute(
            select(
                ComplaintRevisionRow.observed_at,
                ComplaintRevisionRow.run_id,
                ComplaintRevisionRow.status,
                ComplaintRevisionRow.entry_count,
                ComplaintRevisionRow.content_hash,
            )
            .where(ComplaintRevisionRow.complaint_id == complaint_id)
            .order_by(ComplaintRevisionRow.observed_at, ComplaintRevisionRow.id)
        )
        return [dict(r._mapping) for r in rows]
