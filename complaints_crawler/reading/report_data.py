"""What `complaints report` shows of one business: its key figures and the series behind its charts.

Rows are read with portable SQL (both back-ends) and counted here, so a figure means the same everywhere.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Engine, func, select

from complaints_crawler.archive.database import reading
from complaints_crawler.archive.models import BusinessRow, ComplaintRow, ResponseRow
from complaints_crawler.reading.filters import resolve_business

RESOLVED = "Resolved"


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: Any  # int, float (a share, or days), date, or None (nothing to count)


@dataclass
class ReportData:
    business_id: int
    source: str
    name: str
    url: str | None
    figures: list[Figure] = field(default_factory=list)
    # Chart series: lists of flat records, as the charts read them.
    by_type: list[dict[str, Any]] = field(default_factory=list)
    by_status: list[dict[str, Any]] = field(default_factory=list)
    response_days: list[dict[str, Any]] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)
    masks_and_duplicates: list[dict[str, Any]] = field(default_factory=list)

    def figure(self, key: str) -> Any:
        return next(f.value for f in self.figures if f.key == key)


def report_data(engine: Engine, business: str, source: str | None = None) -> ReportData:
    with reading(engine) as conn:
        found = resolve_business(conn, business, source)
        url = conn.execute(select(BusinessRow.url).where(BusinessRow.id == found.id)).scalar_one()
        complaints = conn.execute(
            select(
                ComplaintRow.id,
                ComplaintRow.filed_on,
                ComplaintRow.complaint_type,
                ComplaintRow.status,
                ComplaintRow.mask_count,
                ComplaintRow.duplicate_of_id,
            )
            .where(ComplaintRow.business_id == found.id)
            .order_by(ComplaintRow.id)
        ).all()
        thread = (
            select(ResponseRow)
            .join(ComplaintRow, ComplaintRow.id == ResponseRow.complaint_id)
            .where(ComplaintRow.business_id == found.id)
            .subquery()
        )
        first_response = dict(
            conn.execute(
                select(thread.c.complaint_id, func.min(thread.c.posted_on))
                .where(thread.c.kind == "business_response")
                .group_by(thread.c.complaint_id)
            ).all()
        )
        answers = conn.execute(
            select(thread.c.posted_on, thread.c.verdict).where(thread.c.kind == "customer_answer")
        ).all()
    data = ReportData(found.id, found.source, found.name, url)

    filed = [c.filed_on for c in complaints if c.filed_on]
    days = [
        (first_response[c.id] - c.filed_on).days
        for c in complaints
        if c.id in first_response and first_response[c.id] and c.filed_on
    ]
    rejected = sum(1 for a in answers if a.verdict == "rejected")
    resolved = sum(1 for c in complaints if c.status == RESOLVED)
    data.figures = [
        Figure("complaints", "complaints", len(complaints)),
        Figure("first_filed", "first filed", min(filed, default=None)),
        Figure("last_filed", "last filed", max(filed, default=None)),
        Figure("resolved", "resolved", resolved),
        Figure("resolved_share", "share resolved", _share(resolved, len(complaints))),
        Figure("answered", "with a business response", len(first_response)),
        Figure(
            "median_days_to_response",
            "days to the first business response, median",
            statistics.median(days) if days else None,
        ),
        Figure(
            "mean_days_to_response",
            "days to the first business response, mean",
            round(statistics.fmean(days), 1) if days else None,
        ),
        Figure("customer_answers", "customer answers", len(answers)),
        Figure("rejected_answers", "customer answers that reject the response", rejected),
        Figure("rejected_share", "share of customer answers that reject the response", _share(rejected, len(answers))),
        Figure("masks", "privacy masks in the threads", sum(c.mask_count for c in complaints)),
        Figure("masked_complaints", "complaints with masks", sum(1 for c in complaints if c.mask_count)),
        Figure(
            "near_duplicates",
            "near-duplicates of earlier complaints",
            sum(1 for c in complaints if c.duplicate_of_id is not None),
        ),
    ]

    dated = [c for c in complaints if c.filed_on]
    data.by_type = _counts(
        ((_month(c.filed_on), c.complaint_type or "(no type)") for c in dated), ("month", "type", "complaints")
    )
    data.by_status = _counts(
        ((_month(c.filed_on), c.status or "(no status)") for c in dated), ("month", "status", "complaints")
    )
    data.response_days = [{"days": d} for d in days]
    verdicts = {"rejected": "rejects", "accepted": "accepts", None: "neither"}
    data.answers = _counts(
        ((_month(a.posted_on), verdicts.get(a.verdict, "neither")) for a in answers if a.posted_on),
        ("month", "answer", "answers"),
    )
    masks: Counter[str] = Counter()
    duplicates: Counter[str] = Counter()
    for c in dated:
        masks[_month(c.filed_on)] += c.mask_count
        duplicates[_month(c.filed_on)] += c.duplicate_of_id is not None
    data.masks_and_duplicates = [
        {"month": m, "measure": measure, "count": counter[m]}
        for m in sorted(masks)
        for measure, counter in (("privacy masks", masks), ("near-duplicates", duplicates))
    ]
    return data


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _month(day: date) -> str:
    return day.strftime("%Y-%m")


def _counts(pairs: Any, names: tuple[str, str, str]) -> list[dict[str, Any]]:
    counted = Counter(pairs)
    return [{names[0]: month, names[1]: kind, names[2]: n} for (month, kind), n in sorted(counted.items())]
