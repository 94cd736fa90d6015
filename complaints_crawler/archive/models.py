"""The archive schema: SQLAlchemy 2.x typed models. Every change here ships with an Alembic migration."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names, so migrations can address them on every back-end (SQLite batch mode needs them).
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JSONType = JSON().with_variant(JSONB(), "postgresql")
Timestamp = DateTime(timezone=True)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def table_of(model: type[Base]) -> Table:
    """A model's table, typed as the Table it is (SQLAlchemy types `__table__` as any FromClause)."""
    return cast(Table, model.__table__)


class BusinessRow(Base):
    __tablename__ = "businesses"
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(Text)
    accredited: Mapped[bool | None] = mapped_column(Boolean)
    rating: Mapped[str | None] = mapped_column(String(16))
    location: Mapped[str | None] = mapped_column(Text)
    complaints_total: Mapped[int | None] = mapped_column(Integer)
    complaints_closed_3y: Mapped[int | None] = mapped_column(Integer)
    complaints_closed_12m: Mapped[int | None] = mapped_column(Integer)
    resolved_count: Mapped[int | None] = mapped_column(Integer)
    unresolved_count: Mapped[int | None] = mapped_column(Integer)
    scraped_at: Mapped[datetime | None] = mapped_column(Timestamp)
    first_seen_at: Mapped[datetime] = mapped_column(Timestamp)
    last_seen_at: Mapped[datetime] = mapped_column(Timestamp)


class ComplaintRow(Base):
    __tablename__ = "complaints"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        Index(None, "business_id", "filed_on"),
        Index(None, "status"),
        Index(None, "content_hash"),
        Index(None, "duplicate_of_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(128))
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"))
    url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    filed_on: Mapped[date | None] = mapped_column(Date)
    complaint_type: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(String(64))
    author: Mapped[str | None] = mapped_column(Text)
    author_location: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    text_normalized: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    mask_count: Mapped[int] = mapped_column(Integer, default=0)
    entry_count: Mapped[int] = mapped_column(Integer, default=0)
    photos_count: Mapped[int] = mapped_column(Integer, default=0)
    comments_count: Mapped[int] = mapped_column(Integer, default=0)
    helpful_count: Mapped[int] = mapped_column(Integer, default=0)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"))
    # Jaccard similarity to the complaint it duplicates (word 5-shingles; word sets for same-author re-posts)
    duplicate_similarity: Mapped[float | None] = mapped_column(Float)
    scraped_at: Mapped[datetime | None] = mapped_column(Timestamp)
    first_seen_at: Mapped[datetime] = mapped_column(Timestamp)
    last_seen_at: Mapped[datetime] = mapped_column(Timestamp)
    last_changed_at: Mapped[datetime] = mapped_column(Timestamp)


class ResponseRow(Base):
    __tablename__ = "responses"
    __table_args__ = (UniqueConstraint("complaint_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    author: Mapped[str | None] = mapped_column(Text)
    posted_on: Mapped[date | None] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    text_normalized: Mapped[str] = mapped_column(Text)
    verdict: Mapped[str | None] = mapped_column(String(16))


class RedactionRow(Base):
    """One mask span in the raw text of a complaint (response_position NULL) or of one thread entry."""

    __tablename__ = "redactions"
    __table_args__ = (Index(None, "complaint_id"), Index(None, "kind"))

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"))
    response_position: Mapped[int | None] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(32))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    original: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))


class LshBucketRow(Base):
    """MinHash LSH band buckets of each complaint's normalized text: near-duplicate candidates by index lookup."""

    __tablename__ = "lsh_buckets"
    __table_args__ = (Index(None, "bucket"),)

    # The natural key: 16 rows a complaint are written per complaint, so no surrogate id (sequence, index),
    # and the key's leading column serves the lookups by complaint.
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), primary_key=True)
    band: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The band's 64-bit key as a signed integer: a narrower, faster index than its hex text.
    bucket: Mapped[int] = mapped_column(BigInteger)


class ComplaintRevisionRow(Base):
    __tablename__ = "complaint_revisions"
    __table_args__ = (Index(None, "complaint_id", "observed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    content_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str | None] = mapped_column(String(64))
    entry_count: Mapped[int] = mapped_column(Integer)
    observed_at: Mapped[datetime] = mapped_column(Timestamp)


class CrawlTargetRow(Base):
    """A company crawled on a site, as a crawl's arguments name it: what the next (incremental) run remembers."""

    __tablename__ = "crawl_targets"
    __table_args__ = (UniqueConstraint("spider", "target_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    spider: Mapped[str] = mapped_column(String(64))
    # The company (and location) as given, normalized: "microsoft|redmond, wa"
    target_key: Mapped[str] = mapped_column(String(512))
    company: Mapped[str] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(Text)
    # The profile or board URL the name resolved to (live origin): no search or sitemap request next time.
    listing_url: Mapped[str | None] = mapped_column(Text)
    last_finished_at: Mapped[datetime | None] = mapped_column(Timestamp)  # the last run that finished
    last_full_sweep_at: Mapped[datetime | None] = mapped_column(Timestamp)  # the last finished run that read every page
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    updated_at: Mapped[datetime] = mapped_column(Timestamp)


class CrawlRunRow(Base):
    __tablename__ = "crawl_runs"
    __table_args__ = (Index(None, "spider", "started_at"), Index(None, "target_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    spider: Mapped[str] = mapped_column(String(64))
    arguments: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    target_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_targets.id"))
    mode: Mapped[str | None] = mapped_column(String(16))  # "full" or "incremental"; NULL for imports
    # Who runs it: a row left "running" by a process that is gone is marked interrupted by the next run.
    host: Mapped[str | None] = mapped_column(String(255))
    pid: Mapped[int | None] = mapped_column(Integer)
    worker: Mapped[str | None] = mapped_column(String(128))
    heartbeat_at: Mapped[datetime | None] = mapped_column(Timestamp)
    started_at: Mapped[datetime] = mapped_column(Timestamp)
    finished_at: Mapped[datetime | None] = mapped_column(Timestamp)
    finish_reason: Mapped[str | None] = mapped_column(String(64))
    pages: Mapped[int] = mapped_column(Integer, default=0)
    new_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_count: Mapped[int] = mapped_column(Integer, default=0)
    unchanged_count: Mapped[int] = mapped_column(Integer, default=0)
    quarantined_count: Mapped[int] = mapped_column(Integer, default=0)
    requests: Mapped[int] = mapped_column(Integer, default=0)  # page requests made (robots.txt not counted)
    health: Mapped[str | None] = mapped_column(Text)  # "ok", or why the run is unhealthy
    stats: Mapped[dict[str, Any] | None] = mapped_column(JSONType)


class QuarantineRow(Base):
    __tablename__ = "quarantine"
    __table_args__ = (Index(None, "run_id"), Index(None, "kind"))

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    url: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    score: Mapped[float | None] = mapped_column(Float)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(Timestamp)
