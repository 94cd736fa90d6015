"""The Alembic migrations create exactly the models' schema on both back-ends, and the gate refuses mismatches."""

import pytest
from alembic import command
from constants import HEAD_REVISION
from sqlalchemy import inspect

from complaints_crawler.archive import database
from complaints_crawler.archive.models import Base
from complaints_crawler.reading.index import SQLITE_TABLES

TABLES = {
    "businesses",
    "complaints",
    "responses",
    "redactions",
    "complaint_revisions",
    "crawl_runs",
    "crawl_targets",
    "quarantine",
}


def test_upgrade_creates_every_table_then_check_is_clean_and_downgrade_removes_them(archive_url):
    database.upgrade(archive_url)
    engine = database.make_engine(archive_url)
    search_index = SQLITE_TABLES if engine.dialect.name == "sqlite" else set()  # revision 0005's FTS5 tables
    assert set(inspect(engine).get_table_names()) - {"alembic_version"} == set(Base.metadata.tables) | search_index
    assert set(Base.metadata.tables) >= TABLES
    command.check(database.alembic_config(archive_url))  # raises when models and migrations differ
    database.downgrade(archive_url, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()


def test_indexes_for_the_usual_queries(archive_url):
    database.upgrade(archive_url)
    engine = database.make_engine(archive_url)
    indexed = {tuple(ix["column_names"]) for ix in inspect(engine).get_indexes("complaints")}
    assert {("business_id", "filed_on"), ("status",), ("content_hash",)} <= indexed
    uniques = {tuple(u["column_names"]) for u in inspect(engine).get_unique_constraints("complaints")}
    assert ("source", "external_id") in uniques
    engine.dispose()


def test_new_sqlite_archive_is_migrated_on_first_use(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    engine = database.open_archive(url)
    current, head = database.schema_revisions(engine)
    assert current == head


def test_empty_postgres_archive_is_refused_with_the_fix(archive_url):
    if not archive_url.startswith("postgresql"):
        pytest.skip("SQLite archives are created automatically")
    with pytest.raises(
        database.ArchiveSchemaError, match=r"has no complaints-crawler schema; run `complaints db upgrade`"
    ):
        database.open_archive(archive_url)


def test_archive_behind_the_code_is_refused(archive_url):
    database.upgrade(archive_url)
    _, head = database.schema_revisions(database.make_engine(archive_url))
    first = [
        r.revision for r in database.ScriptDirectory.from_config(database.alembic_config(archive_url)).walk_revisions()
    ][-1]
    assert (first, head) == ("0001", HEAD_REVISION)
    database.downgrade(archive_url, first)
    with pytest.raises(
        database.ArchiveSchemaError,
        match=rf"at schema revision {first}, behind this code \({head}\); run `complaints db upgrade`",
    ):
        database.open_archive(archive_url)


def test_archive_ahead_of_the_code_is_refused(archive_url):
    database.upgrade(archive_url)
    engine = database.make_engine(archive_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'ffff_future'")
    with pytest.raises(
        database.ArchiveSchemaError, match=r"revision ffff_future, newer than this code .*upgrade complaints-crawler"
    ):
        database.open_archive(archive_url)


def test_downgrade_and_upgrade_keep_archived_threads(archive_url):
    """Batch-mode table rebuilds on SQLite must not cascade-delete responses."""
    from factories import complaint
    from sqlalchemy import func, select

    from complaints_crawler.archive.models import ResponseRow
    from complaints_crawler.archive.prepare import prepare
    from complaints_crawler.archive.store import ArchiveStore

    database.upgrade(archive_url)
    store = ArchiveStore.open(archive_url)
    store.write([], [prepare(complaint(n)) for n in range(3)], None)
    store.close()
    database.downgrade(archive_url, "0001")
    database.upgrade(archive_url)
    engine = database.make_engine(archive_url)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ResponseRow)).scalar_one() == 6
    engine.dispose()


def test_bucket_rows_survive_the_change_of_their_key(archive_url):
    """0003 replaces lsh_buckets' surrogate id by (complaint_id, band); both directions keep every row."""
    from factories import complaint
    from sqlalchemy import inspect, text

    from complaints_crawler.archive.prepare import prepare
    from complaints_crawler.archive.store import ArchiveStore

    database.upgrade(archive_url)
    store = ArchiveStore.open(archive_url)
    store.write([], [prepare(complaint(n)) for n in range(3)], None)
    store.close()
    count = text("SELECT count(*), count(DISTINCT complaint_id), count(DISTINCT band) FROM lsh_buckets")

    database.downgrade(archive_url, "0002")
    engine = database.make_engine(archive_url, migrating=True)
    with engine.connect() as conn:
        assert tuple(conn.execute(count).one()) == (48, 3, 16)
        assert inspect(conn).get_pk_constraint("lsh_buckets")["constrained_columns"] == ["id"]
    engine.dispose()

    database.upgrade(archive_url)
    engine = database.make_engine(archive_url)
    with engine.connect() as conn:
        assert tuple(conn.execute(count).one()) == (48, 3, 16)
        assert inspect(conn).get_pk_constraint("lsh_buckets")["constrained_columns"] == ["complaint_id", "band"]
        assert {ix["name"] for ix in inspect(conn).get_indexes("lsh_buckets")} == {"ix_lsh_buckets_bucket"}
    engine.dispose()
