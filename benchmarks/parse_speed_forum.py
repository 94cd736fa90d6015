"""Milliseconds per page to parse the 20-card consumercomplaints.in board page 75 (target: 15 ms or less)."""

from __future__ import annotations

import time

from complaints_crawler.parsers import consumercomplaints
from complaints_crawler.paths import FIXTURE_SITES_DIR

PAGE = FIXTURE_SITES_DIR / "consumercomplaints" / "xiaomi-india-b106391" / "page" / "75" / "index.html"
URL = "https://www.consumercomplaints.in/xiaomi-india-b106391/page/75"


def main(rounds: int = 50) -> None:
    html = PAGE.read_text(encoding="utf-8")
    consumercomplaints.parse_page(URL, html)  # warm the selector cache
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        page = consumercomplaints.parse_page(URL, html)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    print(f"{len(page.complaints)} cards, {len(html):,} bytes, {rounds} rounds")
    print(f"median {timings[rounds // 2]:.2f} ms/page, best {timings[0]:.2f} ms, worst {timings[-1]:.2f} ms (target <= 15 ms)")


if __name__ == "__main__":
    main()
