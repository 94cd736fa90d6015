"""Keeping a list of companies current: `complaints crawl TARGETS.toml`, incremental by default.

Generated boards (complaints_crawler.synthetic) served over real HTTP, dated relative to today, changed between
crawls the way the live sites change: new complaints at the top, a status change, a new comment.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from crawling import FAST, complaints_cli
from sqlalchemy import func, select, update

from complaints_crawler.archive.database import make_engine, upgrade
from complaints_crawler.archive.models import (
    ComplaintRevisionRow,
    ComplaintRow,
    CrawlRunRow,
    CrawlTargetRow,
    ResponseRow,
)
from complaints_crawler.fixture_site import FixtureSite, serve_sites
from complaints_crawler.items import utc_now
from complaints_crawler.sites import SITES
from complaints_crawler.synthetic import SyntheticBoard, generate_board

TODAY = utc_now().date()
OLD = TODAY - timedelta(days=90)  # every complaint of a board this old is past the 60-day refresh window


class Boards:
    """Generated boards written to one folder and served on one local origin per site."""

    def __init__(self, root: Path):
        self.root = root
        self.boards: dict[str, SyntheticBoard] = {}
        self.sites: dict[str, FixtureSite] = {}

    def add(self, board: SyntheticBoard) -> SyntheticBoard:
        self.boards[board.site] = board
        board.write(self.root)
        return board

    def rewrite(self) -> None:
        for board in self.boards.values():
            board.write(self.root)
        for site in self.sites.values():
            site.requests.clear()

    def settings(self) -> list[str]:
        pairs = [f"{SITES[name].base_url_setting}={site.base_url}" for name, site in self.sites.items()]
        return [*pairs, *(f"{k}={v}" for k, v in FAST.items())]

    def pages(self, site: str) -> list[str]:
        """The listing and permalink pages asked of `site` (robots.txt not counted)."""
        return [p for p in self.sites[site].requests if p != "/robots.txt"]


@pytest.fixture
def boards(tmp_path: Path) -> Iterator[Boards]:
    served = Boards(tmp_path / "sites")
    served.root.mkdir()
    for site in ("bbb", "consumercomplaints"):
        (served.root / site).mkdir()
    with serve_sites(["bbb", "consumercomplaints"], root=served.root) as sites:
        served.sites = sites
        yield served


def targets_file(folder: Path, boards: Boards, extra: str = "") -> Path:
    path = folder / "targets.toml"
    entries = [f'[[target]]\nsite = "{b.site}"\ncompany = "{b.company}"\n' for b in boards.boards.values()]
    path.write_text("\n".join(entries) + extra, encoding="utf-8")
    return path


def crawl(path: Path, archive: str, boards: Boards, *options: str):  # type: ignore[no-untyped-def]
    settings = [item for pair in boards.settings() for item in ("-s", pair)]
    return complaints_cli("crawl", str(path), "--archive", archive, *settings, *options)


def runs(archive: str) -> list[CrawlRunRow]:
    engine = make_engine(archive)
    with engine.connect() as conn:
        found = list(conn.execute(select(CrawlRunRow).order_by(CrawlRunRow.id)).all())
    engine.dispose()
    return found


def count(archive: str, model: type, *where: object) -> int:
    engine = make_engine(archive)
    with engine.connect() as conn:
        found = conn.execute(select(func.count()).select_from(model).where(*where)).scalar_one()
    engine.dispose()
    return int(found)


def last_runs(archive: str, n: int) -> dict[str, CrawlRunRow]:
    return {run.spider: run for run in runs(archive)[-n:]}


# -- an unchanged site costs at most 2 requests per target -------------------------------------------------


def test_an_unchanged_site_costs_one_request_per_target(boards, archive_url, tmp_path):
    if archive_url.startswith("postgresql"):
        upgrade(archive_url)
    boards.add(generate_board("bbb", 45, OLD))
    boards.add(generate_board("consumercomplaints", 90, OLD))
    path = targets_file(tmp_path, boards)

    first = crawl(path, archive_url, boards)
    assert first.returncode == 0, first.stderr[-3000:] + first.stdout
    full = last_runs(archive_url, 2)
    assert {s: (r.mode, r.finish_reason, r.new_count, r.health) for s, r in full.items()} == {
        "bbb": ("full", "finished", 45, "ok"),
        "consumercomplaints": ("full", "finished", 90, "ok"),
    }
    # A full sweep of the forum board: 5 board pages (the 6th is a 404) and the permalinks of its 36 cut cards.
    assert full["consumercomplaints"].requests == 6 + 36 and full["bbb"].requests == 5 + 1

    boards.rewrite()
    second = crawl(path, archive_url, boards)
    assert second.returncode == 0, second.stderr[-3000:]
    assert boards.pages("bbb") == [f"{boards.boards['bbb'].board_path}/complaints"]
    assert boards.pages("consumercomplaints") == [boards.boards["consumercomplaints"].board_path]
    refreshed = last_runs(archive_url, 2)
    assert {
        s: (r.mode, r.requests, r.new_count, r.updated_count, r.unchanged_count, r.health) for s, r in refreshed.items()
    } == {"bbb": ("incremental", 1, 0, 0, 10, "ok"), "consumercomplaints": ("incremental", 1, 0, 0, 20, "ok")}
    # The printed lines and table say the same.
    assert re.search(r"ended +bbb:\S+: finished \(incremental\), 1 requests, 0 new", second.stdout)
    assert re.search(r"^consumercomplaints:\S+ +finished +incremental +1 +0 +0 +20 +0 ", second.stdout, re.M)
    assert count(archive_url, ComplaintRow) == 135


# -- new complaints at the top -------------------------------------------------------------------------------


@pytest.mark.parametrize(("new", "pages"), [(3, 2), (25, 3)])
def test_new_complaints_at_the_top_cost_their_pages_and_one_more(boards, tmp_path, new, pages):
    archive = f"sqlite:///{tmp_path / 'archive.db'}"
    board = boards.add(generate_board("consumercomplaints", 100, OLD))
    path = targets_file(tmp_path, boards)
    assert crawl(path, archive, boards).returncode == 0

    ids = board.add_new(new, TODAY)
    boards.rewrite()
    done = crawl(path, archive, boards)
    assert done.returncode == 0, done.stderr[-3000:]
    board_pages = [p for p in boards.pages("consumercomplaints") if p.startswith(board.board_path)]
    assert len(board_pages) == pages == -(-new // 20) + 1
    permalinks = [p for p in boards.pages("consumercomplaints") if not p.startswith(board.board_path)]
    fresh = [c for c in board.complaints if c.id in ids]
    assert sorted(permalinks) == sorted(board.permalink_path(c) for c in fresh if c.cut)  # only the new cut cards
    run = runs(archive)[-1]
    assert (run.mode, run.new_count, run.updated_count) == ("incremental", new, 0)
    assert count(archive, ComplaintRow) == 100 + new


# -- changes to threads ----------------------------------------------------------------------------------------


def test_a_status_change_inside_the_window_is_found_and_pages_past_it_are_not_fetched(boards, tmp_path):
    archive = f"sqlite:///{tmp_path / 'archive.db'}"
    board = boards.add(generate_board("bbb", 150, TODAY))  # one complaint a day, 10 a page: 6 pages in 60 days
    path = targets_file(tmp_path, boards)
    assert crawl(path, archive, boards).returncode == 0

    answered = next(c for c in board.complaints[20:30] if c.status == "Answered")  # on page 3
    board.change(answered.id, status="Resolved")
    boards.rewrite()
    done = crawl(path, archive, boards)
    assert done.returncode == 0, done.stderr[-3000:]
    profile = board.board_path
    assert boards.pages("bbb") == [f"{profile}/complaints"] + [f"{profile}/complaints?page={n}" for n in range(2, 8)]
    run = runs(archive)[-1]
    assert (run.mode, run.updated_count, run.stats["pagination/stop_reason"]) == (
        "incremental",
        1,
        "incremental: every complaint of the page is archived, unchanged and older than 60 days",
    )
    engine = make_engine(archive)
    with engine.connect() as conn:
        statuses = (
            conn.execute(
                select(ComplaintRevisionRow.status)
                .join(ComplaintRow)
                .where(ComplaintRow.external_id == str(answered.id))
                .order_by(ComplaintRevisionRow.id)
            )
            .scalars()
            .all()
        )
    engine.dispose()
    assert statuses == ["Answered", "Resolved"]


def test_a_change_past_the_window_is_found_by_a_full_sweep_asked_for_or_due(boards, tmp_path):
    archive = f"sqlite:///{tmp_path / 'archive.db'}"
    board = boards.add(generate_board("bbb", 150, TODAY))
    path = targets_file(tmp_path, boards)
    assert crawl(path, archive, boards).returncode == 0

    old_one = board.complaints[120]  # page 13, four months old
    board.add_comment(old_one.id, TODAY - timedelta(days=100), "We have refunded the order in full.")
    boards.rewrite()
    assert crawl(path, archive, boards).returncode == 0
    assert (runs(archive)[-1].mode, runs(archive)[-1].updated_count) == ("incremental", 0)  # not looked at

    assert crawl(path, archive, boards, "--full").returncode == 0
    assert (runs(archive)[-1].mode, runs(archive)[-1].updated_count) == ("full", 1)
    assert count(archive, ResponseRow, ResponseRow.text == "We have refunded the order in full.") == 1

    # Due: the last full sweep is older than FULL_SWEEP_DAYS (30), so the next run sweeps by itself.
    board.add_comment(old_one.id, TODAY - timedelta(days=99), "Thank you, received.")
    boards.rewrite()
    engine = make_engine(archive)
    with engine.begin() as conn:
        conn.execute(update(CrawlTargetRow).values(last_full_sweep_at=utc_now() - timedelta(days=31)))
    engine.dispose()
    done = crawl(path, archive, boards)
    assert done.returncode == 0
    run = runs(archive)[-1]
    assert (run.mode, run.updated_count) == ("full", 1)
    assert "the last full sweep is 31 days old (FULL_SWEEP_DAYS=30)" in run.stats["refresh/why"]


def test_a_new_comment_on_an_old_forum_complaint_fetches_its_permalink_only(boards, tmp_path):
    archive = f"sqlite:///{tmp_path / 'archive.db'}"
    board = boards.add(generate_board("consumercomplaints", 60, OLD))
    path = targets_file(tmp_path, boards)
    assert crawl(path, archive, boards).returncode == 0

    commented = board.complaints[5]  # page 1
    board.add_comment(commented.id, TODAY)
    boards.rewrite()
    done = crawl(path, archive, boards)
    assert done.returncode == 0, done.stderr[-3000:]
    assert sorted(boards.pages("consumercomplaints")) == sorted(
        [board.board_path, board.permalink_path(commented), f"{board.board_path}/page/2"]
    )
    run = runs(archive)[-1]
    assert (run.mode, run.new_count, run.updated_count, run.unchanged_count) == ("incremental", 0, 1, 39)
    assert run.stats["forum/permalinks_skipped"] == 15  # the other cut cards of pages 1 and 2: not fetched


def test_the_remembered_listing_url_is_resolved_again_when_it_is_gone(tmp_path):
    archive = f"sqlite:///{tmp_path / 'archive.db'}"
    targets = tmp_path / "targets.toml"
    targets.write_text('[[target]]\nsite = "consumercomplaints"\ncompany = "poco india"\n', encoding="utf-8")
    overlay = tmp_path / "overlay" / "consumercomplaints"
    overlay.mkdir(parents=True)  # served in front of the fixture site: changed pages go here
    with serve_sites(["consumercomplaints"], overlays=[tmp_path / "overlay"]) as sites:
        site = sites["consumercomplaints"]
        settings = [
            "-s",
            f"CONSUMERCOMPLAINTS_BASE_URL={site.base_url}",
            *(x for k, v in FAST.items() for x in ("-s", f"{k}={v}")),
        ]
        assert complaints_cli("crawl", str(targets), "--archive", archive, *settings).returncode == 0
        assert site.requests[:3] == ["/robots.txt", "/sitemap.xml", "/poco-india-b171922"]

        site.requests.clear()
        assert complaints_cli("crawl", str(targets), "--archive", archive, *settings).returncode == 0
        assert site.requests == ["/robots.txt", "/poco-india-b171922"]  # no sitemap: the board is remembered

        (overlay / "poco-india-b171922").mkdir()
        (overlay / "poco-india-b171922" / "index.404.html").write_text("<html><body>Gone</body></html>")
        (overlay / "sitemap.xml").write_text(
            "<urlset><url><loc>https://www.consumercomplaints.in/poco-india-b171999</loc></url></urlset>"
        )
        (overlay / "poco-india-b171999").symlink_to(
            Path(__file__).parents[1]
            / "complaints_crawler"
            / "fixture_sites"
            / "consumercomplaints"
            / "poco-india-b171922"
        )
        site.requests.clear()
        done = complaints_cli("crawl", str(targets), "--archive", archive, *settings)
    assert done.returncode == 0, done.stderr[-3000:]
    # The moved board's first page holds the archived, settled complaints: the incremental run stops there.
    assert site.requests == ["/robots.txt", "/poco-india-b171922", "/sitemap.xml", "/poco-india-b171999"]
    engine = make_engine(archive)
    with engine.connect() as conn:
        assert conn.execute(select(CrawlTargetRow.listing_url)).scalar_one() == (
            "https://www.consumercomplaints.in/poco-india-b171999"
        )
    engine.dispose()


# -- the targets file and the exit code ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '[[target]]\nsite = "bbb"\ncompany = "microsoft"\n\n[[target]]\nsite = "yelp"\ncompany = "x"\n',
            ":6: target 2, site: Value error, unknown site 'yelp'; expected one of: bbb, consumercomplaints, complaintsboard",
        ),
        ('[[target]]\nsite = "bbb"\n', ":1: target 1, company: Field required"),
        ('[[target]]\nsite = "bbb"\ncompany = "microsoft"\npages = 3\n', ":4: target 1, pages: unknown key"),
        (
            '[[target]]\nsite = "bbb"\ncompany = "microsoft"\nmax_pages = 0\n',
            ":4: target 1, max_pages: Input should be greater than or equal to 1",
        ),
        (
            '[[target]]\nsite = "bbb"\ncompany = "microsoft"\nsince = "last week"\n',
            ":4: target 1, since: Input should be",
        ),
        ('[[target]\nsite = "bbb"\n', ":1: not TOML"),
        ('[targets]\nsite = "bbb"\n', ":1: unknown key 'targets'"),
    ],
)
def test_a_bad_targets_file_is_refused_before_any_request(tmp_path, content, message):
    path = tmp_path / "targets.toml"
    path.write_text(content, encoding="utf-8")
    done = complaints_cli("crawl", str(path), "--archive", f"sqlite:///{tmp_path / 'a.db'}")
    assert done.returncode == 2
    assert done.stderr.startswith(f"complaints: {path}{message}"), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "a.db").exists()


def test_a_blocked_target_among_finished_ones_exits_1_and_is_named(fixture_sites, tmp_path):
    path = tmp_path / "targets.toml"
    path.write_text(
        textwrap.dedent("""\
        [[target]]
        site = "bbb"
        company = "vantora"

        [[target]]
        site = "bbb"
        company = "microsoft"
        max_pages = 1

        [[target]]
        site = "complaintsboard"
        company = "xiaomi-b128703"
        """),
        encoding="utf-8",
    )
    settings = [
        f"BBB_BASE_URL={fixture_sites['bbb'].base_url}",
        f"COMPLAINTSBOARD_BASE_URL={fixture_sites['complaintsboard'].base_url}",
        "BLOCK_RETRY_TIMES=1",
        *(f"{k}={v}" for k, v in FAST.items()),
    ]
    archive = f"sqlite:///{tmp_path / 'archive.db'}"
    done = complaints_cli("crawl", str(path), "--archive", archive, *(x for s in settings for x in ("-s", s)))
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == "complaints: 1 of 3 target(s) did not finish healthy: bbb:vantora"
    table = {
        line.split()[0]: line.split()[1]
        for line in done.stdout.splitlines()
        if line.startswith(("bbb:", "complaintsboard:"))
    }
    assert table == {
        "bbb:vantora": "blocked",
        "bbb:microsoft": "finished",
        "complaintsboard:xiaomi-b128703": "finished",
    }
    lines = [
        (event, label.rstrip(":"))
        for _, event, label, *_ in (line.split() for line in done.stdout.splitlines() if line.startswith("["))
    ]
    # The sites run side by side; one site's targets in turn (the second BBB target starts after the first ends).
    assert sorted(lines) == sorted((event, label) for label in table for event in ("started", "ended"))
    assert lines.index(("ended", "bbb:vantora")) < lines.index(("started", "bbb:microsoft"))
    health = {r.spider + ":" + r.arguments["company"]: r.health for r in runs(archive)}
    assert health == {
        "bbb:vantora": "finished as blocked; 1 of 1 quarantined (100% > 20%)",
        "bbb:microsoft": "ok",
        "complaintsboard:xiaomi-b128703": "ok",
    }


def test_a_target_that_had_complaints_and_now_has_none_is_unhealthy(tmp_path):
    archive = f"sqlite:///{tmp_path / 'archive.db'}"
    path = tmp_path / "targets.toml"
    path.write_text('[[target]]\nsite = "consumercomplaints"\ncompany = "poco-india-b171922"\n', encoding="utf-8")
    overlay = tmp_path / "overlay" / "consumercomplaints" / "poco-india-b171922"
    overlay.parent.mkdir(parents=True)
    with serve_sites(["consumercomplaints"], overlays=[tmp_path / "overlay"]) as sites:
        settings = [
            "-s",
            f"CONSUMERCOMPLAINTS_BASE_URL={sites['consumercomplaints'].base_url}",
            *(x for k, v in FAST.items() for x in ("-s", f"{k}={v}")),
        ]
        assert complaints_cli("crawl", str(path), "--archive", archive, *settings).returncode == 0
        overlay.mkdir(parents=True)
        (overlay / "index.html").write_text(
            '<html><body><div class="bname-header"><h1>Poco India Complaints &amp; Reviews</h1>'
            '<ul><li>Complaints 0</li></ul></div><div class="complaint-boxes"></div></body></html>'
        )
        done = complaints_cli("crawl", str(path), "--archive", archive, "--full", *settings)
    assert done.returncode == 1
    run = runs(archive)[-1]
    assert (run.finish_reason, run.health) == ("finished", "no complaints, where the last run saw 2")
    shown = complaints_cli("runs", "--archive", archive)
    assert re.search(r"finished +full +1 +0 +0 +0 +0 +- +no complaints, where the last run saw 2", shown.stdout)


def test_complaints_runs_shows_requests_per_new_complaint(fixture_sites, tmp_path):
    archive = f"sqlite:///{tmp_path / 'archive.db'}"
    path = tmp_path / "targets.toml"
    path.write_text('[[target]]\nsite = "complaintsboard"\ncompany = "xiaomi-b128703"\n', encoding="utf-8")
    settings = [
        "-s",
        f"COMPLAINTSBOARD_BASE_URL={fixture_sites['complaintsboard'].base_url}",
        *(x for k, v in FAST.items() for x in ("-s", f"{k}={v}")),
    ]
    assert complaints_cli("crawl", str(path), "--archive", archive, *settings).returncode == 0
    shown = complaints_cli("runs", "--archive", archive)
    # 3 board pages and 2 permalinks for 10 new complaints: 0.5 requests each.
    assert re.search(
        r"complaintsboard .* finished +full +5 +10 +0 +0 +0 +0\.5 +ok · company=xiaomi-b128703", shown.stdout
    ), shown.stdout


def test_runs_left_running_by_a_killed_crawl_read_as_interrupted(tmp_path):
    archive = f"sqlite:///{tmp_path / 'archive.db'}"
    upgrade(archive)
    engine = make_engine(archive)
    with engine.begin() as conn:
        conn.execute(
            CrawlRunRow.__table__.insert().values(
                spider="bbb",
                arguments={"company": "x"},
                started_at=utc_now() - timedelta(hours=2),
                host="elsewhere",
                pid=1,
                heartbeat_at=utc_now() - timedelta(hours=1),
                requests=0,
            )
        )
    engine.dispose()
    shown = complaints_cli("runs", "--archive", archive)
    assert re.search(r"^ +1 bbb .* interrupted ", shown.stdout, re.M), shown.stdout
    assert runs(archive)[0].finish_reason is None  # reading commands write nothing


def test_a_long_target_prints_progress_lines(boards, tmp_path):
    archive = f"sqlite:///{tmp_path / 'archive.db'}"
    boards.add(generate_board("bbb", 60, OLD))
    path = targets_file(tmp_path, boards)
    done = crawl(path, archive, boards, "-s", "PROGRESS_INTERVAL=0.2", "-s", "DOWNLOAD_DELAY=0.15", "--verbose")
    assert done.returncode == 0, done.stderr[-3000:]
    lines = re.findall(
        r"INFO: progress: bbb https://\S+: (\d+) pages of about 6, (\d+) complaints "
        r"\([\d.]+ pages/min\), on page (\d+)",
        done.stderr,
    )
    assert len(lines) >= 3, done.stderr[-3000:]
    pages = [int(p) for p, _, _ in lines]
    assert pages == sorted(pages) and pages[-1] <= 6
