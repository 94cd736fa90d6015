"""`complaints export`: a table, or whole threads, streamed to CSV, JSON lines or Parquet; or a filtered
part of any archive (PostgreSQL included) as a new SQLite archive (export_sqlite.py).

The file appears under its name only once complete: it is written beside it as NAME.partial first.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import Boolean, Date, DateTime, Engine, Float, Integer, String, Text

from complaints_crawler.reading.archive import ReadingError
from complaints_crawler.reading.filters import Filters
from complaints_crawler.reading.rows import Field, Row, batches, fields
from complaints_crawler.reading.values import as_text, jsonable

FORMATS = ("csv", "jsonl", "parquet", "sqlite")
TABLES = ("complaints", "responses", "threads")


def export(
    engine: Engine, fmt: str, table: str, filters: Filters, out: Path, *, force: bool = False, batch_size: int = 1000
) -> int:
    """Write the export to `out`; the number of rows (SQLite: complaints) written."""
    if out.exists() and not force:
        raise ReadingError(f"{out} exists: choose another --out, or add --force to replace it")
    if fmt == "sqlite":
        from complaints_crawler.reading.export_sqlite import export_sqlite

        with _partial(out) as target:
            return export_sqlite(engine, filters, target, batch_size)
    writer = {"csv": _csv, "jsonl": _jsonl, "parquet": _parquet}[fmt]
    flat = table == "threads" and fmt == "csv"  # CSV cannot nest: one row per entry, in reading order
    with _partial(out) as target, snapshot(engine) as conn:
        return writer(batches(conn, table, filters, batch_size, flat=flat), fields(table, flat), target)


@contextmanager
def snapshot(engine: Engine) -> Iterator[Any]:
    """One transaction for every batch: rows a crawl commits meanwhile are all in, or all out."""
    options = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
    with engine.connect().execution_options(**options) as conn, conn.begin():
        yield conn


@contextmanager
def _partial(out: Path) -> Iterator[Path]:
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        yield partial
        os.replace(partial, out)
    except OSError as error:
        if error.filename == str(partial):  # the reader asked for `out`: the partial file is ours to hide
            raise OSError(error.errno, error.strerror, str(out)) from None
        raise
    finally:
        partial.unlink(missing_ok=True)


def _open_text(path: Path) -> TextIO:
    return path.open("w", encoding="utf-8", newline="")


def _csv(rows: Iterator[list[Row]], columns: list[Field], path: Path) -> int:
    count = 0
    with _open_text(path) as file:
        writer = csv.writer(file)
        writer.writerow([f.name for f in columns])
        for batch in rows:
            writer.writerows([as_text(row[f.name]) for f in columns] for row in batch)
            count += len(batch)
    return count


def _jsonl(rows: Iterator[list[Row]], columns: list[Field], path: Path) -> int:
    count = 0

    def value(v: Any) -> Any:
        return [{k: jsonable(x) for k, x in entry.items()} for entry in v] if isinstance(v, list) else jsonable(v)

    with _open_text(path) as file:
        for batch in rows:
            for row in batch:
                file.write(json.dumps({f.name: value(row[f.name]) for f in columns}, ensure_ascii=False) + "\n")
            count += len(batch)
    return count


def _parquet(rows: Iterator[list[Row]], columns: list[Field], path: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from complaints_crawler.reading.rows import ENTRY_COLUMNS

    def arrow_type(column: Any) -> Any:
        kind = column.type
        if isinstance(kind, Boolean):
            return pa.bool_()
        if isinstance(kind, Integer):
            return pa.int64()
        if isinstance(kind, Float):
            return pa.float64()
        if isinstance(kind, DateTime):
            return pa.timestamp("us", tz="UTC")
        if isinstance(kind, Date):
            return pa.date32()
        if isinstance(kind, String | Text):
            return pa.string()
        raise TypeError(f"no Parquet type for column {column.name} ({kind})")

    entry = pa.struct([(c.name, arrow_type(c)) for c in ENTRY_COLUMNS])
    schema = pa.schema([(f.name, pa.list_(entry) if f.column is None else arrow_type(f.column)) for f in columns])
    count = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for batch in rows:
            writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=schema))  # one row group per batch
            count += len(batch)
        if not count:
            writer.write_table(schema.empty_table())
    return count
