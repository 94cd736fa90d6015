"""Writing to the archive: batched upserts on the natural keys, one transaction per batch.

A complaint, its thread, its redaction spans and its revision row are written in the same transaction as
the batch, so a crash loses at most the uncommitted batch and never leaves a complaint without its
responses. Unchanged complaints (same content hash) only get their last_seen_at touched.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from complaints_crawler import settings
from complaints_crawler.archive import targets
from complaints_crawler.archive.bulk import append_rows
from complaints_crawler.archive.database import open_archive
from complaints_crawler.archive.liveness import gone_before, run_is_gone
from complaints_crawler.archive.models import (
    Base,
    BusinessRow,
    ComplaintRevisionRow,
    ComplaintRow,
    CrawlRunRow,
    QuarantineRow,
    RedactionRow,
    ResponseRow,
    table_of,
)
from complaints_crawler.archive.near_duplicates import link_near_duplicates
from complaints_crawler.archive.prepare import PreparedComplaint
from complaints_crawler.crawl.reasons import FinishReason
from complaints_crawler.items import Business, BusinessRef, utc_now
from complaints_crawler.quarantine import QuarantineEntry

log = logging.getLogger(__name__)

Key = tuple[str, str]
ANALYZE_FIRST_AT = 1_000  # new complaints written by one store before its first ANALYZE


@dataclass
class WriteResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    near_duplicates: int = 0  # complaints this write linked to an earlier near-duplicate
    poorer_copies: int = 0  # changed copies with fewer entries or a cut text: the richer archived thread is kept
    # (source, external_id) -> complaint id, for everything the batch wrote or touched
    ids: dict[Key, int] = field(default_factory=dict)

    def add(self, other: WriteResult) -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.near_duplicates += other.near_duplicates
        self.poorer_copies += other.poorer_copies


_BUSINESS_PROFILE_FIELDS = (
    "name",
    "url",
    "category",
    "accredited",
    "rating",
    "location",
    "complaints_total",
    "complaints_closed_3y",
    "complaints_closed_12m",
    "resolved_count",
    "unresolved_count",
    "scraped_at",
)


class ArchiveStore:
    def __init__(
        self,
        engine: Engine,
        *,
        duplicate_threshold: float = settings.NEAR_DUPLICATE_THRESHOLD,
        repost_threshold: float = settings.REPOST_THRESHOLD,
        near_duplicates: bool = settings.NEAR_DUPLICATES_ENABLED,
    ):
        self.engine = engine
        self.near_duplicates = near_duplicates
        self.duplicate_threshold = duplicate_threshold
        self.repost_threshold = repost_threshold
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        self._written = 0
        self._next_analyze = ANALYZE_FIRST_AT

    @classmethod
    def open(
        cls,
        url: str,
        *,
        create: bool = True,
        duplicate_threshold: float = settings.NEAR_DUPLICATE_THRESHOLD,
        repost_threshold: float = settings.REPOST_THRESHOLD,
        near_duplicates: bool = settings.NEAR_DUPLICATES_ENABLED,
    ) -> ArchiveStore:
        return cls(
            open_archive(url, create=create),
            duplicate_threshold=duplicate_threshold,
            repost_threshold=repost_threshold,
            near_duplicates=near_duplicates,
        )

    def close(self) -> None:
        self.engine.dispose()

    # -- crawl runs -----------------------------------------------------------------------------------

    def open_run(
        self,
        spider: str,
        arguments: dict[str, Any],
        *,
        company: str | None = None,
        location: str | None = None,
        mode: str | None = None,
        worker: str | None = None,
    ) -> int:
        """A new crawl_runs row (and, for a crawl of a company, its target's row, which the run points at)."""
        now = utc_now()
        with self.engine.begin() as conn:
            target_id = targets.record_run_start(conn, spider, company, location) if company else None
            run_id = conn.execute(
                insert(CrawlRunRow)
                .values(
                    spider=spider,
                    arguments=arguments,
                    started_at=now,
                    target_id=target_id,
                    mode=mode,
                    host=socket.gethostname()[:255],
                    pid=os.getpid(),
                    worker=worker,
                    heartbeat_at=now,
                )
                .returning(CrawlRunRow.id)
            ).scalar_one()
        return run_id

    def heartbeat(self, run_id: int) -> None:
        """The run is alive: a row whose heartbeat stops is marked interrupted by a later run."""
        with self.engine.begin() as conn:
            conn.execute(update(CrawlRunRow).where(CrawlRunRow.id == run_id).values(heartbeat_at=utc_now()))

    def close_run(
        self,
        run_id: int,
        *,
        finish_reason: str | None,
        counts: dict[str, Any],
        stats: dict[str, Any],
        health: str | None = None,
        listing_url: str | None = None,
        full_sweep: bool = False,
    ) -> None:
        with self.engine.begin() as conn:
            target_id = conn.execute(
                update(CrawlRunRow)
                .where(CrawlRunRow.id == run_id)
                .values(finished_at=utc_now(), finish_reason=finish_reason, stats=stats, health=health, **counts)
                .returning(CrawlRunRow.target_id)
            ).scalar_one_or_none()
            if target_id is not None:
                targets.record_run_end(
                    conn,
                    target_id,
                    finished=finish_reason == FinishReason.FINISHED,
                    full_sweep=full_sweep,
                    listing_url=listing_url,
                )

    def mark_interrupted_runs(self, stale_after: timedelta) -> int:
        """Close the rows of runs whose process is gone (killed, or stopped before it could close its run): on
        this host, a pid that no longer runs; elsewhere, no heartbeat for `stale_after`. Returns how many."""
        host, stale_before = gone_before(stale_after)
        with self.engine.begin() as conn:
            running = conn.execute(
                select(
                    CrawlRunRow.id, CrawlRunRow.host, CrawlRunRow.pid, CrawlRunRow.heartbeat_at, CrawlRunRow.started_at
                ).where(CrawlRunRow.finished_at.is_(None))
            ).all()
            gone = [row.id for row in running if run_is_gone(row, host, stale_before)]
            if gone:
                conn.execute(
                    update(CrawlRunRow)
                    .where(CrawlRunRow.id.in_(gone), CrawlRunRow.finished_at.is_(None))
                    .values(
                        finished_at=func.coalesce(CrawlRunRow.heartbeat_at, CrawlRunRow.started_at),
                        finish_reason=FinishReason.INTERRUPTED.value,
                    )
                )
        return len(gone)

    # -- quarantine -----------------------------------------------------------------------------------

    def quarantine(self, entries: Sequence[QuarantineEntry], run_id: int | None) -> None:
        if not entries:
            return
        rows = [
            dict(
                run_id=run_id,
                url=e.url,
                kind=e.kind,
                reason=e.reason,
                score=e.score,
                details=e.details,
                created_at=e.created_at,
            )
            for e in entries
        ]
        with self.engine.begin() as conn:
            conn.execute(insert(QuarantineRow), rows)

    # -- businesses and complaints --------------------------------------------------------------------

    def write(
        self,
        businesses: Sequence[Business],
        complaints: Sequence[PreparedComplaint],
        run_id: int | None,
        seen: Sequence[Key] = (),
    ) -> WriteResult:
        """Upsert one batch in one transaction and say what was new, updated and unchanged. `seen` are the keys
        of complaints an incremental run saw unchanged without reading them whole: only last_seen_at moves."""
        now = utc_now()
        with self.engine.begin() as conn:
            business_ids = self._upsert_businesses(conn, businesses, [c.item.business for c in complaints], now)
            result = self._upsert_complaints(conn, _richest_per_key(complaints), business_ids, run_id, now)
            result.unchanged += self._touch(conn, seen, now)
        self._keep_statistics_fresh(result.new)
        return result

    def _touch(self, conn: Connection, keys: Sequence[Key], now: datetime) -> int:
        touched = 0
        for source, external_ids in _by_source(set(keys)).items():
            touched += conn.execute(
                update(ComplaintRow)
                .where(ComplaintRow.source == source, ComplaintRow.external_id.in_(external_ids))
                .values(last_seen_at=now)
            ).rowcount
        return touched

    def _keep_statistics_fresh(self, new_rows: int) -> None:
        """ANALYZE the growing tables on PostgreSQL each time this writer has quadrupled them.

        Until autovacuum first analyzes a new table, the planner takes it for tiny and answers the batch's
        key lookups with scans, so a large first crawl or import would slow down quadratically.
        """
        self._written += new_rows
        if self.engine.dialect.name != "postgresql" or self._written < self._next_analyze:
            return
        self._next_analyze = self._written * 4
        try:
            with self.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE businesses, complaints, responses, redactions, lsh_buckets")
        except SQLAlchemyError as error:  # the batch is committed already: a failed ANALYZE must not undo its count
            log.warning("ANALYZE after %d new complaints failed: %s", self._written, error)

    def _upsert_businesses(
        self, conn: Connection, profiles: Sequence[Business], refs: Iterable[BusinessRef], now: datetime
    ) -> dict[Key, int]:
        full = {(b.source.value, b.external_id): b for b in profiles}
        if full:
            stmt = self._insert(BusinessRow)
            stmt = stmt.on_conflict_do_update(
                index_elements=["source", "external_id"],
                set_={name: stmt.excluded[name] for name in (*_BUSINESS_PROFILE_FIELDS, "last_seen_at")},
            )
            _execute_rows(conn, stmt, [_business_values(b, now) for b in full.values()])
        # A complaint's business reference creates the business if no profile was seen yet, and else
        # never overwrites what the profile said.
        bare = {(r.source.value, r.external_id): r for r in refs if (r.source.value, r.external_id) not in full}
        if bare:
            stmt = self._insert(BusinessRow)
            stmt = stmt.on_conflict_do_update(
                index_elements=["source", "external_id"], set_={"last_seen_at": stmt.excluded.last_seen_at}
            )
            _execute_rows(
                conn,
                stmt,
                [
                    dict(source=s, external_id=e, name=r.name, url=r.url, first_seen_at=now, last_seen_at=now)
                    for (s, e), r in bare.items()
                ],
            )
        return _ids_by_key(conn, BusinessRow, [*full, *bare])

    def _upsert_complaints(
        self,
        conn: Connection,
        complaints: Sequence[PreparedComplaint],
        business_ids: dict[Key, int],
        run_id: int | None,
        now: datetime,
    ) -> WriteResult:
        result = WriteResult()
        if not complaints:
            return result
        stored = _stored_by_key(conn, [c.key for c in complaints])
        unchanged = [c for c in complaints if c.key in stored and stored[c.key].content_hash == c.content_hash]
        changed = [c for c in complaints if c.key not in stored or stored[c.key].content_hash != c.content_hash]
        poorer = [c for c in changed if c.key in stored and _is_poorer(c, stored[c.key])]
        if poorer:
            # A cut copy (a page that lost its end, a board card) must not replace a whole thread: kept as seen.
            log.warning(
                "%d complaint(s) arrived with fewer thread entries or a cut text than archived; the archived "
                "threads are kept: %s",
                len(poorer),
                ", ".join(":".join(c.key) for c in poorer[:10]),
            )
            unchanged += poorer
            changed = [c for c in changed if c not in poorer]
            result.poorer_copies = len(poorer)
        result.unchanged = len(unchanged)
        result.new = sum(1 for c in changed if c.key not in stored)
        result.updated = len(changed) - result.new

        if unchanged:
            conn.execute(
                update(ComplaintRow)
                .where(ComplaintRow.id.in_([stored[c.key].id for c in unchanged]))
                .values(last_seen_at=now)
            )
        result.ids = {c.key: stored[c.key].id for c in unchanged}
        if changed:
            ids = self._replace_threads(conn, changed, business_ids, run_id, now)
            result.ids.update(ids)
            if self.near_duplicates:
                result.near_duplicates = link_near_duplicates(
                    conn, [(ids[c.key], c) for c in changed], self.duplicate_threshold, self.repost_threshold
                )
        return result

    def _replace_threads(
        self,
        conn: Connection,
        changed: Sequence[PreparedComplaint],
        business_ids: dict[Key, int],
        run_id: int | None,
        now: datetime,
    ) -> dict[Key, int]:
        stmt = self._insert(ComplaintRow)
        kept_on_update = {"id", "source", "external_id", "first_seen_at", "duplicate_of_id", "duplicate_similarity"}
        stmt = stmt.on_conflict_do_update(
            index_elements=["source", "external_id"],
            set_={
                col.name: stmt.excluded[col.name]
                for col in ComplaintRow.__table__.columns
                if col.name not in kept_on_update
            },
        )
        _execute_rows(conn, stmt, [_complaint_values(c, business_ids[c.business_key], now) for c in changed])
        ids = _ids_by_key(conn, ComplaintRow, [c.key for c in changed])
        changed_ids = [ids[c.key] for c in changed]
        # The thread is replaced whole: positions may shift when a site inserts an entry mid-thread.
        conn.execute(delete(ResponseRow).where(ResponseRow.complaint_id.in_(changed_ids)))
        conn.execute(delete(RedactionRow).where(RedactionRow.complaint_id.in_(changed_ids)))
        responses = [dict(complaint_id=ids[c.key], **entry.row()) for c in changed for entry in c.entries]
        _append(conn, ResponseRow, responses)
        redactions = [dict(complaint_id=ids[c.key], **span) for c in changed for span in c.redaction_rows()]
        _append(conn, RedactionRow, redactions)
        _append(
            conn,
            ComplaintRevisionRow,
            [
                dict(
                    complaint_id=ids[c.key],
                    run_id=run_id,
                    content_hash=c.content_hash,
                    status=c.item.status,
                    entry_count=len(c.entries),
                    observed_at=now,
                )
                for c in changed
            ],
        )
        return ids


def _execute_rows(conn: Connection, stmt: Any, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(stmt, rows)


def _append(conn: Connection, model: type[Base], rows: list[dict[str, Any]]) -> None:
    """Insert new rows (all with the same keys) into `model`'s table: COPY on PostgreSQL."""
    if rows:
        columns = list(rows[0])
        append_rows(conn, table_of(model), columns, [[row[c] for c in columns] for row in rows])


def _richest_per_key(complaints: Sequence[PreparedComplaint]) -> list[PreparedComplaint]:
    """One complaint per natural key within a batch: the one with the longest thread (the later on ties)."""
    best: dict[Key, PreparedComplaint] = {}
    for c in complaints:
        if c.key not in best or len(c.entries) >= len(best[c.key].entries):
            best[c.key] = c
    return list(best.values())


def _business_values(b: Business, now: datetime) -> dict[str, Any]:
    values = {name: getattr(b, name) for name in _BUSINESS_PROFILE_FIELDS}
    return dict(source=b.source.value, external_id=b.external_id, first_seen_at=now, last_seen_at=now, **values)


def _complaint_values(c: PreparedComplaint, business_id: int, now: datetime) -> dict[str, Any]:
    item = c.item
    return dict(
        source=item.source.value,
        external_id=item.external_id,
        business_id=business_id,
        url=item.url,
        title=item.title,
        filed_on=item.filed_on,
        complaint_type=item.complaint_type,
        status=item.status,
        author=item.author,
        author_location=item.author_location,
        address=item.address,
        text=item.text,
        text_normalized=c.text_normalized,
        content_hash=c.content_hash,
        mask_count=c.mask_count,
        entry_count=len(c.entries),
        photos_count=item.photos_count,
        comments_count=item.comments_count,
        helpful_count=item.helpful_count,
        duplicate_of_id=None,
        scraped_at=item.scraped_at,
        first_seen_at=now,
        last_seen_at=now,
        last_changed_at=now,
    )


def _by_source(keys: Iterable[Key]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for source, external_id in keys:
        grouped.setdefault(source, []).append(external_id)
    return grouped


def _lookup(
    conn: Connection, model: type[BusinessRow] | type[ComplaintRow], keys: Iterable[Key], *columns: Any
) -> dict[Key, tuple[Any, ...]]:
    """Stored columns by natural key, one query per source."""
    found: dict[Key, tuple[Any, ...]] = {}
    for source, external_ids in _by_source(keys).items():
        rows = conn.execute(
            select(model.source, model.external_id, *columns).where(
                model.source == source, model.external_id.in_(external_ids)
            )
        )
        found.update({(row[0], row[1]): tuple(row[2:]) for row in rows})
    return found


def _ids_by_key(conn: Connection, model: type[BusinessRow] | type[ComplaintRow], keys: Iterable[Key]) -> dict[Key, int]:
    return {key: values[0] for key, values in _lookup(conn, model, keys, model.id).items()}


@dataclass(frozen=True)
class _Stored:
    id: int
    content_hash: str
    entry_count: int
    text_length: int


def _stored_by_key(conn: Connection, keys: Iterable[Key]) -> dict[Key, _Stored]:
    found = _lookup(
        conn,
        ComplaintRow,
        keys,
        ComplaintRow.id,
        ComplaintRow.content_hash,
        ComplaintRow.entry_count,
        func.length(ComplaintRow.text),
    )
    return {key: _Stored(*values) for key, values in found.items()}


def _is_poorer(new: PreparedComplaint, stored: _Stored) -> bool:
    """A copy that lost thread entries, or whose text is shorter and ends cut ("…", "..."), is poorer than the
    archived thread. A real edit keeps its entries and its text whole."""
    if len(new.entries) < stored.entry_count:
        return True
    text = new.item.text.rstrip()
    return len(text) < stored.text_length and text.endswith(("...", "…"))
