"""What keeping a board current costs: requests and seconds of a first crawl, an unchanged refresh, and a refresh
after new and changed complaints, on a generated consumercomplaints.in board served locally.

    python benchmarks/refresh_cost.py [--pages 500] [--new 25] [--changed 5]

Targets (issue: scheduled multi-company runs): an unchanged refresh costs ≤ 2 requests; a refresh after k new
complaints ≤ ceil(k/20) + 1 board pages plus the permalinks of what is new or changed. Every crawl is
`complaints crawl` in its own process, politeness off, into a new SQLite archive.
"""

from __future__ import annotations

import argparse
import math
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from complaints_crawler.archive.database import make_engine
from complaints_crawler.archive.models import CrawlRunRow
from complaints_crawler.fixture_site import serve_sites
from complaints_crawler.items import utc_now
from complaints_crawler.synthetic import generate_board

FAST = [
    "DOWNLOAD_DELAY=0",
    "AUTOTHROTTLE_ENABLED=False",
    "RETRY_TIMES=0",
    "CONCURRENT_REQUESTS_PER_DOMAIN=16",
    "PROGRESS_INTERVAL=0",
]


def crawl(targets: Path, archive: str, base_url: str, *options: str) -> CrawlRunRow:
    settings = [x for s in [*FAST, f"CONSUMERCOMPLAINTS_BASE_URL={base_url}"] for x in ("-s", s)]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "complaints_crawler.cli",
            "crawl",
            str(targets),
            "--archive",
            archive,
            *settings,
            *options,
        ],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        sys.exit(f"the crawl failed:\n{done.stdout}\n{done.stderr[-3000:]}")
    engine = make_engine(archive)
    with engine.connect() as conn:
        run = conn.execute(select(CrawlRunRow).order_by(CrawlRunRow.id.desc()).limit(1)).one()
    engine.dispose()
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--new", type=int, default=25)
    parser.add_argument("--changed", type=int, default=5)
    args = parser.parse_args()
    today = utc_now().date()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        board = generate_board(
            "consumercomplaints", args.pages * 20, today - timedelta(days=90), days_per_complaint=0.2
        )
        board.write(folder / "sites")
        targets = folder / "targets.toml"
        targets.write_text(f'[[target]]\nsite = "consumercomplaints"\ncompany = "{board.company}"\n', encoding="utf-8")
        archive = f"sqlite:///{folder / 'archive.db'}"
        rows = []
        with serve_sites(["consumercomplaints"], root=folder / "sites") as sites:
            base = sites["consumercomplaints"].base_url
            rows.append(("first crawl (full sweep)", crawl(targets, archive, base), None))
            rows.append(("unchanged refresh", crawl(targets, archive, base), 2))
            board.add_new(args.new, today)
            for complaint in board.complaints[args.new : args.new + args.changed]:  # older complaints on page 1-2
                board.add_comment(complaint.id, today, "A new comment on an old complaint.")
            board.write(folder / "sites")
            expected_pages = math.ceil(args.new / 20) + 1
            fresh = [c for c in board.complaints[: args.new] if c.cut]
            budget = expected_pages + len(fresh) + args.changed
            rows.append((f"{args.new} new, {args.changed} changed", crawl(targets, archive, base), budget))
    print(f"generated board: {args.pages} pages, {args.pages * 20} complaints, 8 cut cards a page\n")
    print(
        f"{'run':<28} {'mode':<12} {'requests':>8} {'target':>8} {'new':>6} {'updated':>7} {'unchanged':>9} "
        f"{'seconds':>8}"
    )
    for name, run, target in rows:
        seconds = (run.finished_at - run.started_at).total_seconds()
        print(
            f"{name:<28} {run.mode:<12} {run.requests:>8} {('≤ ' + str(target)) if target else '-':>8} "
            f"{run.new_count:>6} {run.updated_count:>7} {run.unchanged_count:>9} {seconds:>8.1f}"
        )


if __name__ == "__main__":
    main()
