"""How fast the page parsers read saved pages: ms per page and complaints per second on one core.

    python benchmarks/parse_speed.py [--repeat N]

Prints figures only (no pass/fail); the targets are at most 10 ms for a 10-complaint BBB page and 15 ms
for a 20-card consumercomplaints.in / complaintsboard.com board page. Add a site's cases to CASES as
(name, parser, fixture file, URL the page was fetched from).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from complaints_crawler.parsers import bbb, complaintsboard, consumercomplaints  # noqa: E402
from complaints_crawler.parsers.base import ParsedPage  # noqa: E402
from complaints_crawler.paths import FIXTURE_SITES_DIR  # noqa: E402

SITES = FIXTURE_SITES_DIR
BBB = "https://www.bbb.org"
BBB_MS = "us/wa/redmond/profile/computer-software/microsoft-corporation-1296-7011/complaints"
BBB_CHARTER = "us/mo/saint-louis/profile/cable-tv/charter-spectrum-0734-310162/complaints"
CC = "https://www.consumercomplaints.in"
CB = "https://www.complaintsboard.com"


class Case(NamedTuple):
    name: str
    parse: Callable[[str, str], ParsedPage]
    file: str  # under complaints_crawler/fixture_sites/
    url: str


CASES: list[Case] = [
    Case("bbb microsoft p1 (6 cards)", bbb.parse_complaints_page, f"bbb/{BBB_MS}/index.html", f"{BBB}/{BBB_MS}"),
    Case(
        "bbb microsoft p2 (4 cards)",
        bbb.parse_complaints_page,
        f"bbb/{BBB_MS}/index@page=2.html",
        f"{BBB}/{BBB_MS}?page=2",
    ),
    Case(
        "bbb charter (10 cards, labels only)",
        bbb.parse_complaints_page,
        f"bbb/{BBB_CHARTER}/index.html",
        f"{BBB}/{BBB_CHARTER}",
    ),
    Case(
        "consumercomplaints xiaomi p75 (20 cards)",
        consumercomplaints.parse_page,
        "consumercomplaints/xiaomi-india-b106391/page/75/index.html",
        f"{CC}/xiaomi-india-b106391/page/75",
    ),
    Case(
        "complaintsboard xiaomi p1 (5 cards)",
        complaintsboard.parse_page,
        "complaintsboard/xiaomi-b128703/index.html",
        f"{CB}/xiaomi-b128703",
    ),
]


def measure(case: Case, repeat: int) -> tuple[float, int]:
    """Median seconds per parse, and complaints per page."""
    html = (SITES / case.file).read_text(encoding="utf-8")
    complaints = len(case.parse(case.url, html).complaints)  # also warms caches
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        case.parse(case.url, html)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings), complaints


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    print(f"{'case':40} {'KB':>6} {'ms/page':>8} {'complaints':>10} {'complaints/s/core':>18}")
    for case in CASES:
        seconds, complaints = measure(case, args.repeat)
        size_kb = (SITES / case.file).stat().st_size / 1024
        rate = complaints / seconds if seconds else 0.0
        print(f"{case.name:40} {size_kb:6.1f} {seconds * 1000:8.2f} {complaints:10d} {rate:18.0f}")


if __name__ == "__main__":
    main()
