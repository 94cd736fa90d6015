"""`complaints crawl TARGETS.toml`: keep a list of companies current, one scheduled command for all of them.

Every target of the file runs in one process (sites at once, one site's targets in turn), incrementally once
it has finished a run before. One line per target as it starts and ends, then a table; exit 0 only when every
target finished and is healthy, 1 otherwise (naming them), 2 for a file or setting that cannot be run.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from complaints_crawler.crawl.checks import SettingsError, check_settings
from complaints_crawler.crawl.runner import Crawl, CrawlOutcome, project_settings, run_crawls
from complaints_crawler.crawl.targets import Target, TargetsFileError, read_targets


class CommandFailed(Exception):
    """A failure with its exit code and one line for the user."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code


def scrapy_settings(pairs: list[str]) -> dict[str, str]:
    """`-s NAME=VALUE` pairs, as `scrapy crawl -s` takes them."""
    settings = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals or not name.strip():
            raise CommandFailed(f"-s {pair}: expected NAME=VALUE", exit_code=2)
        settings[name.strip()] = value
    return settings


def crawl_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The settings of the crawls: quieter logs than `scrapy crawl` (the command prints its own lines), then the
    user's -s and --archive, each setting checked before anything starts."""
    overrides: dict[str, Any] = {"LOG_LEVEL": "INFO" if args.verbose else "WARNING"}
    overrides.update(scrapy_settings(args.setting or []))
    if args.archive:
        overrides["ARCHIVE_URL"] = args.archive
    try:
        check_settings(project_settings(overrides))
    except SettingsError as error:
        raise CommandFailed(str(error), exit_code=2) from None
    return overrides


def cmd_crawl(args: argparse.Namespace) -> None:
    try:
        targets = read_targets(Path(args.targets))
    except TargetsFileError as error:
        raise CommandFailed(str(error), exit_code=2) from None
    overrides = crawl_overrides(args)
    crawls: list[Crawl] = [(t.site, t.arguments(full=args.full)) for t in targets]
    began = time.monotonic()

    def started(index: int, _: Crawl) -> None:
        print(f"[{_clock()}] started  {targets[index].label}", flush=True)

    def ended(index: int, outcome: CrawlOutcome) -> None:
        print(f"[{_clock()}] ended    {targets[index].label}: {outcome.summary}", flush=True)

    outcomes = run_crawls(crawls, overrides, on_start=started, on_end=ended)
    print_table(targets, outcomes)
    print(f"\n{len(targets)} target(s) in {time.monotonic() - began:.1f} s")
    failed = [t.label for t, o in zip(targets, outcomes, strict=True) if not o.succeeded]
    if failed:
        raise CommandFailed(f"{len(failed)} of {len(targets)} target(s) did not finish healthy: {', '.join(failed)}")


def print_table(targets: list[Target], outcomes: list[CrawlOutcome]) -> None:
    print(
        f"\n{'target':<40} {'finish reason':<19} {'mode':<11} {'requests':>8} {'new':>6} {'updated':>7} "
        f"{'unchanged':>9} {'quarantined':>11} {'seconds':>8}  health"
    )
    for target, o in zip(targets, outcomes, strict=True):
        print(
            f"{target.label[:40]:<40} {o.finish_reason or 'did not start':<19} {o.mode or '-':<11} {o.requests:>8} "
            f"{o.new:>6} {o.updated:>7} {o.unchanged:>9} {o.quarantined:>11} {o.seconds:>8.1f}  {o.health or '-'}"
        )


def _clock() -> str:
    return time.strftime("%H:%M:%S")


def add_crawl_command(commands: Any, archive_help: str) -> None:
    crawl = commands.add_parser(
        "crawl",
        help="crawl every target of a targets file (incrementally once a target has finished a run)",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    crawl.set_defaults(handler=cmd_crawl)
    crawl.add_argument(
        "targets",
        metavar="TARGETS.toml",
        help="the targets file ([[target]] tables: site, company, "
        "and optionally location, max_pages, since, start_page)",
    )
    crawl.add_argument(
        "-s",
        dest="setting",
        action="append",
        metavar="NAME=VALUE",
        help="a Scrapy setting, as `scrapy crawl -s` takes it (repeatable)",
    )
    crawl.add_argument("--archive", metavar="URL", help=archive_help)
    crawl.add_argument("--full", action="store_true", help="a full sweep of every target (read every page)")
    crawl.add_argument("--verbose", action="store_true", help="show the crawls' INFO logs")
