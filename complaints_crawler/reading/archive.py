"""Opening an archive for reading: never created, never migrated, read-only where the back-end allows it."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from complaints_crawler.archive import database


class ReadingError(Exception):
    """A failure the reader can act on, said in one line (the command exits 1)."""


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite archive URL (None for other back-ends); a URL no reader can use is refused."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:" or parsed.database.startswith("file:"):
        raise ReadingError(f"give a SQLite archive as sqlite:///PATH, not {url}")
    return database.sqlite_path(url)


def open_for_reading(url: str) -> Engine:
    """An engine on an existing archive at the code's schema revision (SQLite files are opened read-only): the
    archive module's reading open, with a missing archive said as a reading error."""
    sqlite_path(url)  # a URL no reader can use is refused first
    try:
        return database.open_archive(url, create=False, read_only=True)
    except database.ArchiveMissing as error:
        raise ReadingError(str(error)) from None
