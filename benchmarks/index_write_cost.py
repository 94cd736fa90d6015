"""What the full-text index (revision 0005) costs the write path: batched archive writes with and without it.

    python benchmarks/index_write_cost.py [--complaints 10000] [--rounds 2] [--pg URL]

Synthetic complaints (tests/factories.py: 60 words, two thread entries) are prepared first, then written
500 a batch through ArchiveStore (near-duplicate indexing off: the relational write alone) into a new
archive at the head revision, once as it is and once with the index removed (SQLite: its six triggers;
PostgreSQL: the generated search_vector columns), alternating, `--rounds` times each. Prints complaints per
second for each run.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def drop_index(url: str) -> None:
    from complaints_crawler.archive import database
    from complaints_crawler.reading.index import SQLITE_TRIGGERS

    engine = database.make_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            for trigger in sorted(SQLITE_TRIGGERS):
                conn.exec_driver_sql(f"DROP TRIGGER {trigger}")
        else:
            conn.exec_driver_sql("ALTER TABLE complaints DROP COLUMN search_vector")
            conn.exec_driver_sql("ALTER TABLE responses DROP COLUMN search_vector")
    engine.dispose()


def write_rate(url: str, items: list, indexed: bool) -> float:
    from complaints_crawler.archive import database
    from complaints_crawler.archive.store import ArchiveStore

    database.upgrade(url)
    if not indexed:
        drop_index(url)
    store = ArchiveStore.open(url, near_duplicates=False)
    started = time.perf_counter()
    for start in range(0, len(items), 500):
        store.write([], items[start : start + 500], None)
    elapsed = time.perf_counter() - started
    store.close()
    return len(items) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test", help="'' to skip PostgreSQL")
    args = parser.parse_args()
    from factories import complaint

    from complaints_crawler.archive.prepare import prepare

    items = [prepare(complaint(n)) for n in range(args.complaints)]
    for backend in ("sqlite", "postgresql") if args.pg else ("sqlite",):
        for _ in range(args.rounds):
            for indexed in (False, True):
                if backend == "sqlite":
                    with tempfile.TemporaryDirectory(prefix="index-cost-") as folder:
                        rate = write_rate(f"sqlite:///{Path(folder) / 'archive.db'}", items, indexed)
                else:
                    import psycopg

                    schema = f"bench_{uuid.uuid4().hex[:10]}"
                    with psycopg.connect(args.pg, autocommit=True) as conn:
                        conn.execute(f"CREATE SCHEMA {schema}")
                    try:
                        rate = write_rate(f"{args.pg}?options=-csearch_path%3D{schema}", items, indexed)
                    finally:
                        with psycopg.connect(args.pg, autocommit=True) as conn:
                            conn.execute(f"DROP SCHEMA {schema} CASCADE")
                print(
                    json.dumps({"backend": backend, "full_text_index": indexed, "complaints_per_s": round(rate)}),
                    flush=True,
                )


if __name__ == "__main__":
    main()
