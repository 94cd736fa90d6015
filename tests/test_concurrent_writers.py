"""Two processes writing the same complaints to one archive at once: no error, no duplicate row."""

import multiprocessing

from constants import HEAD_REVISION
from factories import business, complaint
from sqlalchemy import func, select

from complaints_crawler.archive import database
from complaints_crawler.archive.models import BusinessRow, ComplaintRevisionRow, ComplaintRow, ResponseRow
from complaints_crawler.archive.prepare import prepare
from complaints_crawler.archive.store import ArchiveStore

COMPLAINTS = 600
BATCH = 50


def write_all(url: str, order: int) -> None:
    store = ArchiveStore.open(url)
    numbers = list(range(COMPLAINTS))
    if order:
        numbers.reverse()  # the two writers meet in the middle, each inserting what the other updates
    run = store.open_run("bbb", {"writer": order})
    for start in range(0, COMPLAINTS, BATCH):
        batch = [prepare(complaint(n, business_n=n % 5)) for n in numbers[start : start + BATCH]]
        store.write([business(n) for n in range(5)], batch, run)
    store.close()


def test_two_processes_write_one_archive_at_once(archive_url):
    database.upgrade(archive_url)
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=write_all, args=(archive_url, order)) for order in (0, 1)]
    for w in writers:
        w.start()
    for w in writers:
        w.join(240)
    assert [w.exitcode for w in writers] == [0, 0]
    engine = database.make_engine(archive_url)
    with engine.connect() as conn:
        count = lambda model: conn.execute(select(func.count()).select_from(model)).scalar_one()  # noqa: E731
        assert count(BusinessRow) == 5
        assert count(ComplaintRow) == COMPLAINTS
        assert count(ResponseRow) == 2 * COMPLAINTS
        distinct = conn.execute(select(func.count(func.distinct(ComplaintRow.external_id)))).scalar_one()
        assert distinct == COMPLAINTS
        # Each complaint is new to exactly one writer (or both, at worst, on PostgreSQL's race), never more.
        assert COMPLAINTS <= count(ComplaintRevisionRow) <= 2 * COMPLAINTS
    engine.dispose()


def test_reading_a_sqlite_archive_never_waits_for_a_writer(tmp_path):
    """`complaints stats` and friends read while a crawl holds the write lock for its batch."""
    import sqlite3

    from complaints_crawler.archive import database, queries

    url = f"sqlite:///{tmp_path / 'archive.db'}"
    engine = database.open_archive(url)
    writer = sqlite3.connect(tmp_path / "archive.db", isolation_level=None, timeout=0)
    writer.execute("BEGIN IMMEDIATE")  # a crawl in the middle of a batch
    try:
        assert queries.summary_by_source(engine) == []
        assert database.schema_revisions(engine) == (HEAD_REVISION, HEAD_REVISION)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        engine.dispose()
