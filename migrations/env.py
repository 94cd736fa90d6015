"""Alembic environment: one script for SQLite (batch mode) and PostgreSQL."""

from alembic import context

from complaints_crawler.archive.database import _driver_url, archive_url, make_engine
from complaints_crawler.archive.models import Base
from complaints_crawler.reading.index import is_index_object

config = context.config
target_metadata = Base.metadata


def _include_object(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    # The full-text index (revision 0005) is the database's own work, outside the models: not a difference.
    return not (reflected and compare_to is None and is_index_object(name))


def _url() -> str:
    return _driver_url(config.get_main_option("sqlalchemy.url") or archive_url())


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        include_object=_include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is None:
        engine = make_engine(_url(), migrating=True)
        with engine.connect() as connection:
            _run(connection)
        engine.dispose()
    else:
        _run(connectable)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    # Batch mode rebuilds SQLite tables for ALTERs SQLite cannot do; on PostgreSQL it is plain ALTER.
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        include_object=_include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
