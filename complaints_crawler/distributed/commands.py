"""`complaints enqueue`, `complaints worker` and `complaints queue`: crawling on several machines.

    complaints enqueue targets.toml --redis redis://queue-host:6379/0
    complaints worker --redis redis://queue-host:6379/0 --archive postgresql://…/complaints [--until-empty]
    complaints queue --redis redis://queue-host:6379/0

Failures are one line: exit 2 for a usage error (a targets file or setting that cannot be run, a SQLite
archive for a worker), 1 when Redis or the archive does not answer or goes away.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import socket
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from complaints_crawler.archive import database
from complaints_crawler.crawl.command import CommandFailed, crawl_overrides
from complaints_crawler.crawl.runner import project_settings
from complaints_crawler.crawl.targets import TargetsFileError, read_targets
from complaints_crawler.errors import first_line

if TYPE_CHECKING:
    from complaints_crawler.distributed.queue import TargetQueue

REDIS_URL_ENV = "COMPLAINTS_REDIS_URL"
DEFAULT_QUEUE = "complaints"
_QUEUE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

ENQUEUED = {
    "new": "queued",
    "again": "queued again",
    "pending": "already pending (definition updated)",
    "running": "in flight: left alone",
}


def open_queue(args: argparse.Namespace) -> tuple[TargetQueue, str]:
    """The queue the command names, its server having answered; usage errors first."""
    require_extra()
    url = args.redis or os.environ.get(REDIS_URL_ENV)
    if not url:
        raise CommandFailed(f"give the queue's Redis with --redis URL (or ${REDIS_URL_ENV})", exit_code=2)
    if not _QUEUE_NAME.match(args.queue):
        raise CommandFailed(
            f"--queue {args.queue!r}: expected letters, digits, '.', '_' or '-' (at most 64)", exit_code=2
        )
    from complaints_crawler.distributed.connection import RedisUnavailable, connect
    from complaints_crawler.distributed.queue import TargetQueue

    try:
        return TargetQueue(connect(url), args.queue), url
    except RedisUnavailable as error:
        raise CommandFailed(str(error)) from None


def require_extra() -> None:
    missing = [name for name in ("redis", "scrapy_redis") if importlib.util.find_spec(name) is None]
    if missing:
        raise CommandFailed(
            f'the workers need {" and ".join(missing)}, which are not installed: pip install -e ".[distributed]"',
            exit_code=2,
        )


# -- enqueue ---------------------------------------------------------------------------------------------


def cmd_enqueue(args: argparse.Namespace) -> None:
    try:
        targets = read_targets(Path(args.targets))
    except TargetsFileError as error:
        raise CommandFailed(str(error), exit_code=2) from None
    queue, url = open_queue(args)
    from complaints_crawler.distributed.connection import shown
    from complaints_crawler.distributed.queue import QueuedTarget

    queued = [QueuedTarget.of(t, full=args.full) for t in targets]
    results = queue.enqueue(queued)
    for target in queued:
        print(f"{target.label[:60]:<60} {ENQUEUED[results[target.id]]}")
    counts = {what: sum(r == what for r in results.values()) for what in ENQUEUED}
    print(
        f"\n{len(queued)} target(s) on queue {queue.name} at {shown(url)}: {counts['new'] + counts['again']} queued, "
        f"{counts['pending']} already pending, {counts['running']} in flight"
    )


# -- worker ----------------------------------------------------------------------------------------------


def cmd_worker(args: argparse.Namespace) -> None:
    require_extra()
    from complaints_crawler.distributed.checks import WorkerSettingsError, worker_settings
    from complaints_crawler.distributed.connection import shown
    from complaints_crawler.distributed.worker import WorkerConfig, WorkerStopped, run_worker

    archive = database.archive_url(args.archive)
    require_postgresql(archive)
    overrides = crawl_overrides(argparse.Namespace(verbose=args.verbose, setting=args.setting, archive=archive))
    settings = project_settings(overrides)
    try:
        lease_seconds, max_attempts, poll = worker_settings(settings)
    except WorkerSettingsError as error:
        raise CommandFailed(str(error), exit_code=2) from None
    queue, url = open_queue(args)
    check_archive(archive)
    worker_id = settings.get("WORKER_ID") or f"{socket.gethostname()}:{os.getpid()}"
    overrides["WORKER_ID"] = worker_id
    config = WorkerConfig(url, queue.name, worker_id, args.until_empty, overrides, lease_seconds, max_attempts, poll)
    report(f"worker {worker_id} on queue {queue.name} at {shown(url)}, archive {database.shown_url(archive)}")
    try:
        run_worker(config, queue, report)
    except WorkerStopped as error:
        raise CommandFailed(str(error)) from None


def require_postgresql(url: str) -> None:
    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError:
        raise CommandFailed(f"cannot read the archive URL {url!r}", exit_code=2) from None
    if backend != "postgresql":
        raise CommandFailed(
            f"a worker needs a PostgreSQL archive (workers on several machines write to one archive "
            f"at once), not {backend}: give --archive postgresql://…",
            exit_code=2,
        )


def check_archive(url: str) -> None:
    """The archive answers and is at the code's schema, before any target is leased."""
    try:
        database.open_archive(url, create=False).dispose()
    except database.ArchiveSchemaError as error:
        raise CommandFailed(str(error)) from None
    except NoSuchModuleError:
        raise CommandFailed('no PostgreSQL driver: pip install -e ".[postgres]"') from None
    except SQLAlchemyError as error:
        raise CommandFailed(f"the archive at {database.shown_url(url)} does not answer: {first_line(error)}") from None


def report(line: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {line}", flush=True)


# -- queue -----------------------------------------------------------------------------------------------


def cmd_queue(args: argparse.Namespace) -> None:
    queue, url = open_queue(args)
    from complaints_crawler.distributed.connection import shown
    from complaints_crawler.distributed.queue import FAILED, FINISHED, IN_FLIGHT, PENDING

    view = queue.view()
    groups = {state: view.of_state(state) for state in (PENDING, IN_FLIGHT, FINISHED, FAILED)}
    print(
        f"queue {queue.name} at {shown(url)}: {len(groups[PENDING])} pending, {len(groups[IN_FLIGHT])} in flight, "
        f"{len(groups[FINISHED])} finished, {len(groups[FAILED])} failed"
    )
    if groups[PENDING]:
        print(f"\npending\n  {'target':<44} {'attempts':>8}  last attempt")
        for t in groups[PENDING]:
            print(f"  {t.target.label[:44]:<44} {t.attempts:>8}  {_last(t.last)}")
    if groups[IN_FLIGHT]:
        print(f"\nin flight\n  {'target':<44} {'attempt':>7}  {'worker':<28} lease")
        for t in groups[IN_FLIGHT]:
            left = t.expires_in or 0.0
            lease = (
                f"expires in {left:.0f} s"
                if left >= 0
                else f"expired {-left:.0f} s ago (goes back to the queue at the next lease)"
            )
            print(f"  {t.target.label[:44]:<44} {t.attempts:>7}  {t.worker or '-':<28} {lease}")
    if groups[FINISHED]:
        print(
            f"\nfinished\n  {'target':<44} {'finish reason':<14} {'mode':<11} {'requests':>8} {'new':>6} "
            f"{'updated':>7} {'unchanged':>9} {'attempts':>8}  worker"
        )
        for t in groups[FINISHED]:
            o = t.last
            print(
                f"  {t.target.label[:44]:<44} {o.get('reason', '-'):<14} {o.get('mode') or '-':<11} "
                f"{o.get('requests', 0):>8} {o.get('new', 0):>6} {o.get('updated', 0):>7} {o.get('unchanged', 0):>9} "
                f"{t.attempts:>8}  {o.get('worker') or '-'}"
            )
    if groups[FAILED]:
        print(f"\nfailed\n  {'target':<44} {'attempts':>8}  {'last reason':<20} worker")
        for t in groups[FAILED]:
            print(
                f"  {t.target.label[:44]:<44} {t.attempts:>8}  {t.last.get('reason', '-'):<20} "
                f"{t.last.get('worker') or '-'}"
            )


def _last(outcome: dict[str, Any]) -> str:
    if not outcome:
        return "-"
    return f"{outcome.get('reason')} (worker {outcome.get('worker') or '-'})"


# -- the CLI hook ----------------------------------------------------------------------------------------


def add_distributed_commands(commands: Any, archive_help: str) -> None:
    def redis_options(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--redis", metavar="URL", help=f"the queue's Redis, e.g. redis://host:6379/0 (default: ${REDIS_URL_ENV})"
        )
        parser.add_argument(
            "--queue",
            default=DEFAULT_QUEUE,
            metavar="NAME",
            help=f"the queue's name: its Redis keys start with NAME: (default: {DEFAULT_QUEUE})",
        )

    enqueue = commands.add_parser(
        "enqueue",
        help="push the targets of a targets file onto the workers' queue",
        description="Push the targets of a targets file onto the workers' queue (a target "
        "already pending or in flight is not added twice).",
    )
    enqueue.set_defaults(handler=cmd_enqueue)
    enqueue.add_argument("targets", metavar="TARGETS.toml", help="the targets file (as `complaints crawl` takes it)")
    redis_options(enqueue)
    enqueue.add_argument("--full", action="store_true", help="a full sweep of every target (read every page)")

    worker = commands.add_parser(
        "worker",
        help="crawl targets from the queue (Redis) into a PostgreSQL archive, one at a time",
        description="Crawl targets from the queue, one at a time, into a PostgreSQL archive; the frontier and the "
        "per-site politeness budget are shared with every other worker through Redis.",
        epilog="exit status: 0 when the queue is empty (--until-empty) or the worker was stopped (SIGTERM, Ctrl-C); "
        "1 when Redis or the archive does not answer or goes away; 2 for a usage error (a SQLite archive, a bad "
        "setting)",
    )
    worker.set_defaults(handler=cmd_worker)
    redis_options(worker)
    worker.add_argument("--archive", metavar="POSTGRES_URL", help=archive_help + "; PostgreSQL only")
    worker.add_argument(
        "--until-empty",
        action="store_true",
        help="stop when no target is pending or in flight (default: wait for more)",
    )
    worker.add_argument(
        "-s",
        dest="setting",
        action="append",
        metavar="NAME=VALUE",
        help="a Scrapy setting, as `scrapy crawl -s` takes it (repeatable)",
    )
    worker.add_argument("--verbose", action="store_true", help="show the crawls' INFO logs")

    queue = commands.add_parser(
        "queue",
        help="pending, in-flight, finished and failed targets of the workers' queue",
        description="Pending, in-flight (with the worker holding each), finished and failed "
        "targets of the workers' queue.",
    )
    queue.set_defaults(handler=cmd_queue)
    redis_options(queue)
