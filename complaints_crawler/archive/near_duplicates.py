"""Same content under different ids: cross-posts between sites, copies, and an author's own re-posts.

Candidates come from the archive, never from memory, so detection works across runs, processes and
machines:
- MinHash LSH band buckets (`lsh_buckets`, indexed): pairs sharing a bucket are confirmed by the exact
  Jaccard similarity of their word 5-shingles (>= `threshold`, default 0.8);
- re-posts: the same author about the same business within a month, confirmed by the Jaccard similarity
  of their word sets (>= `repost_threshold`): an author re-typing a complaint rewords it too much for
  5-shingles (seed 003's two soni_pks posts share 0.32 of their 5-shingles but 0.66 of their words).
Every member of a group points (`duplicate_of_id`) at its earliest complaint (filed first, then archived
first), with its similarity to the complaint that linked it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ARRAY, BigInteger, Connection, any_, bindparam, delete, select, update

from complaints_crawler import settings
from complaints_crawler.archive.bulk import append_rows
from complaints_crawler.archive.models import ComplaintRow, LshBucketRow, table_of
from complaints_crawler.archive.prepare import PreparedComplaint
from complaints_crawler.text.fingerprint import jaccard, shingles

REPOST_WINDOW_DAYS = 31
_CHUNK = 5_000  # keys per IN (...) list on SQLite (its limit is 32,766 parameters)


@dataclass
class _Stored:
    id: int
    business_id: int
    author: str | None
    filed_on: date | None
    text_normalized: str
    duplicate_of_id: int | None

    @property
    def age_key(self) -> tuple[date, int]:
        return (self.filed_on or date.max, self.id)


def link_near_duplicates(
    conn: Connection,
    changed: Sequence[tuple[int, PreparedComplaint]],
    threshold: float = settings.NEAR_DUPLICATE_THRESHOLD,
    repost_threshold: float = settings.REPOST_THRESHOLD,
) -> int:
    """Store the buckets of new or changed complaints and link them to their near-duplicates.

    Returns how many complaints this batch linked (newly pointed at an earlier complaint).
    """
    ids = [complaint_id for complaint_id, _ in changed]
    conn.execute(delete(LshBucketRow).where(LshBucketRow.complaint_id.in_(ids)))
    lsh_candidates = _bucket_mates(conn, changed)  # before storing the batch's own buckets: fewer rows back
    _store_buckets(conn, changed)
    stored = _load(conn, [ComplaintRow.id.in_(ids)])
    repost_candidates = _same_author_mates(conn, [stored[i] for i in ids])
    everyone = set(stored) | {i for mates in (*lsh_candidates.values(), *repost_candidates.values()) for i in mates}
    stored.update(_load(conn, [ComplaintRow.id.in_(sorted(everyone - set(stored)))]) if everyone - set(stored) else {})

    cut: dict[tuple[int, int], set[str]] = {}  # a candidate of several batch complaints is cut once

    def shingles_of(complaint: _Stored, k: int) -> set[str]:
        if (complaint.id, k) not in cut:
            cut[complaint.id, k] = shingles(complaint.text_normalized, k)
        return cut[complaint.id, k]

    linked = 0
    for complaint_id in ids:
        me = stored[complaint_id]
        mates = (stored[i] for i in lsh_candidates.get(complaint_id, ()))
        matches = _confirm(me, mates, threshold, 5, shingles_of)
        reposts = (stored[i] for i in repost_candidates.get(complaint_id, ()))
        matches.update(_confirm(me, reposts, repost_threshold, 1, shingles_of))
        if not matches:
            continue
        earliest = min([me, *(stored[i] for i in matches)], key=lambda s: s.age_key)
        root = _root(conn, earliest)
        for member_id, similarity in [(complaint_id, matches.get(earliest.id)), *matches.items()]:
            member = stored[member_id]
            if member.id == root or member.duplicate_of_id == root:
                continue
            conn.execute(
                update(ComplaintRow)
                .where(ComplaintRow.id == member.id)
                .values(
                    duplicate_of_id=root,
                    duplicate_similarity=similarity if similarity is not None else max(matches.values()),
                )
            )
            # A member that headed a group of its own brings the group along: chains never form.
            conn.execute(
                update(ComplaintRow).where(ComplaintRow.duplicate_of_id == member.id).values(duplicate_of_id=root)
            )
            for other in stored.values():
                if other.duplicate_of_id == member.id:
                    other.duplicate_of_id = root
            member.duplicate_of_id = root
            linked += 1
    return linked


def _store_buckets(conn: Connection, changed: Sequence[tuple[int, PreparedComplaint]]) -> None:
    rows = [(i, band, bucket) for i, c in changed for band, bucket in enumerate(c.lsh_buckets)]
    append_rows(conn, table_of(LshBucketRow), ("complaint_id", "band", "bucket"), rows)


def _bucket_mates(conn: Connection, changed: Sequence[tuple[int, PreparedComplaint]]) -> dict[int, set[int]]:
    """For each changed complaint, the other complaints sharing one of its (band, bucket) keys: archived
    ones from the table, and the batch's own from memory."""
    holders: dict[tuple[int, int], set[int]] = {}
    numbered = {i: list(enumerate(c.lsh_buckets)) for i, c in changed}
    for i, keys_of_one in numbered.items():
        for key in keys_of_one:
            holders.setdefault(key, set()).add(i)
    keys = set(holders)
    buckets = sorted({bucket for _, bucket in keys})
    query = select(LshBucketRow.band, LshBucketRow.bucket, LshBucketRow.complaint_id)
    if conn.dialect.name == "postgresql":
        # One array parameter instead of thousands of IN parameters.
        lookups = [query.where(LshBucketRow.bucket == any_(bindparam("buckets", buckets, type_=ARRAY(BigInteger))))]
    else:
        lookups = [
            query.where(LshBucketRow.bucket.in_(buckets[i : i + _CHUNK])) for i in range(0, len(buckets), _CHUNK)
        ]
    for lookup in lookups:
        for band, bucket, complaint_id in conn.execute(lookup):
            if (band, bucket) in keys:
                holders.setdefault((band, bucket), set()).add(complaint_id)
    return {
        i: mates
        for i, keys_of_one in numbered.items()
        if (mates := set().union(*(holders.get(key, set()) for key in keys_of_one)) - {i})
    }


def _same_author_mates(conn: Connection, complaints: Sequence[_Stored]) -> dict[int, set[int]]:
    # A complaint without a date is close in time to none: it has no re-post mates.
    authored = [c for c in complaints if c.author and c.filed_on]
    if not authored:
        return {}
    window = timedelta(days=REPOST_WINDOW_DAYS)
    first, last = min(c.filed_on for c in authored if c.filed_on), max(c.filed_on for c in authored if c.filed_on)
    others = _load(
        conn,
        [
            ComplaintRow.business_id.in_(sorted({c.business_id for c in authored})),
            ComplaintRow.author.in_(sorted({c.author for c in authored if c.author})),
            # Only the batch's time span, a window either side: an author's older posts stay in the archive.
            ComplaintRow.filed_on.between(first - window, last + window),
        ],
    )
    # Grouped by (business, author): each complaint is compared with its own author's posts only.
    by_author: dict[tuple[int, str | None], list[_Stored]] = {}
    for o in others.values():
        by_author.setdefault((o.business_id, o.author), []).append(o)
    mates: dict[int, set[int]] = {}
    for c in authored:
        for o in by_author.get((c.business_id, c.author), ()):
            if o.id != c.id and _close_in_time(c, o):
                mates.setdefault(c.id, set()).add(o.id)
    return mates


def _close_in_time(a: _Stored, b: _Stored) -> bool:
    return (
        a.filed_on is not None and b.filed_on is not None and abs((a.filed_on - b.filed_on).days) <= REPOST_WINDOW_DAYS
    )


def _confirm(
    me: _Stored,
    candidates: Iterable[_Stored],
    threshold: float,
    k: int,
    shingles_of: Callable[[_Stored, int], set[str]],
) -> dict[int, float]:
    found = {}
    for other in candidates:  # most complaints have no candidate: their shingles are never cut
        similarity = jaccard(shingles_of(me, k), shingles_of(other, k))
        if similarity >= threshold:
            found[other.id] = round(similarity, 4)
    return found


def _root(conn: Connection, complaint: _Stored) -> int:
    """The complaint at the head of a duplicate chain (chains stay short: members point at the root)."""
    root, seen = complaint.id, {complaint.id}
    parent = complaint.duplicate_of_id
    while parent is not None and parent not in seen:
        root = parent
        seen.add(parent)
        parent = conn.execute(
            select(ComplaintRow.duplicate_of_id).where(ComplaintRow.id == parent)
        ).scalar_one_or_none()
    return root


def _load(conn: Connection, where: list[Any]) -> dict[int, _Stored]:
    columns = (
        ComplaintRow.id,
        ComplaintRow.business_id,
        ComplaintRow.author,
        ComplaintRow.filed_on,
        ComplaintRow.text_normalized,
        ComplaintRow.duplicate_of_id,
    )
    return {row.id: _Stored(*row) for row in conn.execute(select(*columns).where(*where))}
