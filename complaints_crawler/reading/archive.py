"""Opening an archive for reading: never created, never migrated, read-only where the back-end allows it."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from complaints_crawler.archive import database


class ReadingError(Exception):
    """A failure the reader can act on, said in one line (the command exits 1)."""


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite archive URL (None for other back-ends)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:" or parsed.database.startswith("file:"):
        raise ReadingError(f"give a SQLite archive as sqlite:///PATH, not {url}")
    return Path(parsed.database)


def open_for_reading(url: str) -> Engine:
    """An engine on an existing archive at the code's schema revision (SQLite files are opened read-only)."""
    path = sqlite_path(url)
    if path is not None:
        if not path.is_file():
            raise ReadingError(f"no archive at {path}")
        engine = read_only_sqlite(path)
    else:
        engine = database.make_engine(url)
    current, head = database.schema_revisions(engine)
    if current is None:
        engine.dispose()
        raise ReadingError(
            f"{path or make_url(url).render_as_string(hide_password=True)} is no complaints archive "
            "(it has no schema revision)"
        )
    if current != head:
        engine.dispose()
        database.open_archive(url)  # says what is wrong and which command fixes it, without writing
    return engine


def read_only_sqlite(path: Path) -> Engine:
    """SQLite opened with mode=ro: the file cannot be written through this engine, whatever is executed."""
    engine = create_engine(
        f"sqlite+pysqlite:///file:{quote(str(path.resolve()))}?mode=ro&uri=true", connect_args={"timeout": 60}
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # SQLAlchemy begins transactions itself (below)

    @event.listens_for(engine, "begin")
    def _on_begin(connection):  # type: ignore[no-untyped-def]
        # One deferred read transaction: a consistent snapshot (WAL) across every batch of an export.
        connection.exec_driver_sql("BEGIN")

    return engine
