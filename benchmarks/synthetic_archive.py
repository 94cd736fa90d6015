"""A synthetic archive of N complaints (two thread entries each) for the reading benchmarks.

Texts are drawn from a 30,000-word made-up vocabulary with Zipf-distributed frequencies (s = 1.07, like
English), so a query word of a given rank matches a predictable share of documents: rank 50 about a
seventh of all texts, rank 500 about 1 %, rank 5,000 about 0.1 %. Rows go in with plain INSERTs in big
transactions, so the full-text index is filled by its triggers (SQLite) or generated columns (PostgreSQL),
as in a crawl. 10 businesses, complaints filed over three years.
"""

from __future__ import annotations

import itertools
import random
from datetime import date, datetime, timedelta, timezone

import numpy as np

VOCABULARY_SIZE = 30_000
ZIPF_S = 1.07
COMPLAINT_WORDS = 80
ENTRY_WORDS = 40
BUSINESSES = 10


def vocabulary() -> list[str]:
    """Pronounceable made-up words, the same every run (no English word, so no stemming surprises)."""
    onsets = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "kr", "st", "tr"]
    vowels = ["a", "e", "i", "o", "u", "ai", "ou"]
    codas = ["", "n", "r", "s", "l", "x"]
    syllables = [o + v + c for o, v, c in itertools.product(onsets, vowels, codas)]
    rng = random.Random(7)
    words: list[str] = []
    seen: set[str] = set()
    while len(words) < VOCABULARY_SIZE:
        word = "".join(rng.choices(syllables, k=rng.randint(2, 3)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def weights() -> np.ndarray:
    ranks = np.arange(1, VOCABULARY_SIZE + 1, dtype=np.float64)
    p = ranks**-ZIPF_S
    return p / p.sum()


def fill(url: str, count: int, chunk: int = 20_000) -> None:
    """Add `count` complaints (ids 1..count) with two thread entries each to the archive at `url` (migrated)."""
    from sqlalchemy import insert

    from complaints_crawler.archive.database import make_engine
    from complaints_crawler.archive.models import BusinessRow, ComplaintRow, ResponseRow

    words = np.array(vocabulary())
    p = weights()
    rng = np.random.default_rng(42)
    now = datetime.now(timezone.utc)  # noqa: UP017
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            insert(BusinessRow),
            [
                {
                    "id": b,
                    "source": "bbb",
                    "external_id": f"synthetic-{b}",
                    "name": f"Synthetic Business {b}",
                    "first_seen_at": now,
                    "last_seen_at": now,
                }
                for b in range(1, BUSINESSES + 1)
            ],
        )
    for start in range(0, count, chunk):
        ids = range(start + 1, min(start + chunk, count) + 1)
        bodies = words[rng.choice(VOCABULARY_SIZE, size=(len(ids), COMPLAINT_WORDS), p=p)]
        entries = words[rng.choice(VOCABULARY_SIZE, size=(len(ids) * 2, ENTRY_WORDS), p=p)]
        complaints, responses = [], []
        for n, i in enumerate(ids):
            text = " ".join(bodies[n])
            complaints.append(
                {
                    "id": i,
                    "source": "bbb",
                    "external_id": f"s{i}",
                    "business_id": i % BUSINESSES + 1,
                    "title": None,
                    "filed_on": date(2023, 1, 1) + timedelta(days=i % 1095),
                    "complaint_type": "Billing Issues",
                    "status": "Answered",
                    "text": text,
                    "text_normalized": text,
                    "content_hash": f"{i:064x}",
                    "mask_count": 0,
                    "entry_count": 2,
                    "photos_count": 0,
                    "comments_count": 0,
                    "helpful_count": 0,
                    "first_seen_at": now,
                    "last_seen_at": now,
                    "last_changed_at": now,
                }
            )
            for position in (1, 2):
                entry = " ".join(entries[2 * n + position - 1])
                responses.append(
                    {
                        "complaint_id": i,
                        "position": position,
                        "kind": "business_response" if position == 1 else "customer_answer",
                        "posted_on": date(2023, 1, 1) + timedelta(days=i % 1095 + position),
                        "text": entry,
                        "text_normalized": entry,
                    }
                )
        with engine.begin() as conn:
            conn.execute(insert(ComplaintRow), complaints)
            conn.execute(insert(ResponseRow), responses)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE businesses, complaints, responses")
    engine.dispose()


if __name__ == "__main__":
    # python benchmarks/synthetic_archive.py URL COUNT: a new archive at URL with COUNT synthetic complaints.
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from complaints_crawler.archive import database

    database.upgrade(sys.argv[1])
    fill(sys.argv[1], int(sys.argv[2]))
