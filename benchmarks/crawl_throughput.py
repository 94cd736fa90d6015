"""Crawl throughput: what the pipeline costs against the bare spider and against downloading alone.

    python benchmarks/crawl_throughput.py [--pages 500] [--rounds 3] [--postgres URL] [--no-import]

A generated consumercomplaints.in board (500 pages, 10,000 complaints, 8 cut cards a page: 4,501 requests with
robots.txt) is served locally; politeness is off and 16 requests run at once. Each variant runs in a fresh
process, the variants interleaved round by round; the medians are printed with pages/s, complaints/s, CPU
seconds and peak RSS of the crawling process and, apart, of its work process (WORK_PROCESSES: the spam checks and
the preparation of complaints; forked, so the pages it shares with the crawl count in both), and the ratios the
targets are stated in:

- full: the real spider with every pipeline and middleware, into a new SQLite archive (and PostgreSQL with
  --postgres);
- bare: the real spider, no item pipelines, the spam and block middlewares off;
- download: a spider that only downloads the same URLs;
- import: `complaints import` of the 500 saved board pages into a new SQLite archive.

Targets (issue: crawl throughput): full ≥ 0.8 × bare on SQLite and PostgreSQL; bare ≥ 0.5 × download; peak RSS of
the full crawl ≤ 250 MB; import ≥ 150 pages/s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FAST = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "RETRY_TIMES": 0,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "LOG_LEVEL": "WARNING",
    "PROGRESS_INTERVAL": 0,
}


# -- the child: one variant, in its own process -------------------------------------------------------------


def child(variant: str, base_url: str, archive: str, company: str, urls_file: str, saved: str) -> None:
    import scrapy
    from scrapy.crawler import CrawlerProcess

    from complaints_crawler.crawl.runner import project_settings

    overrides: dict[str, Any] = {**FAST, "CONSUMERCOMPLAINTS_BASE_URL": base_url, "ARCHIVE_URL": archive}
    spider: Any = "consumercomplaints"
    arguments: dict[str, str] = {"company": company}
    if variant in ("bare", "download"):
        # Neither checks pages: the page spam check would otherwise run on every downloaded page too.
        overrides["ITEM_PIPELINES"] = {}
        overrides["DOWNLOADER_MIDDLEWARES"] = {
            "complaints_crawler.middlewares.blocks.BlockBackoffMiddleware": None,
            "complaints_crawler.middlewares.spam.PageSpamMiddleware": None,
        }
    if variant == "download":
        urls = json.loads(Path(urls_file).read_text())

        class DownloadOnly(scrapy.Spider):
            name = "download_only"

            async def start(self):  # type: ignore[no-untyped-def]
                for url in urls:
                    yield scrapy.Request(url, callback=self.parse, dont_filter=True)

            def parse(self, response):  # type: ignore[no-untyped-def]
                return None

        spider, arguments = DownloadOnly, {}
    elif variant == "import":
        spider, arguments = "import", {"site": "consumercomplaints", "files": saved}
    began, cpu = time.monotonic(), time.process_time()
    process = CrawlerProcess(project_settings(overrides))
    crawler = process.create_crawler(spider)
    process.crawl(crawler, **arguments)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    print(
        json.dumps(
            {
                "seconds": time.monotonic() - began,
                "cpu": time.process_time() - cpu,
                "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "work_cpu": _cpu(resource.getrusage(resource.RUSAGE_CHILDREN)),
                "work_rss_mb": stats.get("work/process_peak_rss_mb", 0),
                "pages": stats.get("response_received_count", 0),
                "complaints": stats.get("archive/complaints_new", stats.get("item_scraped_count", 0)),
                "finish_reason": stats.get("finish_reason"),
            }
        )
    )


def _cpu(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


# -- the parent ---------------------------------------------------------------------------------------------------


def run(variant: str, base_url: str, archive: str, company: str, urls_file: Path, saved: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", variant, base_url, archive, company, str(urls_file), str(saved)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if done.returncode != 0 or not done.stdout.strip():
        sys.exit(f"{variant} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if result["finish_reason"] != "finished":
        sys.exit(f"{variant} ended {result['finish_reason']}:\n{done.stderr[-3000:]}")
    return result


def postgres_schema_url(base: str) -> tuple[str, str]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    import psycopg

    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    return schema, f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"


def drop_schema(base: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:8])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", metavar="URL", help="also the full crawl into this PostgreSQL database")
    parser.add_argument("--no-import", action="store_true", help="skip `complaints import` of the saved pages")
    args = parser.parse_args()

    from complaints_crawler.archive import database
    from complaints_crawler.fixture_site import serve_sites
    from complaints_crawler.items import utc_now
    from complaints_crawler.synthetic import generate_board

    variants = (
        ["full", "bare", "download"] + (["full-pg"] if args.postgres else []) + ([] if args.no_import else ["import"])
    )
    results: dict[str, list[dict[str, Any]]] = {v: [] for v in variants}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        board = generate_board(
            "consumercomplaints", args.pages * 20, utc_now().date() - timedelta(days=90), days_per_complaint=0.2
        )
        board.write(folder / "sites")
        board_dir = folder / "sites" / "consumercomplaints" / board.board_path.strip("/")
        saved = folder / "saved"
        saved.mkdir()
        for number in range(1, board.pages + 1):
            page = board_dir / ("index.html" if number == 1 else f"page/{number}/index.html")
            (saved / f"page-{number:04d}.html").write_text(
                page.read_text(encoding="utf-8").replace(
                    "<head>",
                    f'<head><link rel="canonical" href="https://www.consumercomplaints.in{board.board_path}'
                    f'{"" if number == 1 else f"/page/{number}"}">',
                ),
                encoding="utf-8",
            )
        with serve_sites(["consumercomplaints"], root=folder / "sites") as sites:
            base = sites["consumercomplaints"].base_url
            urls = [f"{base}/robots.txt"] + [
                f"{base}{board.board_path}{'' if n == 1 else f'/page/{n}'}" for n in range(1, board.pages + 2)
            ]
            urls += [f"{base}{board.permalink_path(c)}" for c in board.complaints if c.cut or c.entries]
            urls_file = folder / "urls.json"
            urls_file.write_text(json.dumps(urls))
            for round_number in range(args.rounds):
                for variant in variants:
                    schema = None
                    if variant == "full-pg":
                        schema, archive = postgres_schema_url(args.postgres)
                        database.upgrade(archive)
                    else:
                        archive = f"sqlite:///{folder / f'{variant}-{round_number}.db'}"
                    name = "full" if variant == "full-pg" else variant
                    results[variant].append(run(name, base, archive, board.company, urls_file, saved))
                    if schema:
                        drop_schema(args.postgres, schema)
                    print(
                        f"round {round_number + 1} {variant}: {results[variant][-1]['seconds']:.1f} s",
                        file=sys.stderr,
                        flush=True,
                    )

    def median(variant: str, key: str) -> float:
        return statistics.median(r[key] for r in results[variant])

    print(
        f"\n{args.pages} board pages, {args.pages * 20} complaints, {len(urls)} requests a crawl; medians of "
        f"{args.rounds} interleaved rounds; {os.cpu_count()} cores\n"
    )
    print(
        f"{'variant':<10} {'seconds':>8} {'pages/s':>8} {'complaints/s':>13} {'CPU s':>7} {'peak RSS MB':>12}"
        f" {'work CPU s':>11} {'work RSS MB':>12}"
    )
    for variant in variants:
        seconds, pages = median(variant, "seconds"), median(variant, "pages")
        print(
            f"{variant:<10} {seconds:>8.1f} {pages / seconds:>8.0f} {median(variant, 'complaints') / seconds:>13.0f} "
            f"{median(variant, 'cpu'):>7.1f} {median(variant, 'rss_mb'):>12.0f}"
            f" {median(variant, 'work_cpu'):>11.1f} {median(variant, 'work_rss_mb'):>12.0f}"
        )

    def rate(variant: str) -> float:
        return median(variant, "pages") / median(variant, "seconds")

    print(f"\nfull / bare = {rate('full') / rate('bare'):.2f} (target ≥ 0.8)")
    if "full-pg" in results:
        print(f"full-pg / bare = {rate('full-pg') / rate('bare'):.2f} (target ≥ 0.8)")
    print(f"bare / download = {rate('bare') / rate('download'):.2f} (target ≥ 0.5)")
    print(
        f"peak RSS of the full crawl = {median('full', 'rss_mb'):.0f} MB (target ≤ 250); its work process"
        f" {median('full', 'work_rss_mb'):.0f} MB"
    )
    if "import" in results:
        print(f"import = {rate('import'):.0f} pages/s (target ≥ 150)")


if __name__ == "__main__":
    main()
