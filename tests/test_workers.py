"""Crawler workers on scrapy-redis: real Redis, real PostgreSQL, the fixture site over real HTTP, and workers as
real processes (`python -m complaints_crawler.cli worker …`), so that kill -9 is real."""

from __future__ import annotations

import asyncio
import itertools
import signal
import socket
import subprocess
import time
from collections import Counter

import pytest
from conftest import postgres_schema
from constants import REDIS_URL
from crawling import complaints_cli
from sqlalchemy import func, select
from workers_support import (
    archive_snapshot,
    queue_keys,
    redis_queue,
    require_redis,
    run_until_finished,
    site_settings,
    start_worker,
    targets_file,
    wait_until,
    write_board,
)

from complaints_crawler.archive import database
from complaints_crawler.archive.models import ComplaintRow, CrawlRunRow, ResponseRow
from complaints_crawler.crawl.targets import Target
from complaints_crawler.fixture_site import serve_sites

pytestmark = pytest.mark.postgres

FIXTURE_TARGETS = [
    {"site": "bbb", "company": "microsoft"},
    {"site": "bbb", "company": "charter spectrum"},
    {"site": "consumercomplaints", "company": "xiaomi-india-b106391", "start_page": 75},
    {"site": "complaintsboard", "company": "xiaomi-b128703"},
]


def queued(**target: object) -> object:
    from complaints_crawler.distributed.queue import QueuedTarget

    return QueuedTarget.of(Target.model_validate(target))


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


def page_requests(paths: list[str]) -> Counter[str]:
    return Counter(path for path in paths if path != "/robots.txt")


# -- the queue: leases, takeovers, attempts (no Scrapy) ----------------------------------------------------


def test_enqueue_adds_each_target_once_and_keeps_the_file_order():
    with redis_queue() as queue:
        targets = [
            queued(site="bbb", company="microsoft"),
            queued(site="complaintsboard", company="xiaomi-b128703"),
            queued(site="bbb", company="microsoft", location="Redmond, WA"),
        ]
        assert list(queue.enqueue(targets).values()) == ["new", "new", "new"]
        assert list(queue.enqueue(targets).values()) == ["pending", "pending", "pending"]
        view = queue.view()
        assert [t.target.label for t in view.targets] == [
            "bbb:microsoft",
            "complaintsboard:xiaomi-b128703",
            "bbb:microsoft (Redmond, WA)",
        ]
        assert {t.state for t in view.targets} == {"pending"}
        assert queue.work_left()[:2] == (3, 0)


def test_a_lease_is_renewed_and_an_expired_one_is_taken_over_from_the_front():
    with redis_queue() as queue:
        first, second = queued(site="bbb", company="microsoft"), queued(site="bbb", company="vantora")
        queue.enqueue([first, second])
        lease = queue.lease("worker-a", 0.3, max_attempts=3)
        assert (lease.target, lease.attempt) == (first, 1)
        queue.server.set(f"{lease.frontier}:requests", "a request the dead worker left")
        queue.server.set(f"{lease.frontier}:seen", "its fingerprints")
        assert queue.renew(lease, 0.3)
        [in_flight] = queue.view().of_state("in-flight")
        assert (in_flight.target, in_flight.worker, in_flight.attempts) == (first, "worker-a", 1)
        assert 0 < in_flight.expires_in <= 0.3
        time.sleep(0.4)  # worker-a stops renewing: its lease expires
        taken = queue.lease("worker-b", 5, max_attempts=3)
        assert (taken.target, taken.attempt, taken.number != lease.number) == (first, 2, True)  # from the front
        assert not queue.server.exists(f"{lease.frontier}:requests", f"{lease.frontier}:seen")
        assert not queue.renew(lease, 5)  # the old lease is gone for good
        assert queue.finish(lease, "done", {"reason": "finished"}, 3) is None
        state = {t.target.id: t for t in queue.view().targets}[first.id]
        assert (state.state, state.worker, state.takeovers, state.last["reason"]) == (
            "in-flight",
            "worker-b",
            1,
            "interrupted",
        )
        assert queue.finish(taken, "done", {"reason": "finished", "requests": 4}, 3) == "finished"
        state = {t.target.id: t for t in queue.view().targets}[first.id]
        assert (state.state, state.attempts, state.last["worker"], state.last["requests"]) == (
            "finished",
            2,
            "worker-b",
            4,
        )


def test_failed_attempts_are_retried_until_the_last_and_a_release_is_not_an_attempt():
    with redis_queue() as queue:
        target = queued(site="bbb", company="microsoft")
        queue.enqueue([target])
        lease = queue.lease("w", 60, max_attempts=2)
        assert queue.finish(lease, "release", {"reason": "shutdown"}, 2) == "pending"
        lease = queue.lease("w", 60, max_attempts=2)
        assert lease.attempt == 1
        assert queue.finish(lease, "retry", {"reason": "blocked"}, 2) == "pending"
        lease = queue.lease("w", 60, max_attempts=2)
        assert lease.attempt == 2
        assert queue.finish(lease, "retry", {"reason": "site_unavailable"}, 2) == "failed"
        assert queue.lease("w", 60, max_attempts=2) is None
        [failed] = queue.view().of_state("failed")
        assert (failed.attempts, failed.last["reason"], failed.last["worker"]) == (2, "site_unavailable", "w")
        assert list(queue.enqueue([target]).values()) == ["again"]  # a new round
        assert queue.lease("w", 60, max_attempts=2).attempt == 1


def test_a_target_whose_worker_keeps_dying_is_marked_failed_as_interrupted():
    with redis_queue() as queue:
        queue.enqueue([queued(site="bbb", company="microsoft")])
        assert queue.lease("w1", 0.1, max_attempts=2).attempt == 1
        time.sleep(0.15)
        assert queue.lease("w2", 0.1, max_attempts=2).attempt == 2
        time.sleep(0.15)
        assert queue.lease("w3", 0.1, max_attempts=2) is None
        [failed] = queue.view().of_state("failed")
        assert (failed.attempts, failed.takeovers, failed.last["reason"], failed.last["worker"]) == (
            2,
            2,
            "interrupted",
            "w2",
        )


def test_the_site_limiter_lets_one_request_out_at_a_time_and_rests_between():
    """Three tasks (as three workers would) take nine turns; each turn is held 30 ms (a request out); the next
    starts no sooner than 0.2 s after the one before ended, by this process's clock."""
    from complaints_crawler.distributed.connection import async_client
    from complaints_crawler.distributed.ratelimit import SiteLimiter

    async def turns() -> list[tuple[float, float]]:
        server = async_client(require_redis())
        limiter = SiteLimiter(server, f"test-limiter-{time.monotonic_ns()}", delay=0.2, jitter=0.0, hold=5)
        held: list[tuple[float, float]] = []

        async def take() -> None:
            for _ in range(3):
                async with limiter.turn():
                    began = time.monotonic()
                    await asyncio.sleep(0.03)
                    held.append((began, time.monotonic()))

        try:
            await asyncio.gather(take(), take(), take())
        finally:
            await server.delete(limiter.key)
            await server.aclose()
        return sorted(held)

    held = asyncio.run(turns())
    rests = [nxt[0] - end for (_, end), nxt in itertools.pairwise(held)]
    assert len(held) == 9
    assert min(rests) >= 0.2, rests
    assert held[-1][0] - held[0][0] < 8 * (0.2 + 0.03) + 0.5  # turns follow each other, none is lost


# -- the commands' one-line failures ---------------------------------------------------------------------


def test_redis_unreachable_at_start_is_one_line_and_exit_1(tmp_path):
    url = f"redis://127.0.0.1:{closed_port()}/0"
    targets = targets_file(tmp_path / "targets.toml", FIXTURE_TARGETS[:1])
    for arguments in (
        ["worker", "--archive", "postgresql://postgres@127.0.0.1:5432/test"],
        ["enqueue", str(targets)],
        ["queue"],
    ):
        result = complaints_cli(*arguments, "--redis", url, cwd=tmp_path)
        assert result.returncode == 1, result.stderr
        assert one_line(result.stderr).startswith(f"complaints: Redis at {url} does not answer: "), result.stderr
        assert result.stdout == ""


def test_an_archive_that_does_not_answer_or_has_no_schema_stops_a_worker_before_it_leases(tmp_path):
    redis_url = require_redis()
    port = closed_port()
    with redis_queue() as queue, postgres_schema() as empty:
        queue.enqueue([queued(site="bbb", company="microsoft")])
        gone = complaints_cli(
            "worker",
            "--redis",
            redis_url,
            "--queue",
            queue.name,
            "--archive",
            f"postgresql://postgres@127.0.0.1:{port}/test",
            cwd=tmp_path,
        )
        assert gone.returncode == 1
        assert one_line(gone.stderr).startswith(
            f"complaints: the archive at postgresql://postgres@127.0.0.1:{port}/test does not answer: "
        )
        bare = complaints_cli("worker", "--redis", redis_url, "--queue", queue.name, "--archive", empty, cwd=tmp_path)
        assert bare.returncode == 1
        assert one_line(bare.stderr).endswith(
            "has no complaints-crawler schema; run `complaints db upgrade` to create it"
        )
        [waiting] = queue.view().targets
        assert (waiting.state, waiting.attempts) == ("pending", 0)


def test_a_worker_refuses_a_sqlite_archive(tmp_path, monkeypatch):
    monkeypatch.delenv("COMPLAINTS_ARCHIVE_URL", raising=False)
    for archive in ([f"--archive=sqlite:///{tmp_path / 'archive.db'}"], []):  # given, or the default
        result = complaints_cli("worker", "--redis", REDIS_URL, *archive, cwd=tmp_path)
        assert result.returncode == 2
        assert one_line(result.stderr) == (
            "complaints: a worker needs a PostgreSQL archive (workers on several "
            "machines write to one archive at once), not sqlite: give --archive "
            "postgresql://…"
        )
    assert not (tmp_path / "archive.db").exists()


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("WORKER_MAX_ATTEMPTS=0", "-s WORKER_MAX_ATTEMPTS=0: expected a number of 1 or more"),
        ("WORKER_LEASE_SECONDS=soon", "-s WORKER_LEASE_SECONDS=soon: expected a number of 1 or more"),
        (
            'SITE_RATE_LIMITS={"bbc": 1}',
            "SITE_RATE_LIMITS: unknown site 'bbc'; the sites are: bbb, consumercomplaints, complaintsboard",
        ),
        ('SITE_RATE_LIMITS={"bbb": 0}', "SITE_RATE_LIMITS: bbb: expected requests per second above 0, not 0"),
        (
            "SITE_RATE_LIMITS=0.5",
            '-s SITE_RATE_LIMITS=0.5: expected JSON such as {"bbb": 0.25, "consumercomplaints": 0.5} '
            "(requests per second per site)",
        ),
        (
            "IMPERSONATE_BROWSER=netscape3",
            "IMPERSONATE_BROWSER=netscape3 is not a browser curl_cffi can impersonate; use one of chrome, edge, "
            "firefox, safari, tor (or a versioned name such as chrome131)",
        ),
    ],
)
def test_a_worker_setting_that_cannot_work_is_a_usage_error(tmp_path, setting, message):
    result = complaints_cli(
        "worker",
        "--redis",
        f"redis://127.0.0.1:{closed_port()}/0",
        "--archive",
        "postgresql://postgres@127.0.0.1:5432/test",
        "-s",
        setting,
        cwd=tmp_path,
    )
    assert (result.returncode, one_line(result.stderr)) == (2, f"complaints: {message}")


def test_enqueue_refuses_a_broken_targets_file_with_its_line(tmp_path):
    broken = tmp_path / "targets.toml"
    broken.write_text('[[target]]\nsite = "bbb"\ncompany = "microsoft"\n\n[[target]]\nsite = "yelp"\ncompany = "x"\n')
    result = complaints_cli("enqueue", str(broken), "--redis", REDIS_URL, cwd=tmp_path)
    assert result.returncode == 2
    assert one_line(result.stderr).startswith(f"complaints: {broken}:6: target 2, site: ")


# -- workers against the fixture site --------------------------------------------------------------------


def test_two_workers_archive_exactly_what_one_process_archives(tmp_path):
    """Four targets on three sites, two workers: each target crawled once, the same page requests as a single
    `complaints crawl`, and the same archive (rows and content hashes)."""
    redis_url = require_redis()
    targets = targets_file(tmp_path / "targets.toml", FIXTURE_TARGETS)
    with serve_sites() as sites, postgres_schema() as single, postgres_schema() as shared, redis_queue() as queue:
        database.upgrade(single)
        database.upgrade(shared)
        # A politeness delay makes a target last long enough for both workers to get one.
        settings = site_settings(sites, DOWNLOAD_DELAY="0.2")
        reference = complaints_cli("crawl", str(targets), "--archive", single, *settings, cwd=tmp_path)
        assert reference.returncode == 0, reference.stdout + reference.stderr
        single_requests = {name: page_requests(site.requests) for name, site in sites.items()}
        for site in sites.values():
            site.requests.clear()

        workers = [
            start_worker(tmp_path / name, name, redis_url, queue.name, shared, settings, until_empty=False)
            for name in ("worker-a", "worker-b")
        ]
        run_until_finished(workers, queue, targets, redis_url, 4)

        view = queue.view()
        assert [(t.state, t.attempts, t.takeovers, t.last["reason"]) for t in view.targets] == [
            ("finished", 1, 0, "finished")
        ] * 4
        assert {t.last["worker"] for t in view.targets} == {"worker-a", "worker-b"}  # both did work
        assert {name: page_requests(site.requests) for name, site in sites.items()} == single_requests
        assert sum(t.last["requests"] for t in view.targets) == sum(c.total() for c in single_requests.values())
        single_engine, shared_engine = database.make_engine(single), database.make_engine(shared)
        try:
            snapshot = archive_snapshot(shared_engine)
            assert snapshot == archive_snapshot(single_engine)
            assert (len(snapshot["businesses"]), len(snapshot["complaints"])) == (4, 54)
            with shared_engine.connect() as conn:
                runs = conn.execute(select(CrawlRunRow.worker, CrawlRunRow.finish_reason, CrawlRunRow.requests)).all()
            assert sorted(r.worker for r in runs) == sorted(t.last["worker"] for t in view.targets)
            assert {r.finish_reason for r in runs} == {"finished"}
            assert sum(r.requests for r in runs) == sum(t.last["requests"] for t in view.targets)
        finally:
            single_engine.dispose()
            shared_engine.dispose()
        assert not {key for key in queue_keys(queue) if ":frontier:" in key}  # every frontier deleted at its end


def test_a_worker_killed_mid_target_loses_nothing_another_finishes_it(tmp_path):
    """kill -9 while a slow target runs: its lease expires, the other worker crawls it again on a new lease and
    finishes it; the archive equals a single process's, and `complaints queue` shows the target finished once."""
    redis_url = require_redis()
    slow = write_board(tmp_path, "Gen Slow", 7101, pages=12)
    targets = targets_file(
        tmp_path / "targets.toml", [{"site": "consumercomplaints", "company": slow.slug}, *FIXTURE_TARGETS[::3]]
    )
    with (
        serve_sites(overlays=[slow.root]) as sites,
        postgres_schema() as single,
        postgres_schema() as shared,
        redis_queue() as queue,
    ):
        database.upgrade(single)
        database.upgrade(shared)
        settings = site_settings(sites, WORKER_LEASE_SECONDS="3")
        reference = complaints_cli("crawl", str(targets), "--archive", single, *settings, cwd=tmp_path)
        assert reference.returncode == 0, reference.stdout + reference.stderr
        board = sites["consumercomplaints"]
        board.requests.clear()
        assert complaints_cli("enqueue", str(targets), "--redis", redis_url, "--queue", queue.name).returncode == 0

        # The slow target first (the file's order), a page every 0.15 s.
        victim = start_worker(
            tmp_path / "victim",
            "victim",
            redis_url,
            queue.name,
            shared,
            [*settings, "-s", "DOWNLOAD_DELAY=0.15", "-s", "DOWNLOAD_DELAY_JITTER=0"],
        )
        survivor = None
        try:
            wait_until(lambda: f"/{slow.slug}/page/4" in board.requests, 60, "the slow board's fourth page")
            [held] = queue.view().of_state("in-flight")
            assert (held.target.label, held.worker, held.attempts) == (f"consumercomplaints:{slow.slug}", "victim", 1)
            victim.kill()
            served = len(board.requests)
            assert f"/{slow.slug}/page/{slow.pages + 1}" not in board.requests  # the kill landed mid-target
            assert served < slow.requests

            survivor = start_worker(tmp_path / "survivor", "survivor", redis_url, queue.name, shared, settings)
            assert survivor.wait(120) == 0, survivor.stdout() + survivor.stderr()[-3000:]
        finally:
            victim.stop_if_running()
            if survivor is not None:
                survivor.stop_if_running()

        view = queue.view()
        assert [
            (t.target.label, t.state, t.attempts, t.takeovers, t.last["reason"], t.last["worker"])
            for t in view.of_state("finished")
        ] == [
            ("bbb:microsoft", "finished", 1, 0, "finished", "survivor"),
            ("complaintsboard:xiaomi-b128703", "finished", 1, 0, "finished", "survivor"),
            (f"consumercomplaints:{slow.slug}", "finished", 2, 1, "finished", "survivor"),
        ]
        assert len(view.targets) == 3
        # The survivor's attempt read the whole board again, from a fresh frontier.
        assert Counter(board.requests[served:])[f"/{slow.slug}"] == 1
        assert {key for key in queue_keys(queue) if ":frontier:" in key} == set()

        shown = complaints_cli("queue", "--redis", redis_url, "--queue", queue.name)
        assert shown.returncode == 0
        assert shown.stdout.splitlines()[0].endswith(": 0 pending, 0 in flight, 3 finished, 0 failed")
        [line] = [line for line in shown.stdout.splitlines() if slow.slug in line]
        assert line.split() == [
            f"consumercomplaints:{slow.slug}",
            "finished",
            "full",
            str(slow.requests),
            str(slow.complaints),
            "0",
            "0",
            "2",
            "survivor",
        ]

        single_engine, shared_engine = database.make_engine(single), database.make_engine(shared)
        try:
            snapshot = archive_snapshot(shared_engine)
            assert snapshot == archive_snapshot(single_engine)
            assert len(snapshot["complaints"]) == slow.complaints + 10 + 10
            with shared_engine.connect() as conn:
                runs = conn.execute(
                    select(CrawlRunRow.worker, CrawlRunRow.finish_reason)
                    .where(CrawlRunRow.arguments["company"].as_string() == slow.slug)
                    .order_by(CrawlRunRow.id)
                ).all()
            # The victim's run, left "running" by the kill, is marked interrupted by the survivor's next crawl.
            assert [tuple(r) for r in runs] == [("victim", "interrupted"), ("survivor", "finished")]
        finally:
            single_engine.dispose()
            shared_engine.dispose()


def test_a_stopped_worker_puts_its_target_back_without_using_an_attempt(tmp_path):
    redis_url = require_redis()
    board_ = write_board(tmp_path, "Gen Stop", 7201, pages=10)
    targets = targets_file(tmp_path / "targets.toml", [{"site": "consumercomplaints", "company": board_.slug}])
    with (
        serve_sites(["consumercomplaints"], overlays=[board_.root]) as sites,
        postgres_schema() as shared,
        redis_queue() as queue,
    ):
        database.upgrade(shared)
        assert complaints_cli("enqueue", str(targets), "--redis", redis_url, "--queue", queue.name).returncode == 0
        worker = start_worker(
            tmp_path / "w",
            "w",
            redis_url,
            queue.name,
            shared,
            site_settings(sites, DOWNLOAD_DELAY="0.15", DOWNLOAD_DELAY_JITTER="0"),
        )
        try:
            wait_until(lambda: f"/{board_.slug}/page/3" in sites["consumercomplaints"].requests, 60, "page 3")
            assert worker.terminate() == 0, worker.stderr()[-3000:]
        finally:
            worker.stop_if_running()
        assert "SIGTERM: stopping" in worker.stdout()
        [back] = queue.view().targets
        assert (back.state, back.attempts, back.last["reason"], back.last["worker"]) == ("pending", 0, "shutdown", "w")
        engine = database.make_engine(shared)
        try:
            with engine.connect() as conn:
                run = conn.execute(select(CrawlRunRow.finish_reason, CrawlRunRow.new_count)).one()
                archived = conn.execute(select(func.count()).select_from(ComplaintRow)).scalar_one()
            assert run.finish_reason == "shutdown" and run.new_count == archived > 0
        finally:
            engine.dispose()


def test_two_workers_together_keep_one_sites_delay(tmp_path):
    """Two workers crawl two boards of one site at once with a site delay of 0.5 s: the server sees no two
    requests (robots.txt included) closer than 0.5 s, and sees the two workers' requests interleaved."""
    redis_url = require_redis()
    boards = [write_board(tmp_path, f"Gen Polite {n}", 7300 + n, pages=1) for n in (1, 2)]
    targets = targets_file(
        tmp_path / "targets.toml", [{"site": "consumercomplaints", "company": b.slug} for b in boards]
    )
    with (
        serve_sites(["consumercomplaints"], overlays=[b.root for b in boards]) as sites,
        postgres_schema() as shared,
        redis_queue() as queue,
    ):
        database.upgrade(shared)
        site = sites["consumercomplaints"]
        workers = [
            start_worker(
                tmp_path / name,
                name,
                redis_url,
                queue.name,
                shared,
                site_settings(sites, DOWNLOAD_DELAY="0.5", USER_AGENT=name),
                until_empty=False,
            )
            for name in ("polite-a", "polite-b")
        ]
        run_until_finished(workers, queue, targets, redis_url, 2)
        assert {t.last["worker"] for t in queue.view().targets} == {"polite-a", "polite-b"}
        assert len(site.requests) == sum(b.requests + 1 for b in boards)  # robots.txt once per crawl
        gaps = [later - earlier for earlier, later in itertools.pairwise(site.times)]
        assert min(gaps) >= 0.5, sorted(gaps)[:5]
        agents = [headers["user-agent"] for headers in site.headers]
        # The two crawls overlapped (one worker's requests on both sides of the other's), so the gaps above were
        # kept between workers and not just within one; how often they take turns depends on when each started.
        switches = sum(a != b for a, b in itertools.pairwise(agents))
        assert switches >= 2, agents


def test_redis_lost_mid_run_stops_the_worker_with_everything_scraped_archived(tmp_path):
    """The queue's Redis is killed while a worker crawls: the crawl closes as queue_unavailable, every item it
    scraped is archived whole (no spill: PostgreSQL is up), and the worker exits 1 saying why."""
    require_redis()
    server_binary = "redis-server"
    port = closed_port()
    redis_url = f"redis://127.0.0.1:{port}/0"
    try:
        private = subprocess.Popen(
            [server_binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        pytest.skip("redis-server is not installed: the test kills a Redis server of its own")
    board_ = write_board(tmp_path, "Gen Lost", 7401, pages=10)
    targets = targets_file(tmp_path / "targets.toml", [{"site": "consumercomplaints", "company": board_.slug}])
    worker = None
    try:
        with (
            redis_queue(wait_until(lambda: _answers(redis_url) and redis_url, 10, "the private Redis")) as queue,
            serve_sites(["consumercomplaints"], overlays=[board_.root]) as sites,
            postgres_schema() as shared,
        ):
            database.upgrade(shared)
            assert complaints_cli("enqueue", str(targets), "--redis", redis_url, "--queue", queue.name).returncode == 0
            requests = sites["consumercomplaints"].requests
            # Generated texts are random words: keep the spam filter out of this count.
            worker = start_worker(
                tmp_path / "w",
                "w",
                redis_url,
                queue.name,
                shared,
                site_settings(
                    sites,
                    DOWNLOAD_DELAY="0.1",
                    DOWNLOAD_DELAY_JITTER="0",
                    SPAM_PAGE_THRESHOLD="1.1",
                    SPAM_POST_THRESHOLD="1.1",
                ),
            )
            wait_until(lambda: f"/{board_.slug}/page/4" in requests, 60, "page 4")
            private.send_signal(signal.SIGKILL)
            private.wait(10)
            assert worker.wait(60) == 1
            assert worker.stderr().strip().splitlines()[-1].startswith(f"complaints: Redis at {redis_url} went away: ")
            assert f"/{board_.slug}/page/{board_.pages + 1}" not in requests  # it stopped mid-target

            engine = database.make_engine(shared)
            try:
                with engine.connect() as conn:
                    run = conn.execute(
                        select(CrawlRunRow.finish_reason, CrawlRunRow.new_count, CrawlRunRow.stats)
                    ).one()
                    complaints = conn.execute(
                        select(ComplaintRow.entry_count, func.count(ResponseRow.id))
                        .outerjoin(ResponseRow, ResponseRow.complaint_id == ComplaintRow.id)
                        .group_by(ComplaintRow.id)
                    ).all()
            finally:
                engine.dispose()
            assert run.finish_reason == "queue_unavailable"
            # Every card of every page read, each cut card from its permalink page once that page was read, or
            # from the board when its permalink request failed for want of Redis (the engine keeps the board copy;
            # one whose request could not even be queued is left for the target's next attempt).
            kept = run.stats.get("forum/permalink_failed", 0)
            assert len(complaints) == run.new_count == board_.archived_from(requests) + kept
            assert all(entries == responses for entries, responses in complaints)  # nothing half-written
            assert sum(responses for _, responses in complaints) > 0
            assert not list((tmp_path / "w").glob("unarchived-*.jsonl"))
    finally:
        if worker is not None:
            worker.stop_if_running()
        if private.poll() is None:
            private.kill()
            private.wait()


def _answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def test_an_archive_that_refuses_writes_stops_the_worker_and_its_target_waits(tmp_path):
    """PostgreSQL refuses every complaint (a trigger): the crawl stops as archive_unavailable with what it scraped
    spilled, the target goes back to the queue without using an attempt, and the worker exits 1. Once the
    archive takes writes again, a worker archives the whole board."""
    redis_url = require_redis()
    board_ = write_board(tmp_path, "Gen Refused", 7501, pages=6)
    targets = targets_file(tmp_path / "targets.toml", [{"site": "consumercomplaints", "company": board_.slug}])
    with (
        serve_sites(["consumercomplaints"], overlays=[board_.root]) as sites,
        postgres_schema() as shared,
        redis_queue() as queue,
    ):
        database.upgrade(shared)
        engine = database.make_engine(shared)
        try:
            with engine.begin() as conn:
                conn.exec_driver_sql(
                    "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RAISE EXCEPTION 'archive offline'; END $$"
                )
                conn.exec_driver_sql(
                    "CREATE TRIGGER refuse BEFORE INSERT ON complaints FOR EACH ROW EXECUTE FUNCTION refuse()"
                )
            assert complaints_cli("enqueue", str(targets), "--redis", redis_url, "--queue", queue.name).returncode == 0
            settings = site_settings(sites, ARCHIVE_BATCH_SIZE="20", ARCHIVE_WRITE_ATTEMPTS="2")
            refused = start_worker(tmp_path / "refused", "refused", redis_url, queue.name, shared, settings)
            assert refused.wait(120) == 1
            assert refused.stderr().strip().splitlines()[-1] == (
                f"complaints: the archive did not take what the crawl of consumercomplaints:{board_.slug} found "
                "(see the log; anything unwritten was saved for `complaints import`); its target is back in the queue"
            )
            [back] = queue.view().targets
            assert (back.state, back.attempts, back.last["reason"]) == ("pending", 0, "archive_unavailable")
            [spill] = (tmp_path / "refused").glob("unarchived-consumercomplaints-*.jsonl")
            lines = spill.read_text(encoding="utf-8").splitlines()
            spilled = [line for line in lines if line.startswith('{"complaint"')]
            with engine.connect() as conn:
                run = conn.execute(select(CrawlRunRow.finish_reason, CrawlRunRow.stats)).one()
                assert conn.execute(select(func.count()).select_from(ComplaintRow)).scalar_one() == 0
            assert run.finish_reason == "archive_unavailable"
            assert len(spilled) == run.stats["archive/unarchived_complaints"] > 0

            with engine.begin() as conn:
                conn.exec_driver_sql("DROP TRIGGER refuse ON complaints")
            again = start_worker(tmp_path / "again", "again", redis_url, queue.name, shared, settings)
            assert again.wait(120) == 0, again.stderr()[-3000:]
            [done] = queue.view().targets
            assert (done.state, done.attempts, done.last["reason"], done.last["new"]) == (
                "finished",
                1,
                "finished",
                board_.complaints,
            )
        finally:
            engine.dispose()
