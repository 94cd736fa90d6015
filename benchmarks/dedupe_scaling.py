"""Per-complaint cost of masks + fingerprint + LSH lookup/insert as the archive grows (SQLite).

    python benchmarks/dedupe_scaling.py [--sizes 10000,100000,1000000] [--probe 2000]

For each size the archive is first filled (in a separate process, straight SQL: complaint rows and 16
random LSH buckets each), then a fresh process prepares and writes `--probe` new complaints with 2
responses each and reports, per complaint: the text work (masks, normalization, content hash, MinHash,
band buckets), the near-duplicate step (store buckets, look up candidates, confirm), the whole batched write,
and the process's peak memory. Target: the cost at 1M at most 2x the cost at 10k, memory flat.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def fill(url: str, start: int, stop: int) -> None:
    """Add complaints start..stop-1 (rows only, no threads) with random buckets, in big transactions."""
    from sqlalchemy import insert

    from complaints_crawler.archive.database import open_archive
    from complaints_crawler.archive.models import BusinessRow, ComplaintRow, LshBucketRow

    engine = open_archive(url)
    now = datetime.now(UTC)
    rng = random.Random(start)
    with engine.begin() as conn:
        if start == 0:
            conn.execute(
                insert(BusinessRow).values(
                    source="bbb", external_id="filler", name="Filler", first_seen_at=now, last_seen_at=now
                )
            )
    step = 20_000
    for begin in range(start, stop, step):
        ids = range(begin + 1, min(begin + step, stop) + 1)
        with engine.begin() as conn:
            conn.execute(
                insert(ComplaintRow),
                [
                    dict(
                        id=i,
                        source="bbb",
                        external_id=f"filler-{i}",
                        business_id=1,
                        text="x",
                        text_normalized="x",
                        content_hash=f"{i:064x}",
                        mask_count=0,
                        entry_count=0,
                        photos_count=0,
                        comments_count=0,
                        helpful_count=0,
                        first_seen_at=now,
                        last_seen_at=now,
                        last_changed_at=now,
                    )
                    for i in ids
                ],
            )
            conn.execute(
                insert(LshBucketRow),
                [
                    dict(complaint_id=i, band=band, bucket=rng.getrandbits(64) - (1 << 63))
                    for i in ids
                    for band in range(16)
                ],
            )
    engine.dispose()


def probe(url: str, count: int, offset: int) -> dict:
    from factories import complaint

    from complaints_crawler.archive import near_duplicates
    from complaints_crawler.archive import store as store_module
    from complaints_crawler.archive.prepare import prepare
    from complaints_crawler.archive.store import ArchiveStore

    items = [complaint(offset + n, responses=2) for n in range(count)]
    link_seconds = 0.0
    original = store_module.link_near_duplicates

    def timed_link(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal link_seconds
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            link_seconds += time.perf_counter() - started

    store_module.link_near_duplicates = timed_link
    store = ArchiveStore.open(url)
    started = time.perf_counter()
    prepared = [prepare(c) for c in items]
    text_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for begin in range(0, count, 500):
        store.write([], prepared[begin : begin + 500], None)
    write_seconds = time.perf_counter() - started
    store.close()
    assert near_duplicates  # imported for the patch target's module
    per = lambda seconds: seconds / count * 1e6  # noqa: E731
    return {
        "text_us": per(text_seconds),
        "lsh_us": per(link_seconds),
        "masks_fingerprint_lsh_us": per(text_seconds + link_seconds),
        "write_us": per(write_seconds),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--probe", type=int, default=2000)
    parser.add_argument("--fill", nargs=3, metavar=("URL", "START", "STOP"), help=argparse.SUPPRESS)
    parser.add_argument("--measure", nargs=3, metavar=("URL", "COUNT", "OFFSET"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fill:
        fill(args.fill[0], int(args.fill[1]), int(args.fill[2]))
        return
    if args.measure:
        print(json.dumps(probe(args.measure[0], int(args.measure[1]), int(args.measure[2]))))
        return

    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/scaling.db"
        filled = 0
        print(
            f"{'archived':>10} {'text µs':>9} {'LSH µs':>8} {'masks+fp+LSH µs':>16} {'whole write µs':>15} "
            f"{'peak MB':>8}"
        )
        results = {}
        for size in sizes:
            subprocess.run([sys.executable, __file__, "--fill", url, str(filled), str(size)], check=True)
            filled = size
            out = subprocess.run(
                [sys.executable, __file__, "--measure", url, str(args.probe), str(10_000_000 + size)],
                check=True,
                capture_output=True,
                text=True,
            )
            r = results[size] = json.loads(out.stdout.strip().splitlines()[-1])
            print(
                f"{size:>10,} {r['text_us']:>9.0f} {r['lsh_us']:>8.0f} {r['masks_fingerprint_lsh_us']:>16.0f} "
                f"{r['write_us']:>15.0f} {r['peak_mb']:>8.0f}",
                flush=True,
            )
            filled += args.probe
        first, last = results[sizes[0]], results[sizes[-1]]
        print(
            f"cost at {sizes[-1]:,} / cost at {sizes[0]:,}: "
            f"{last['masks_fingerprint_lsh_us'] / first['masks_fingerprint_lsh_us']:.2f}x; "
            f"peak memory {first['peak_mb']:.0f} -> {last['peak_mb']:.0f} MB; "
            f"database {os.path.getsize(f'{folder}/scaling.db') / 2**20:.0f} MB"
        )


if __name__ == "__main__":
    main()
