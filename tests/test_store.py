"""Batched upserts: identical re-writes change nothing but last_seen_at; changed threads are replaced whole."""

from datetime import UTC, timedelta

from factories import business, complaint
from sqlalchemy import func, select

from complaints_crawler.archive import database
from complaints_crawler.archive import store as store_module
from complaints_crawler.archive.models import (
    BusinessRow,
    ComplaintRevisionRow,
    ComplaintRow,
    QuarantineRow,
    RedactionRow,
    ResponseRow,
)
from complaints_crawler.archive.prepare import prepare
from complaints_crawler.archive.store import ArchiveStore
from complaints_crawler.items import Response, ResponseKind
from complaints_crawler.quarantine import QuarantineEntry


def snapshot(engine, volatile=("last_seen_at",)):
    """Every row of every table, without the columns a re-crawl is allowed to change."""
    tables = [BusinessRow, ComplaintRow, ResponseRow, RedactionRow, ComplaintRevisionRow]
    with engine.connect() as conn:
        return {
            model.__tablename__: sorted(
                tuple((k, v) for k, v in row._mapping.items() if k not in volatile)
                for row in conn.execute(select(model.__table__))
            )
            for model in tables
        }


def open_store(url):
    if url.startswith("postgresql"):
        database.upgrade(url)
    return ArchiveStore.open(url)


def test_same_items_twice_give_identical_rows_and_zero_new_or_updated(archive_url, monkeypatch):
    store = open_store(archive_url)
    items = [complaint(n, business_n=n % 3) for n in range(25)]
    profiles = [business(n) for n in range(3)]
    run1 = store.open_run("bbb", {"company": "x"})
    first = store.write(profiles, [prepare(c) for c in items], run1)
    assert (first.new, first.updated, first.unchanged) == (25, 0, 0)
    before = snapshot(store.engine)
    with store.engine.connect() as conn:
        seen_before = conn.execute(select(func.max(ComplaintRow.last_seen_at))).scalar_one()

    later = seen_before.replace(tzinfo=seen_before.tzinfo or UTC) + timedelta(minutes=5)
    monkeypatch.setattr(store_module, "utc_now", lambda: later)  # the re-crawl happens later
    run2 = store.open_run("bbb", {"company": "x"})
    second = store.write(profiles, [prepare(c) for c in items], run2)
    assert (second.new, second.updated, second.unchanged) == (0, 0, 25)
    assert snapshot(store.engine) == before
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ComplaintRow)).scalar_one() == 25
        assert conn.execute(select(func.count()).select_from(ResponseRow)).scalar_one() == 50
        assert conn.execute(select(func.count()).select_from(ComplaintRevisionRow)).scalar_one() == 25
        seen = conn.execute(select(func.min(ComplaintRow.last_seen_at), func.max(ComplaintRow.last_seen_at))).one()
    assert [s.replace(tzinfo=s.tzinfo or UTC) for s in seen] == [later, later]  # every unchanged row was touched
    store.close()


def test_a_changed_thread_is_replaced_and_gets_a_revision(archive_url):
    store = open_store(archive_url)
    original = complaint(1, responses=2, status="Answered")
    store.write([], [prepare(original)], None)
    grown = original.model_copy(deep=True)
    grown.status = "Resolved"
    grown.responses = [
        *grown.responses,
        Response(position=3, kind=ResponseKind.CUSTOMER_ANSWER, text="I am satisfied with the refund."),
    ]
    result = store.write([], [prepare(grown)], None)
    assert (result.new, result.updated, result.unchanged) == (0, 1, 0)
    with store.engine.connect() as conn:
        row = conn.execute(select(ComplaintRow.status, ComplaintRow.entry_count, ComplaintRow.id)).one()
        assert (row.status, row.entry_count) == ("Resolved", 3)
        positions = (
            conn.execute(
                select(ResponseRow.position).where(ResponseRow.complaint_id == row.id).order_by(ResponseRow.position)
            )
            .scalars()
            .all()
        )
        assert positions == [1, 2, 3]
        revisions = conn.execute(
            select(ComplaintRevisionRow.status, ComplaintRevisionRow.entry_count).order_by(ComplaintRevisionRow.id)
        ).all()
        assert [tuple(r) for r in revisions] == [("Answered", 2), ("Resolved", 3)]
    store.close()


def test_a_complaints_business_reference_never_overwrites_the_profile(archive_url):
    store = open_store(archive_url)
    store.write([business(0)], [], None)
    store.write([], [prepare(complaint(1, business_n=0))], None)
    with store.engine.connect() as conn:
        row = conn.execute(select(BusinessRow.name, BusinessRow.category, BusinessRow.complaints_total)).one()
    assert tuple(row) == ("Business 0", "Testing", 100)
    store.close()


def test_repeats_within_one_batch_keep_the_richest_thread(archive_url):
    store = open_store(archive_url)
    result = store.write([], [prepare(complaint(1, responses=3)), prepare(complaint(1, responses=1))], None)
    assert result.new == 1
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ResponseRow)).scalar_one() == 3
    store.close()


def test_quarantine_entries_are_stored_with_their_run(archive_url):
    store = open_store(archive_url)
    run = store.open_run("bbb", {})
    store.quarantine(
        [
            QuarantineEntry(
                kind="blocked", reason="Cloudflare challenge (403)", url="http://x/complaints", details={"status": 403}
            )
        ],
        run,
    )
    with store.engine.connect() as conn:
        row = conn.execute(
            select(QuarantineRow.run_id, QuarantineRow.kind, QuarantineRow.reason, QuarantineRow.details)
        ).one()
    assert tuple(row) == (run, "blocked", "Cloudflare challenge (403)", {"status": 403})
    store.close()


def test_thread_text_with_control_characters_and_backslashes_round_trips(archive_url):
    """Thread rows are streamed with COPY on PostgreSQL: tabs, line breaks, backslashes and \\N stay text."""
    awkward = "Line one\tcolumn\nline two \\N and C:\\path\r\n“quoted” — ₹1,999 [REDACTED]"
    item = complaint(7, responses=0).model_copy(
        update={
            "responses": [Response(position=1, kind=ResponseKind.BUSINESS_RESPONSE, author="Ops\\Team", text=awkward)],
        }
    )
    store = open_store(archive_url)
    store.write([], [prepare(item)], None)
    with store.engine.connect() as conn:
        response = conn.execute(
            select(ResponseRow.author, ResponseRow.text, ResponseRow.posted_on, ResponseRow.verdict)
        ).one()
        revision = conn.execute(
            select(ComplaintRevisionRow.status, ComplaintRevisionRow.entry_count, ComplaintRevisionRow.run_id)
        ).one()
    store.close()
    assert tuple(response) == ("Ops\\Team", awkward, None, None)
    assert tuple(revision) == ("Answered", 1, None)
