"""What the worker tests share: a Redis queue of their own, workers as real processes, archive snapshots."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from constants import IN_CI, REDIS_URL, REPO
from sqlalchemy import Engine, select
from sqlalchemy.orm import aliased

from complaints_crawler.archive.models import (
    BusinessRow,
    ComplaintRevisionRow,
    ComplaintRow,
    CrawlTargetRow,
    LshBucketRow,
    QuarantineRow,
    RedactionRow,
    ResponseRow,
)
from complaints_crawler.fixture_site import FixtureSite
from complaints_crawler.sites import SITES
from complaints_crawler.synthetic import SyntheticBoard, generate_board

# A local site: no politeness delay unless a test sets one, no retries, quick polls of the queue.
WORKER_SETTINGS = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "RETRY_TIMES": "0",
    "BLOCK_BACKOFF_BASE": "0.01",
    "BLOCK_BACKOFF_MAX": "0.05",
    "PROGRESS_INTERVAL": "0",
    "WORKER_POLL_INTERVAL": "0.2",
}


NEWEST = date(2024, 6, 1)  # generated complaints are filed on this day and one a day before


@dataclass(frozen=True)
class Board:
    """A generated consumercomplaints.in board (`complaints_crawler.synthetic`), written under `root` as a
    fixture-site overlay of its own (a board's `write` replaces its site folder)."""

    synthetic: SyntheticBoard
    root: Path

    @property
    def slug(self) -> str:
        """`-a company`, and the board's path without its slash."""
        return self.synthetic.company

    @property
    def pages(self) -> int:
        return self.synthetic.pages

    @property
    def complaints(self) -> int:
        return len(self.synthetic.complaints)

    @property
    def permalinks(self) -> set[str]:
        """Paths of the permalink pages a full sweep reads (cut or commented cards)."""
        return {self.synthetic.permalink_path(c) for c in self.synthetic.complaints if c.cut or c.entries}

    @property
    def requests(self) -> int:
        """Page requests of a full sweep: every board page, the 404 after the last, every permalink."""
        return self.pages + 1 + len(self.permalinks)

    def archived_from(self, paths: list[str]) -> int:
        """Complaints a crawl that was served `paths` (and read every one of them) archives."""
        board = self.synthetic
        pages = {
            1 if path == board.board_path else int(path.rsplit("/", 1)[1])
            for path in paths
            if path == board.board_path or path.startswith(f"{board.board_path}/page/")
        }
        on_pages = sum(
            1
            for c in board.complaints
            if board.page_of(c.id) in pages and board.permalink_path(c) not in self.permalinks
        )
        return on_pages + len(self.permalinks & set(paths))


def write_board(folder: Path, name: str, board_id: int, pages: int) -> Board:
    """A board of `pages` full pages (20 cards each) named `name` (its slug: "gen-slow" for "Gen Slow")."""
    synthetic = generate_board("consumercomplaints", pages * 20, NEWEST, name=name, board_id=board_id)
    return Board(synthetic, synthetic.write(folder / f"board-{board_id}"))


def require_redis() -> str:
    """The test Redis's URL; skips when it does not answer, except in CI, where it fails."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except (redis.RedisError, ValueError) as error:
        reason = f"Redis at {REDIS_URL} is unreachable: {error}"
        if IN_CI:
            pytest.fail(f"{reason} (CI=true: the worker tests must run)")
        pytest.skip(reason)
    return REDIS_URL


@contextmanager
def redis_queue(url: str | None = None) -> Iterator[Any]:
    """A TargetQueue under a name of its own (tests and test runs at once never meet), deleted afterwards."""
    import redis

    from complaints_crawler.distributed.queue import TargetQueue

    url = url or require_redis()
    server = redis.Redis.from_url(url)
    queue = TargetQueue(server, f"test-{uuid.uuid4().hex[:12]}")
    try:
        yield queue
    finally:
        try:
            keys = list(server.scan_iter(f"{queue.name}:*"))
            if keys:
                server.delete(*keys)
        except redis.ConnectionError:
            pass  # a server the test stopped holds nothing any more
        server.close()


def queue_keys(queue: Any) -> set[str]:
    return {key.decode() for key in queue.server.scan_iter(f"{queue.name}:*")}


def targets_file(path: Path, targets: list[dict[str, Any]]) -> Path:
    lines = []
    for target in targets:
        lines.append("[[target]]")
        lines += [
            f"{key} = {value!r}" if isinstance(value, int) else f'{key} = "{value}"' for key, value in target.items()
        ]
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def site_settings(sites: dict[str, FixtureSite], **settings: str) -> list[str]:
    """-s arguments: the sites' base URLs, the local-site settings, then `settings`."""
    pairs = {SITES[name].base_url_setting: site.base_url for name, site in sites.items()}
    pairs.update(WORKER_SETTINGS)
    pairs.update(settings)
    return [argument for name, value in pairs.items() for argument in ("-s", f"{name}={value}")]


@dataclass
class WorkerProcess:
    """`complaints worker` as a real process (so kill -9 is real), its output in files."""

    process: subprocess.Popen[bytes]
    out: Path
    err: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def stdout(self) -> str:
        return self.out.read_text(encoding="utf-8", errors="replace")

    def stderr(self) -> str:
        return self.err.read_text(encoding="utf-8", errors="replace")

    def wait(self, timeout: float = 120) -> int:
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(
                f"worker {self.pid} still ran after {timeout} s:\n{self.stdout()}\n{self.stderr()[-3000:]}"
            ) from None

    def terminate(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.wait(60)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)

    def stop_if_running(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def start_worker(
    folder: Path, name: str, redis_url: str, queue: str, archive: str, settings: list[str], *, until_empty: bool = True
) -> WorkerProcess:
    folder.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "complaints_crawler.cli",
        "worker",
        "--redis",
        redis_url,
        "--queue",
        queue,
        "--archive",
        archive,
        *settings,
        "-s",
        f"WORKER_ID={name}",
        "-s",
        f"ARCHIVE_SPILL_DIR={folder}",
    ]
    if until_empty:
        command.append("--until-empty")
    out, err = folder / f"{name}.out", folder / f"{name}.err"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(command, cwd=folder, stdout=stdout, stderr=stderr, env=env)
    return WorkerProcess(process, out, err)


def run_until_finished(workers: list[WorkerProcess], queue: Any, targets: Path, redis_url: str, count: int) -> None:
    """Enqueue `targets` once every worker waits for work, wait until `count` targets are finished, then stop the
    workers with SIGTERM (each must exit 0); a worker still running on the way out is killed."""
    from crawling import complaints_cli

    try:
        wait_until(lambda: all("waiting for targets" in w.stdout() for w in workers), 60, "the workers to be ready")
        assert complaints_cli("enqueue", str(targets), "--redis", redis_url, "--queue", queue.name).returncode == 0
        wait_until(lambda: len(queue.view().of_state("finished")) == count, 120, f"{count} targets to finish", 0.2)
        assert [w.terminate() for w in workers] == [0] * len(workers)
    finally:
        for worker in workers:
            worker.stop_if_running()


def wait_until(condition: Callable[[], Any], timeout: float, what: str, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"waited {timeout} s for {what}")


def archive_snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Everything the archive holds about complaints, keyed naturally (no surrogate ids, no timestamps, no runs):
    two archives of the same crawls are equal whichever processes wrote them."""
    original = aliased(ComplaintRow)
    with engine.connect() as conn:

        def rows(statement: Any) -> list[tuple[Any, ...]]:
            return sorted((tuple(row) for row in conn.execute(statement)), key=repr)

        complaint = (ComplaintRow.source, ComplaintRow.external_id)
        snapshot = {
            "businesses": rows(
                select(
                    *(
                        c
                        for c in BusinessRow.__table__.c
                        if c.name not in {"id", "scraped_at", "first_seen_at", "last_seen_at"}
                    )
                )
            ),
            "complaints": rows(
                select(
                    *(
                        c
                        for c in ComplaintRow.__table__.c
                        if c.name
                        not in {
                            "id",
                            "business_id",
                            "duplicate_of_id",
                            "scraped_at",
                            "first_seen_at",
                            "last_seen_at",
                            "last_changed_at",
                        }
                    ),
                    BusinessRow.external_id,
                    original.external_id,
                )
                .join(BusinessRow, BusinessRow.id == ComplaintRow.business_id)
                .outerjoin(original, original.id == ComplaintRow.duplicate_of_id)
            ),
            "responses": rows(
                select(*complaint, *(c for c in ResponseRow.__table__.c if c.name not in {"id", "complaint_id"})).join(
                    ComplaintRow, ComplaintRow.id == ResponseRow.complaint_id
                )
            ),
            "redactions": rows(
                select(*complaint, *(c for c in RedactionRow.__table__.c if c.name not in {"id", "complaint_id"})).join(
                    ComplaintRow, ComplaintRow.id == RedactionRow.complaint_id
                )
            ),
            "lsh_buckets": rows(
                select(*complaint, LshBucketRow.band, LshBucketRow.bucket).join(
                    ComplaintRow, ComplaintRow.id == LshBucketRow.complaint_id
                )
            ),
            "revisions": rows(
                select(
                    *complaint,
                    ComplaintRevisionRow.content_hash,
                    ComplaintRevisionRow.status,
                    ComplaintRevisionRow.entry_count,
                ).join(ComplaintRow, ComplaintRow.id == ComplaintRevisionRow.complaint_id)
            ),
            "targets": rows(
                select(
                    CrawlTargetRow.spider,
                    CrawlTargetRow.target_key,
                    CrawlTargetRow.company,
                    CrawlTargetRow.location,
                    CrawlTargetRow.listing_url,
                    CrawlTargetRow.last_finished_at.is_not(None),
                    CrawlTargetRow.last_full_sweep_at.is_not(None),
                )
            ),
            "quarantine": rows(select(QuarantineRow.kind, QuarantineRow.url)),
        }
    return snapshot
