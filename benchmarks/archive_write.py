"""Archive write throughput: batched upserts vs one commit per complaint, on SQLite and PostgreSQL.

    python benchmarks/archive_write.py [--complaints 20000] [--batch 500] [--pg URL]

"batched" is the crawl's real write path, near-duplicate indexing included (16 LSH bucket rows and a
bucket lookup per complaint); "no near-dup" is the relational write alone (NEAR_DUPLICATES_ENABLED off).
Each measurement runs in its own process so its peak memory (max RSS) is its own. Complaints are
synthetic, with 2 responses each, prepared (normalized, hashed) before the clock starts: this measures
the archive, not the text work.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

DEFAULT_PG = os.environ.get("COMPLAINTS_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def measure(url: str, mode: str, count: int, batch: int, near_duplicates: bool = True) -> dict:
    from factories import business, complaint

    from complaints_crawler.archive import database
    from complaints_crawler.archive.prepare import prepare
    from complaints_crawler.archive.store import ArchiveStore

    if url.startswith("postgresql"):
        import psycopg

        # A schema of its own, dropped at exit: the benchmark never touches the database's other tables.
        schema = f"benchmark_{os.getpid()}"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        atexit.register(_drop_schema, url, schema)
        url = f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
        database.upgrade(url)
    store = ArchiveStore.open(url, near_duplicates=near_duplicates)
    items = [prepare(complaint(n, business_n=n % 50)) for n in range(count)]
    profiles = [business(n) for n in range(50)]
    size = batch if mode == "batched" else 1
    run = store.open_run("benchmark", {"mode": mode})
    started = time.perf_counter()
    for start in range(0, count, size):
        store.write(profiles if start == 0 else [], items[start : start + size], run)
    elapsed = time.perf_counter() - started
    store.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"complaints": count, "seconds": elapsed, "per_second": count / elapsed, "peak_mb": peak_mb}


def _drop_schema(url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--complaints", type=int, default=20_000)
    parser.add_argument("--single", type=int, default=2_000, help="complaints for the one-commit-per-item runs")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--pg", default=DEFAULT_PG, help="PostgreSQL URL ('' to skip)")
    parser.add_argument("--one", nargs=4, metavar=("URL", "MODE", "COUNT", "NEAR_DUPLICATES"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        url, mode, count, near = args.one
        print(json.dumps(measure(url, mode, int(count), args.batch, near == "on")))
        return

    with tempfile.TemporaryDirectory() as folder:
        backends = {"sqlite": f"sqlite:///{folder}/bench.db"}
        if args.pg:
            backends["postgresql"] = args.pg
        print(f"{'back-end':<11} {'mode':<22} {'complaints':>10} {'seconds':>8} {'complaints/s':>13} {'peak MB':>8}")
        for name, url in backends.items():
            rates = {}
            for mode, count, near in (
                ("batched", args.complaints, "on"),
                ("batched, no near-dup", args.complaints, "off"),
                ("one commit per item", args.single, "on"),
            ):
                if name == "sqlite":
                    Path(f"{folder}/bench.db").unlink(missing_ok=True)
                out = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--batch",
                        str(args.batch),
                        "--one",
                        url,
                        "single" if mode == "one commit per item" else "batched",
                        str(count),
                        near,
                    ],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                r = json.loads(out.stdout.strip().splitlines()[-1])
                rates[mode] = r["per_second"]
                print(
                    f"{name:<11} {mode:<22} {r['complaints']:>10} {r['seconds']:>8.2f} {r['per_second']:>13,.0f} "
                    f"{r['peak_mb']:>8.0f}"
                )
            print(f"{name:<11} batched / one-per-item: {rates['batched'] / rates['one commit per item']:.1f}x")


if __name__ == "__main__":
    main()
