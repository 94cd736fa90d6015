"""Appending many rows to a table in the caller's transaction: COPY on PostgreSQL, executemany elsewhere.

A crawl writes a few thread rows and 16 near-duplicate bucket rows per complaint. On PostgreSQL, COPY
takes them in one stream, several times faster than batched INSERT statements. On SQLite the driver's own
executemany takes the rows as tuples: SQLAlchemy's processing of each row's parameters cost more than
SQLite's insert (and held the interpreter lock the crawl's thread waits for).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, Insert, Table, insert

if TYPE_CHECKING:
    import psycopg


def append_rows(conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert `rows` (values in the order of `columns`) into `table`, in `conn`'s transaction."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        execute_many(conn, insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    quote = conn.dialect.identifier_preparer.quote  # "end" is a reserved word
    statement = f"COPY {quote(table.name)} ({', '.join(map(quote, columns))}) FROM STDIN"
    driver = cast("psycopg.Connection[Any]", conn.connection.dbapi_connection)  # COPY is psycopg's own API
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def execute_many(conn: Connection, stmt: Insert, rows: list[dict[str, Any]]) -> None:
    """Execute an INSERT (or upsert) of `stmt.table` once per row; every row has the same keys."""
    if not rows:
        return
    compiled = stmt.compile(dialect=conn.dialect, column_keys=list(rows[0]))
    names = compiled.positiontup
    if conn.dialect.name != "sqlite" or names is None or not set(names) <= rows[0].keys():
        conn.execute(stmt, rows)
        return
    # The columns' own conversions, as SQLAlchemy would apply them (SQLite keeps dates and times as text).
    table = cast(Table, stmt.table)
    convert = [(n, table.c[n].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)) for n in names]
    conn.exec_driver_sql(compiled.string, [tuple(f(row[n]) if f else row[n] for n, f in convert) for row in rows])
