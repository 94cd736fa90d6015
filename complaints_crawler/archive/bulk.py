"""Appending many rows to a table in the caller's transaction: COPY on PostgreSQL, executemany elsewhere.

A crawl writes a few thread rows and 16 near-duplicate bucket rows per complaint. On PostgreSQL, COPY
takes them in one stream, several times faster than batched INSERT statements; SQLite's executemany is
already an in-process loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, Table, insert

if TYPE_CHECKING:
    import psycopg


def append_rows(conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert `rows` (values in the order of `columns`) into `table`, in `conn`'s transaction."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    quote = conn.dialect.identifier_preparer.quote  # "end" is a reserved word
    statement = f"COPY {quote(table.name)} ({', '.join(map(quote, columns))}) FROM STDIN"
    driver = cast("psycopg.Connection[Any]", conn.connection.dbapi_connection)  # COPY is psycopg's own API
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
