"""`complaints sql`: one reading statement against the archive, and nothing that writes.

Three locks, each enough for the common case: the statement must be one statement that starts as a read
(SELECT, WITH, VALUES, EXPLAIN, PRAGMA); SQLite is opened read-only (mode=ro) with an authorizer that refuses
every writing action (INSERT … in a WITH, ATTACH, DDL, ANALYZE, a PRAGMA that sets a value); PostgreSQL runs
it in a READ ONLY transaction with a statement timeout, rolled back afterwards.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

from complaints_crawler.errors import first_line
from complaints_crawler.reading.archive import ReadingError, open_for_reading, sqlite_path

READING_KEYWORDS = {
    "sqlite": {"select", "with", "values", "explain", "pragma"},
    "postgresql": {"select", "with", "values", "explain", "show", "table"},
}
# PRAGMAs that take an argument and still only read.
READING_PRAGMAS = {
    "table_info",
    "table_xinfo",
    "index_list",
    "index_info",
    "index_xinfo",
    "foreign_key_list",
    "foreign_key_check",
    "integrity_check",
    "quick_check",
    "table_list",
    "function_list",
    "pragma_list",
    "module_list",
    "collation_list",
    "database_list",
    "compile_options",
}
_WRITES = {
    getattr(sqlite3, f"SQLITE_{name}"): name.replace("_", " ")
    for name in (
        "INSERT",
        "UPDATE",
        "DELETE",
        "ATTACH",
        "DETACH",
        "ALTER_TABLE",
        "REINDEX",
        "ANALYZE",
        "CREATE_INDEX",
        "CREATE_TABLE",
        "CREATE_TEMP_INDEX",
        "CREATE_TEMP_TABLE",
        "CREATE_TEMP_TRIGGER",
        "CREATE_TEMP_VIEW",
        "CREATE_TRIGGER",
        "CREATE_VIEW",
        "CREATE_VTABLE",
        "DROP_INDEX",
        "DROP_TABLE",
        "DROP_TEMP_INDEX",
        "DROP_TEMP_TABLE",
        "DROP_TEMP_TRIGGER",
        "DROP_TEMP_VIEW",
        "DROP_TRIGGER",
        "DROP_VIEW",
        "DROP_VTABLE",
    )
}


class Refused(ReadingError):
    """A statement that would write, or is not one statement."""


@dataclass
class Result:
    columns: list[str]
    rows: Iterator[tuple[Any, ...]]


def check_statement(statement: str, backend: str = "sqlite") -> None:
    """Refuse what is not one statement starting as a read (before any back-end sees it)."""
    code = _code_only(statement).strip().rstrip(";").strip()
    if not code:
        raise Refused("no SQL statement given")
    if ";" in code:
        raise Refused("refused: one statement at a time (the sql command only reads)")
    keyword = code.split(None, 1)[0].lower().split("(", 1)[0]
    if keyword not in READING_KEYWORDS[backend]:
        allowed = ", ".join(sorted(k.upper() for k in READING_KEYWORDS[backend]))
        raise Refused(f"refused: {keyword.upper()} is not a read (the sql command runs {allowed} only)")


def _code_only(statement: str) -> str:
    """The statement with string literals, quoted names and comments blanked: what is left is SQL code."""
    pattern = r"'(?:[^']|'')*'?|\"(?:[^\"]|\"\")*\"?|--[^\n]*|/\*.*?(?:\*/|$)|(\$\w*\$).*?(?:\1|$)"
    return re.sub(pattern, " ", statement, flags=re.DOTALL)


@contextmanager
def run(url: str, statement: str, timeout: float = 30.0) -> Iterator[Result]:
    """Execute `statement` read-only; the rows stream while the context is open."""
    path = sqlite_path(url)
    check_statement(statement, "sqlite" if path is not None else "postgresql")
    if path is not None:
        open_for_reading(url).dispose()  # the same checks as every reading command: it exists, it is an archive
        with _sqlite(path, statement, timeout) as result:
            yield result
    else:
        with _postgresql(url, statement, timeout) as result:
            yield result


@contextmanager
def _sqlite(path: Path, statement: str, timeout: float) -> Iterator[Result]:
    # Quoted: a "#" or "?" in the path would end the file name and drop mode=ro (as database.make_engine does).
    conn = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True, timeout=timeout)
    refused: list[str] = []

    def authorize(action: int, name: str | None, argument: str | None, *_: Any) -> int:
        if action in _WRITES:
            refused.append(_WRITES[action])
            return sqlite3.SQLITE_DENY
        if action == sqlite3.SQLITE_PRAGMA and argument is not None and (name or "").lower() not in READING_PRAGMAS:
            refused.append(f"PRAGMA {name} = {argument}")
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    deadline = time.monotonic() + timeout
    conn.set_authorizer(authorize)
    conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    try:
        try:
            cursor = conn.execute(statement)
        except sqlite3.Error as error:
            if refused:
                raise Refused(f"refused: {refused[0]} writes (the sql command only reads)") from None
            raise ReadingError(_sqlite_message(error, timeout)) from None
        columns = [d[0] for d in cursor.description or ()]
        yield Result(columns, _sqlite_rows(cursor, timeout))
    finally:
        conn.close()


def _sqlite_rows(cursor: sqlite3.Cursor, timeout: float) -> Iterator[tuple[Any, ...]]:
    try:
        while batch := cursor.fetchmany(500):
            yield from batch
    except sqlite3.Error as error:
        raise ReadingError(_sqlite_message(error, timeout)) from None


def _sqlite_message(error: sqlite3.Error, timeout: float) -> str:
    text = str(error)
    return f"the statement ran longer than {timeout:g} s and was stopped" if text == "interrupted" else text


@contextmanager
def _postgresql(url: str, statement: str, timeout: float) -> Iterator[Result]:
    import psycopg

    engine = open_for_reading(url)
    try:
        with engine.connect() as conn:
            raw = cast(psycopg.Connection[Any], conn.connection.dbapi_connection)
            with raw.cursor() as cursor:
                try:
                    cursor.execute("SET TRANSACTION READ ONLY")
                    cursor.execute(f"SET LOCAL statement_timeout = {int(timeout * 1000)}")
                    cursor.execute(statement.encode())  # bytes: no parameter parsing, so % needs no escaping
                    columns = [d.name for d in cursor.description or ()]
                    yield Result(columns, _postgresql_rows(cursor, timeout))
                except psycopg.Error as error:
                    raise ReadingError(_postgresql_message(error, timeout)) from None
                finally:
                    raw.rollback()
    finally:
        engine.dispose()


def _postgresql_rows(cursor: Any, timeout: float) -> Iterator[tuple[Any, ...]]:
    import psycopg

    try:
        while batch := cursor.fetchmany(500):
            yield from batch
    except psycopg.Error as error:
        raise ReadingError(_postgresql_message(error, timeout)) from None


def _postgresql_message(error: Exception, timeout: float) -> str:
    text = first_line(error)
    if "read-only transaction" in text:
        return f"refused: {text} (the sql command only reads)"
    if "statement timeout" in text:
        return f"the statement ran longer than {timeout:g} s and was stopped"
    return text
