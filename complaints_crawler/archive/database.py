"""Engines for the archive and the schema-version gate in front of every use of it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url

from complaints_crawler.paths import migrations_dir

DEFAULT_ARCHIVE_URL = "sqlite:///archive.db"
ARCHIVE_URL_ENV = "COMPLAINTS_ARCHIVE_URL"


class ArchiveSchemaError(RuntimeError):
    """The archive's schema is not the one this code writes; the message says which command fixes it."""


class ArchiveMissing(ArchiveSchemaError):
    """A command that only reads was pointed at an archive that does not exist (it never creates one)."""


def archive_url(setting: str | None = None) -> str:
    """The archive URL: an explicit setting, else $COMPLAINTS_ARCHIVE_URL, else ./archive.db."""
    return setting or os.environ.get(ARCHIVE_URL_ENV) or DEFAULT_ARCHIVE_URL


def _driver_url(url: str) -> str:
    # Plain postgresql:// URLs would pick psycopg2; the project ships psycopg 3.
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def shown_url(url: str) -> str:
    """The archive URL to show in logs and messages: its password hidden, and a malformed one never echoed."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # a malformed URL: say so, without echoing what may be a password
        return "(a URL SQLAlchemy cannot read)"


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite archive URL; None for other back-ends and in-memory databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).resolve()


def make_engine(url: str, *, migrating: bool = False, read_only: bool = False) -> Engine:
    """An engine on the archive. `read_only` opens a SQLite file read-only (it never creates it, takes no lock
    and works on read-only storage); PostgreSQL readers need nothing special."""
    url = _driver_url(url)
    if make_url(url).get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    path = sqlite_path(url)
    if read_only and path is not None:
        engine = create_engine(
            f"sqlite+pysqlite:///file:{quote(str(path))}?mode=ro&uri=true", connect_args={"timeout": 60}
        )
        _configure_sqlite(engine, foreign_keys=True, wal=False, read_only=True)
        return engine
    engine = create_engine(url, connect_args={"timeout": 60})
    _configure_sqlite(engine, foreign_keys=not migrating, wal=path is not None, read_only=False)
    return engine


def _configure_sqlite(engine: Engine, foreign_keys: bool, wal: bool, read_only: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy issue BEGIN itself (see below) instead of the driver's implicit, deferred one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # Off while migrating: batch mode rebuilds a table by dropping it, which with foreign keys on would
        # cascade-delete every row that references it.
        cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cursor.execute("PRAGMA busy_timeout=60000")
        # WAL lets readers (stats, SQL users) work while a crawl writes; in-memory databases can't use it, and
        # read-only connections must not try to switch it (the file may be on read-only storage).
        if wal:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # IMMEDIATE takes the write lock up front: two writers then queue on busy_timeout instead of
        # failing with "database is locked" when a reader tries to become a writer. Readers (`reading`)
        # take no lock, so a query never waits for a crawl's batch, nor holds one up.
        # A read-only engine's transactions are deferred reads: one consistent snapshot (WAL) each.
        reader = read_only or connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if reader else "BEGIN IMMEDIATE")


READ_ONLY = "archive_read_only"


def reading(engine: Engine) -> Connection:
    """A connection for queries only (use it in `with`): on SQLite it never takes the write lock."""
    return engine.connect().execution_options(**{READ_ONLY: True})


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("sqlalchemy.url", _driver_url(url).replace("%", "%%"))
    return config


def schema_revisions(engine: Engine) -> tuple[str | None, str]:
    """(the archive's revision, the code's head revision)."""
    head = ScriptDirectory.from_config(alembic_config(str(engine.url))).get_current_head()
    with reading(engine) as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    assert head is not None
    return current, head


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def require_existing(url: str) -> None:
    """A command that only reads never creates an archive: a SQLite file that is not there is an error."""
    path = sqlite_path(url)
    if path is not None and not path.exists():
        raise ArchiveMissing(f"no archive at {path} (a crawl creates one; so does `complaints db upgrade`)")


def open_archive(url: str, *, create: bool = True, read_only: bool = False) -> Engine:
    """An engine on an archive whose schema matches the code. With `create`, a new SQLite archive is created and
    migrated; without it (every command that only reads), a missing SQLite file is an `ArchiveMissing` error."""
    if not create or read_only:
        require_existing(url)
    engine = make_engine(url, read_only=read_only)
    current, head = schema_revisions(engine)
    if current == head:
        return engine
    shown = engine.url.render_as_string(hide_password=True)
    if current is None:
        if create and not read_only and engine.dialect.name == "sqlite" and not inspect(engine).get_table_names():
            upgrade(url)
            return engine
        raise ArchiveSchemaError(
            f"the archive at {shown} has no complaints-crawler schema; run `complaints db upgrade` to create it"
        )
    script = ScriptDirectory.from_config(alembic_config(url))
    if current not in {rev.revision for rev in script.walk_revisions()}:
        raise ArchiveSchemaError(
            f"the archive at {shown} is at schema revision {current}, newer than this code ({head}); "
            f"upgrade complaints-crawler, or run `complaints db downgrade {head}` with the newer version"
        )
    raise ArchiveSchemaError(
        f"the archive at {shown} is at schema revision {current}, behind this code ({head}); "
        "run `complaints db upgrade`"
    )
