"""Crawler workers: pages per second with 1, 2 and 4 workers, and the per-site rate all workers keep together.

    python benchmarks/workers.py [--boards 4] [--pages 100] [--workers 1,2,4] [--rate 4] [--rate-pages 5]
                                 [--pg URL] [--redis URL]

Throughput: generated consumercomplaints.in boards (`complaints_crawler.synthetic`: 20 cards a page, 8 of them
read from their permalink page) served by the local fixture site over real HTTP, politeness off (no delay, no
AutoThrottle), crawled by N `complaints worker` processes into one PostgreSQL archive (a schema of its own,
dropped at the end). The clock runs from `complaints enqueue` (the workers are up and waiting) until the queue
shows every board finished; "pages" are every page request the server answered (robots.txt excluded). The
baseline is `complaints crawl` of the same boards in one process, without Redis.

Politeness: smaller boards, all on one site, crawled by 4 workers with SITE_RATE_LIMITS set to --rate requests
per second: the rate the server saw, against the configured one, and the closest two requests came.
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

DEFAULT_PG = os.environ.get("COMPLAINTS_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
DEFAULT_REDIS = os.environ.get("COMPLAINTS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
FAST = {
    "AUTOTHROTTLE_ENABLED": "False",
    "RETRY_TIMES": "0",
    "PROGRESS_INTERVAL": "0",
    "WORKER_POLL_INTERVAL": "0.2",
    "LOG_LEVEL": "ERROR",
}


def run(
    args: argparse.Namespace, label: str, workers: int, boards: list, settings: dict[str, str]
) -> tuple[float, list[float], int, float]:
    """(seconds, request arrival times, page requests, the workers' CPU seconds) of one crawl of `boards` by
    `workers` workers."""
    import psycopg
    import redis
    from workers_support import site_settings, start_worker, targets_file, wait_until

    from complaints_crawler.archive import database
    from complaints_crawler.fixture_site import serve_sites

    schema = f"bench_workers_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(args.pg, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    archive = f"{args.pg}{'&' if '?' in args.pg else '?'}options=-csearch_path%3D{schema}"
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    server = redis.Redis.from_url(args.redis)
    folder = Path(tempfile.mkdtemp(prefix="bench-workers-"))
    running = []
    try:
        database.upgrade(archive)
        targets = targets_file(
            folder / "targets.toml", [{"site": "consumercomplaints", "company": b.slug} for b in boards]
        )
        with serve_sites(["consumercomplaints"], overlays=[b.root for b in boards]) as sites:
            site = sites["consumercomplaints"]
            options = site_settings(sites, **FAST, **settings)
            running = [
                start_worker(folder / f"w{n}", f"w{n}", args.redis, queue, archive, options, until_empty=False)
                for n in range(workers)
            ]
            wait_until(lambda: all("waiting for targets" in w.stdout() for w in running), 120, "the workers", 0.1)
            began = time.monotonic()
            enqueue = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "complaints_crawler.cli",
                    "enqueue",
                    str(targets),
                    "--redis",
                    args.redis,
                    "--queue",
                    queue,
                ],
                capture_output=True,
                text=True,
            )
            assert enqueue.returncode == 0, enqueue.stderr
            finished = f"{queue}:state"

            def all_finished() -> bool:
                states = server.hvals(finished)
                return len(states) == len(boards) and all(b'"finished"' in s for s in states)

            wait_until(all_finished, 3600, "every board to finish", 0.1)
            seconds = time.monotonic() - began
            cpu = sum(_cpu_seconds(worker.pid) for worker in running)
            for worker in running:
                worker.terminate()
            pages = sum(1 for path in site.requests if path != "/robots.txt")
            expected = sum(b.requests for b in boards)
            assert pages == expected, f"{label}: {pages} page requests, expected {expected}"
            return seconds, list(site.times), pages, cpu
    finally:
        for worker in running:
            worker.stop_if_running()
        keys = list(server.scan_iter(f"{queue}:*"))
        if keys:
            server.delete(*keys)
        with psycopg.connect(args.pg, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        shutil.rmtree(folder, ignore_errors=True)


def single_process(args: argparse.Namespace, boards: list) -> tuple[float, float]:
    """(seconds, CPU seconds) of `complaints crawl` of the same boards in one process: the baseline."""
    import psycopg
    from workers_support import site_settings, targets_file

    from complaints_crawler.archive import database
    from complaints_crawler.fixture_site import serve_sites

    schema = f"bench_single_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(args.pg, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    archive = f"{args.pg}{'&' if '?' in args.pg else '?'}options=-csearch_path%3D{schema}"
    folder = Path(tempfile.mkdtemp(prefix="bench-single-"))
    try:
        database.upgrade(archive)
        targets = targets_file(
            folder / "targets.toml", [{"site": "consumercomplaints", "company": b.slug} for b in boards]
        )
        with serve_sites(["consumercomplaints"], overlays=[b.root for b in boards]) as sites:
            options = site_settings(sites, **FAST, DOWNLOAD_DELAY="0")
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            crawl = subprocess.run(
                [sys.executable, "-m", "complaints_crawler.cli", "crawl", str(targets), "--archive", archive, *options],
                capture_output=True,
                text=True,
                cwd=folder,
            )
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
        assert crawl.returncode == 0, crawl.stdout + crawl.stderr
        seconds = float(re.search(r"target\(s\) in ([\d.]+) s", crawl.stdout)[1])
        return seconds, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    finally:
        with psycopg.connect(args.pg, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        shutil.rmtree(folder, ignore_errors=True)


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a running process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    from workers_support import write_board

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--boards", type=int, default=4)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--rate", type=float, default=4.0, help="SITE_RATE_LIMITS of the politeness run (per s)")
    parser.add_argument("--rate-pages", type=int, default=5, help="pages per board in the politeness run")
    parser.add_argument("--pg", default=DEFAULT_PG)
    parser.add_argument("--redis", default=DEFAULT_REDIS)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stopped: still drop the schemas and keys

    overlay = Path(tempfile.mkdtemp(prefix="bench-boards-"))
    try:
        boards = [write_board(overlay, f"Bench {n}", 8000 + n, args.pages) for n in range(args.boards)]
        polite = [write_board(overlay, f"Polite {n}", 8100 + n, args.rate_pages) for n in range(args.boards)]
        print(
            f"{args.boards} boards x {args.pages} pages ({sum(b.complaints for b in boards)} complaints, "
            f"{sum(b.requests for b in boards)} page requests), politeness off; {os.cpu_count()} CPU(s)\n"
        )
        print(
            f"{'workers':>7} {'seconds':>8} {'pages/s':>8} {'speed-up':>8} {'worker CPU s':>12} "
            f"{'pages/CPU s':>11} {'load before':>11}"
        )
        load = os.getloadavg()[0]
        seconds, cpu = single_process(args, boards)
        pages = sum(b.requests for b in boards)
        print(
            f"{'crawl':>7} {seconds:>8.1f} {pages / seconds:>8.1f} {'':>8} {cpu:>12.1f} {pages / cpu:>11.1f} "
            f"{load:>11.2f}   (`complaints crawl`, one process, no Redis; its CPU includes start-up)",
            flush=True,
        )
        base = None
        for workers in (int(n) for n in args.workers.split(",")):
            load = os.getloadavg()[0]
            seconds, _, pages, cpu = run(args, f"{workers} worker(s)", workers, boards, {"DOWNLOAD_DELAY": "0"})
            rate = pages / seconds
            base = base or rate
            print(
                f"{workers:>7} {seconds:>8.1f} {rate:>8.1f} {rate / base:>7.2f}x {cpu:>12.1f} {pages / cpu:>11.1f} "
                f"{load:>11.2f}",
                flush=True,
            )

        print(
            f"\npoliteness: {args.boards} boards x {args.rate_pages} pages on one site, {args.boards} workers, "
            f"SITE_RATE_LIMITS consumercomplaints={args.rate:g}/s (a gap of {1 / args.rate:.3f} s)"
        )
        print(f"{'jitter':>6} {'requests':>8} {'seconds':>8} {'rate/s':>7} {'of limit':>8} {'closest gap':>11}")
        for jitter in ("0", "0.5"):
            settings = {
                "SITE_RATE_LIMITS": f'{{"consumercomplaints": {args.rate}}}',
                "DOWNLOAD_DELAY": "0",
                "DOWNLOAD_DELAY_JITTER": jitter,
            }
            _, times, _, _ = run(args, f"politeness, jitter {jitter}", args.boards, polite, settings)
            gaps = [b - a for a, b in itertools.pairwise(times)]
            span = times[-1] - times[0]
            rate = (len(times) - 1) / span
            print(
                f"{jitter:>6} {len(times):>8} {span:>8.1f} {rate:>7.2f} {rate / args.rate:>7.0%} {min(gaps):>10.3f}s",
                flush=True,
            )
    finally:
        shutil.rmtree(overlay, ignore_errors=True)


if __name__ == "__main__":
    main()
