"""Synthetic items for archive tests and benchmarks (deterministic for a given index)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from complaints_crawler.items import Business, BusinessRef, Complaint, Response, ResponseKind, Source, Verdict
from complaints_crawler.synthetic import COMPLAINT_WORDS as WORDS

# Made-up words on top, so synthetic complaints differ like real ones do (they must not all be near-duplicates).
VOCABULARY = WORDS + [
    a + b + c
    for a in ("ka", "lo", "mi", "su", "te", "ra")
    for b in ("n", "r", "v", "d", "p")
    for c in ("el", "an", "or", "is", "um", "et")
]


def business(n: int = 0, source: Source = Source.BBB) -> Business:
    return Business(
        source=source,
        external_id=f"b{n}",
        name=f"Business {n}",
        url=f"https://example.test/b{n}",
        category="Testing",
        accredited=bool(n % 2),
        complaints_total=100 + n,
    )


def complaint(
    n: int, *, business_n: int = 0, responses: int = 2, status: str = "Answered", source: Source = Source.BBB
) -> Complaint:
    words = random.Random(n).choices(VOCABULARY, k=60)
    text = f"Complaint {n}: " + " ".join(words) + f". My account number is ****** and order {n:08d}."
    thread = [
        Response(
            position=i + 1,
            kind=ResponseKind.BUSINESS_RESPONSE if i % 2 == 0 else ResponseKind.CUSTOMER_ANSWER,
            posted_on=date(2024, 1, 1) + timedelta(days=n % 300 + i),
            text=f"Entry {i + 1} of complaint {n}: " + " ".join(reversed(words[:30])),
            verdict=None if i % 2 == 0 else Verdict.REJECTED,
        )
        for i in range(responses)
    ]
    return Complaint(
        source=source,
        external_id=str(10_000_000 + n),
        business=BusinessRef(source=source, external_id=f"b{business_n}", name=f"Business {business_n}"),
        filed_on=date(2024, 1, 1) + timedelta(days=n % 300),
        complaint_type="Billing Issues",
        status=status,
        text=text,
        responses=thread,
    )
