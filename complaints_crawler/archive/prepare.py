"""Turn a validated Complaint into the rows the archive stores: normalized texts, mask spans, content hash.

The masks pipeline prepares each complaint once and attaches the result to the item; the archive reuses
it (and prepares any complaint that arrives without it, e.g. from `complaints import`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from complaints_crawler.items import Complaint
from complaints_crawler.text.fingerprint import hash_thread, lsh_buckets, minhash, normalized_thread_text
from complaints_crawler.text.masks import MaskSpan, normalize


@dataclass(frozen=True)
class PreparedEntry:
    position: int
    kind: str
    author: str | None
    posted_on: date | None
    text: str
    text_normalized: str
    verdict: str | None
    spans: tuple[MaskSpan, ...]

    def row(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "kind": self.kind,
            "author": self.author,
            "posted_on": self.posted_on,
            "text": self.text,
            "text_normalized": self.text_normalized,
            "verdict": self.verdict,
        }


@dataclass(frozen=True)
class PreparedComplaint:
    item: Complaint
    text_normalized: str
    spans: tuple[MaskSpan, ...]
    mask_count: int
    entries: tuple[PreparedEntry, ...]
    content_hash: str
    lsh_buckets: tuple[int, ...]  # MinHash LSH bucket of text_normalized in each band, for near-duplicates

    @property
    def key(self) -> tuple[str, str]:
        return self.item.key

    @property
    def business_key(self) -> tuple[str, str]:
        return (self.item.business.source.value, self.item.business.external_id)

    def redaction_rows(self) -> list[dict[str, Any]]:
        rows = [_span_row(None, span) for span in self.spans]
        rows += [_span_row(entry.position, span) for entry in self.entries for span in entry.spans]
        return rows


def _span_row(position: int | None, span: MaskSpan) -> dict[str, Any]:
    return {
        "response_position": position,
        "field": "text",
        "start": span.start,
        "end": span.end,
        "original": span.token,
        "kind": span.kind,
    }


def prepare(complaint: Complaint, *, mask_pii: bool = True) -> PreparedComplaint:
    body = normalize(complaint.text, mask_pii=mask_pii)
    mask_count = body.mask_count
    entries = []
    for response in complaint.responses:
        norm = normalize(response.text, mask_pii=mask_pii)
        mask_count += norm.mask_count
        entries.append(
            PreparedEntry(
                position=response.position,
                kind=response.kind.value,
                author=response.author,
                posted_on=response.posted_on,
                text=response.text,
                text_normalized=norm.text_normalized,
                verdict=response.verdict.value if response.verdict else None,
                spans=tuple(norm.spans),
            )
        )
    return PreparedComplaint(
        item=complaint,
        text_normalized=body.text_normalized,
        spans=tuple(body.spans),
        mask_count=mask_count,  # the whole thread's
        entries=tuple(entries),
        content_hash=_thread_hash(
            complaint.status,
            body.text_normalized,
            ((e.kind, e.posted_on, e.verdict, e.text_normalized) for e in entries),
        ),
        lsh_buckets=tuple(lsh_buckets(minhash(body.text_normalized))),
    )


def content_hash(complaint: Complaint, *, mask_pii: bool = True) -> str:
    """The content hash `prepare()` gives `complaint`, without its masks' spans, shingles or MinHash: what a
    listing compares with the archive's to tell an unchanged thread."""
    entries = (
        (r.kind.value, r.posted_on, r.verdict.value if r.verdict else None, normalize(r.text, mask_pii=mask_pii))
        for r in complaint.responses
    )
    return _thread_hash(
        complaint.status,
        normalize(complaint.text, mask_pii=mask_pii).text_normalized,
        ((kind, posted_on, verdict, norm.text_normalized) for kind, posted_on, verdict, norm in entries),
    )


def _thread_hash(
    status: str | None, text_normalized: str, entries: Iterable[tuple[str, date | None, str | None, str]]
) -> str:
    return hash_thread(normalized_thread_text(status, text_normalized, entries))
