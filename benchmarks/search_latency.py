"""Search latency (median, 95th percentile) and full-text index size as the archive grows.

    python benchmarks/search_latency.py [--sqlite 10000,100000,1000000] [--postgresql 100000] [--runs 15]

For each size a synthetic archive (benchmarks/synthetic_archive.py) is built in a temporary SQLite file or
PostgreSQL schema, then `complaints_crawler.reading.search.search()` answers a fixed mix of queries (limit
20, snippets included) `--runs` times each after one warm-up. The mix: words of Zipf rank 50 (matches about a
seventh of all texts), 500 (about 1 %) and 5,000 (about 0.1 %), two words together, a phrase, a prefix, and a
rank-500 word filtered to one business. Prints a JSON line per size and query, then one per size with the
figures over the whole mix. Target: median at most 50 ms at 1M complaints on SQLite.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks"), str(ROOT / "tests")]


def queries() -> dict[str, tuple[str, str | None]]:
    from synthetic_archive import vocabulary

    words = vocabulary()
    return {
        "rank 50": (words[49], None),
        "rank 500": (words[499], None),
        "rank 5000": (words[4999], None),
        "two words (50, 500)": (f"{words[49]} {words[499]}", None),
        "phrase (1, 2)": (f'"{words[0]} {words[1]}"', None),
        "prefix (rank 300)": (words[299][:4] + "*", None),
        "rank 500, one business": (words[499], "Synthetic Business 3"),
    }


def measure(url: str, runs: int) -> tuple[list[dict], list[float]]:
    from complaints_crawler.reading.archive import open_for_reading
    from complaints_crawler.reading.filters import Filters
    from complaints_crawler.reading.search import search

    engine = open_for_reading(url)
    rows, everything = [], []
    for kind, (query, business) in queries().items():
        filters = Filters(business=business)
        hits = len(search(engine, query, filters, limit=20))  # warm-up
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            search(engine, query, filters, limit=20)
            times.append((time.perf_counter() - started) * 1000)
        everything += times
        rows.append(
            {
                "query": kind,
                "hits_shown": hits,
                "median_ms": round(statistics.median(times), 1),
                "p95_ms": round(percentile(times, 95), 1),
            }
        )
    engine.dispose()
    return rows, everything


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def index_size(url: str) -> dict[str, float]:
    from sqlalchemy import text

    from complaints_crawler.archive.database import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            index = conn.execute(
                text("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'complaints_fts%' OR name LIKE 'responses_fts%'")
            ).scalar_one()
            total = conn.execute(
                text("SELECT page_count * page_size FROM pragma_page_count, pragma_page_size")
            ).scalar_one()
        else:
            index = conn.execute(
                text(
                    "SELECT pg_relation_size('ix_complaints_search_vector')"
                    " + pg_relation_size('ix_responses_search_vector')"
                    " + (SELECT coalesce(sum(pg_column_size(search_vector)), 0) FROM complaints)"
                    " + (SELECT coalesce(sum(pg_column_size(search_vector)), 0) FROM responses)"
                )
            ).scalar_one()
            total = conn.execute(
                text(
                    "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n "
                    "ON n.oid = c.relnamespace WHERE n.nspname = current_schema() "
                    "AND c.relkind = 'r'"
                )
            ).scalar_one()
    engine.dispose()
    return {"index_mb": round(float(index) / 2**20, 1), "archive_mb": round(float(total) / 2**20, 1)}


def run_size(backend: str, url: str, size: int, runs: int) -> None:
    from synthetic_archive import fill

    from complaints_crawler.archive import database

    database.upgrade(url)
    started = time.perf_counter()
    fill(url, size)
    filled = time.perf_counter() - started
    rows, everything = measure(url, runs)
    for row in rows:
        print(json.dumps({"backend": backend, "complaints": size, **row}), flush=True)
    print(
        json.dumps(
            {
                "backend": backend,
                "complaints": size,
                "query": "ALL",
                "median_ms": round(statistics.median(everything), 1),
                "p95_ms": round(percentile(everything, 95), 1),
                **index_size(url),
                "fill_s": round(filled, 1),
            }
        ),
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", default="10000,100000,1000000")
    parser.add_argument("--postgresql", default="100000", help="sizes on PostgreSQL ('' for none)")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    for size in [int(s) for s in args.sqlite.split(",") if s]:
        with tempfile.TemporaryDirectory(prefix="search-bench-") as folder:
            run_size("sqlite", f"sqlite:///{Path(folder) / 'archive.db'}", size, args.runs)
    for size in [int(s) for s in args.postgresql.split(",") if s]:
        import psycopg

        schema = f"bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(args.pg_url, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        try:
            run_size("postgresql", f"{args.pg_url}?options=-csearch_path%3D{schema}", size, args.runs)
        finally:
            with psycopg.connect(args.pg_url, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":
    main()
