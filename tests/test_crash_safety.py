"""A crawl killed with SIGKILL leaves no half-written thread, and a rerun converges on the full result."""

import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from complaints_crawler.archive import database
from complaints_crawler.archive.models import ComplaintRow, CrawlRunRow, ResponseRow

HERE = Path(__file__).parent
COUNT = 120


def crawl(url: str, delay: float = 0) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(HERE / "synthetic_crawl.py"), url, str(COUNT), str(delay)], cwd=HERE)


def complaint_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(ComplaintRow)).scalar_one()


def threads(engine):
    """Each complaint with its thread, as comparable values (no ids or timestamps)."""
    with engine.connect() as conn:
        complaints = conn.execute(
            select(ComplaintRow.id, ComplaintRow.external_id, ComplaintRow.content_hash, ComplaintRow.entry_count)
        ).all()
        entries = conn.execute(select(ResponseRow.complaint_id, ResponseRow.position, ResponseRow.text)).all()
    by_id = {}
    for complaint_id, position, text in entries:
        by_id.setdefault(complaint_id, []).append((position, text))
    return {ext: (h, n, sorted(by_id.get(cid, []))) for cid, ext, h, n in complaints}


def test_sigkill_mid_crawl_then_rerun(archive_url, tmp_path):
    if archive_url.startswith("postgresql"):
        database.upgrade(archive_url)
    else:
        database.open_archive(archive_url)
    engine = database.make_engine(archive_url)

    victim = crawl(archive_url, delay=0.05)
    deadline = time.monotonic() + 60
    while complaint_count(engine) < 20 and time.monotonic() < deadline and victim.poll() is None:
        time.sleep(0.05)
    victim.send_signal(signal.SIGKILL)
    victim.wait(30)
    interrupted = threads(engine)
    assert 20 <= len(interrupted) < COUNT, "the kill must land mid-crawl"
    for external_id, (_, entry_count, entries) in interrupted.items():
        assert entry_count >= 1 and len(entries) == entry_count, f"complaint {external_id} is half-written"

    assert crawl(archive_url).wait(120) == 0
    with engine.connect() as conn:
        reasons = conn.execute(select(CrawlRunRow.finish_reason).order_by(CrawlRunRow.id)).scalars().all()
    assert reasons == ["interrupted", "finished"]  # the killed run's row, closed by the next run
    reference_url = f"sqlite:///{tmp_path / 'reference.db'}"
    assert crawl(reference_url).wait(120) == 0
    reference = database.make_engine(reference_url)
    assert len(threads(reference)) == COUNT
    assert threads(engine) == threads(reference)
    engine.dispose()
    reference.dispose()


def test_a_forced_stop_writes_what_is_pending_and_closes_its_run(tmp_path):
    """Ctrl-C twice while a page hangs: Scrapy stops at once, without closing the spider; what was pending is
    written on the way out and the run row says interrupted (or shutdown, when the first Ctrl-C had the time to
    close the crawl): never left `running`, never a lost batch."""
    from constants import MS, REPO
    from faults import Fault, faulty_site

    url = f"sqlite:///{tmp_path / 'archive.db'}"
    with faulty_site("bbb", {f"{MS}/complaints?page=2": Fault("stall", seconds=60)}) as site:
        crawl = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "scrapy",
                "crawl",
                "bbb",
                "-a",
                f"company=https://www.bbb.org{MS}",
                "-s",
                f"BBB_BASE_URL={site.base_url}",
                "-s",
                f"ARCHIVE_URL={url}",
                "-s",
                "ARCHIVE_BATCH_SIZE=1000",
                "-s",
                "DOWNLOAD_DELAY=0",
                "-s",
                "AUTOTHROTTLE_ENABLED=False",
                "-s",
                "DOWNLOAD_TIMEOUT=120",
            ],
            cwd=REPO,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 60
        while f"{MS}/complaints?page=2" not in site.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        crawl.send_signal(signal.SIGINT)
        time.sleep(0.2)
        crawl.send_signal(signal.SIGINT)
        _, log = crawl.communicate(timeout=60)
    assert crawl.returncode != 0
    engine = database.make_engine(url)
    with engine.connect() as conn:
        run = conn.execute(select(CrawlRunRow)).one()
    assert complaint_count(engine) == 6, log[-3000:]  # page 1, pending in memory when the stop came
    engine.dispose()
    assert run.finish_reason in ("interrupted", "shutdown") and run.finished_at is not None
    assert run.new_count == 6
